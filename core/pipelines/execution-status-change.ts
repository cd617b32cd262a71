import { Conflict, StaleWrite } from '../errors';
import type { MetadataTable } from '../ports/metadata-store';
import {
  type ExecutionRecord,
  type ExecutionStatus,
  recordExecutionStarted,
  recordExecutionStopped,
  type TransitionEvent,
  type TransitionType,
} from './execution-log';

/**
 * One execution-level status change as Step Functions reports it (on AWS,
 * through EventBridge), already bound to its tenant by the caller. Step
 * Functions reports no per-state transitions this way: an AWS record holds
 * its start and its end.
 */
export interface ExecutionStatusChange {
  readonly executionId: string;
  readonly pipeline: string;
  /** Step Functions' status; PENDING_REDRIVE and unknown ones are ignored. */
  readonly status: string;
  readonly actor: string;
  readonly input: Record<string, unknown>;
  readonly startedAt: string;
  readonly stoppedAt?: string;
  readonly output?: unknown;
  readonly error?: string;
  readonly cause?: string;
}

export type StatusChangeOutcome = 'created' | 'stopped' | 'created-and-stopped' | 'unchanged';

const FINAL: Readonly<Record<string, { status: Exclude<ExecutionStatus, 'RUNNING'>; type: TransitionType; error?: string; cause?: string }>> = {
  SUCCEEDED: { status: 'SUCCEEDED', type: 'ExecutionSucceeded' },
  FAILED: { status: 'FAILED', type: 'ExecutionFailed' },
  TIMED_OUT: { status: 'FAILED', type: 'ExecutionTimedOut', error: 'States.Timeout', cause: 'the execution ran longer than its TimeoutSeconds' },
  ABORTED: { status: 'ABORTED', type: 'ExecutionAborted', error: 'States.Aborted', cause: 'the execution was stopped' },
};

const MAX_ATTEMPTS = 5;
const executionKey = (executionId: string) => ({ partition: ['EXECUTION', executionId], sort: 'EXECUTION' }) as const;

/**
 * Applies a status change to the tenant's execution record through the same
 * execution log the local runner writes. Safe to repeat and to receive out
 * of order: a record is created when none exists (an execution started
 * outside the API, e.g. by EventBridge Scheduler, or a final event that
 * arrived first); a final status ends a RUNNING record once; anything
 * arriving after the end (a redelivery, a late RUNNING) changes nothing.
 * Concurrent deliveries race on the record's optimistic lock and re-read.
 */
export async function applyExecutionStatusChange(table: MetadataTable, change: ExecutionStatusChange): Promise<StatusChangeOutcome> {
  const final = FINAL[change.status];
  if (change.status !== 'RUNNING' && !final) return 'unchanged';
  let created = false;
  for (let attempt = 1; ; attempt++) {
    try {
      let record = await table.get<ExecutionRecord>(executionKey(change.executionId), { consistent: true });
      if (!record) {
        record = await recordExecutionStarted(table, {
          executionId: change.executionId,
          pipeline: change.pipeline,
          name: change.executionId,
          actor: change.actor,
          input: change.input,
          startedAt: change.startedAt,
        });
        created = true;
      }
      if (!final || record.status !== 'RUNNING') return created ? 'created' : 'unchanged';
      const at = change.stoppedAt ?? change.startedAt;
      const error = change.error ?? final.error;
      const cause = change.cause ?? final.cause;
      const seq = (await lastSeq(table, change.executionId)) + 1;
      const event: TransitionEvent = { seq, type: final.type, at, ...(error !== undefined ? { error } : {}), ...(cause !== undefined ? { cause } : {}) };
      await recordExecutionStopped(table, record, {
        status: final.status,
        event,
        ...(change.output !== undefined ? { output: change.output } : {}),
        ...(error !== undefined ? { error } : {}),
        ...(cause !== undefined ? { cause } : {}),
      });
      return created ? 'created-and-stopped' : 'stopped';
    } catch (error) {
      // Another delivery of this execution wrote first: read again and decide anew.
      if (!(error instanceof StaleWrite || error instanceof Conflict) || attempt >= MAX_ATTEMPTS) throw error;
    }
  }
}

async function lastSeq(table: MetadataTable, executionId: string): Promise<number> {
  const last = await table.query<TransitionEvent>({
    partition: executionKey(executionId).partition,
    sortBeginsWith: 'EVENT#',
    descending: true,
    limit: 1,
    consistent: true,
  });
  return last.items[0]?.seq ?? 0;
}
