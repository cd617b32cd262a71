import type { InvalidField } from '../../core/errors';
import type { PartitionScoringOutcome, PartitionScoringRequest } from '../../core/ports/partition-scorer';

/** What the pool hands a worker: one partition of one tenant. */
export interface PartitionJobMessage {
  readonly id: number;
  readonly tenantId: string;
  readonly request: PartitionScoringRequest;
}

/** A core error as it crosses the thread boundary (structured clone keeps no class). */
export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly fields?: InvalidField[];
  readonly resource?: string;
  readonly id?: string;
}

/** How one partition ended. */
export type PartitionResult = { readonly ok: true; readonly outcome: PartitionScoringOutcome } | { readonly ok: false; readonly error: SerializedError };

export type PartitionWorkerAnswer = { readonly id: number } & PartitionResult;
