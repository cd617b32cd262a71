import type { IoSchema } from '../catalog/artifacts/io-schema';
import type { ServingRuntime } from './endpoint-control';
import type { TenantObjectStore } from './object-store';

/**
 * Where a batch job's partitions are scored: the domain (core/batch) plans
 * partitions and records their counts; scoring the rows is the serving
 * code's batch engine (serving/batch/score-stream.ts), the one that also
 * scores files for the serving container and the bench. The domain does not
 * import serving/, so it reaches the engine through this port:
 *
 * - in process (serving/batch/in-process-partition-scorer.ts), what a Lambda
 *   runs: each Map iteration is its own Lambda, so the Map's fan-out is the
 *   parallelism;
 * - locally, a worker_threads pool bounded by the machine's cores
 *   (infra/local/partition-worker-pool.ts), so the local Map's concurrent
 *   iterations score on as many cores as there are instead of sharing the
 *   API's event loop.
 *
 * Either way a partition streams from the tenant's objects through parse,
 * schema check and the model, and its output and rejected rows are written
 * under the tenant's root: the request carries tenant-relative keys, and
 * whatever runs it reads and writes only through the tenant's object store.
 */
export interface PartitionScorer {
  /**
   * Scores one CSV partition (header required: columns are matched to the
   * model's inputs by name) and writes `outputKey` (row number, passthrough
   * columns, model outputs) and, only when a row was refused, `rejectedKey`
   * (row number, passthrough columns, field, problem).
   * @throws ValidationFailed when the file is not readable CSV (field `input`) or lacks a model input (`input`) or a passthrough column (`passthrough`)
   * @throws NotFound when the source or the artifact is absent
   */
  score(objects: TenantObjectStore, request: PartitionScoringRequest): Promise<PartitionScoringOutcome>;
}

/** The model version a partition is scored with, as stored: its runtime kind, artifact and declared schema. */
export interface PartitionModel {
  readonly modelId: string;
  readonly version: number;
  readonly runtime: ServingRuntime;
  /** Tenant-relative key of the artifact object. */
  readonly artifactKey: string;
  /** The catalog's SHA-256 (hex) of the artifact: the model is loaded only if the stored bytes match. */
  readonly sha256: string;
  readonly ioSchema: IoSchema;
}

export interface PartitionScoringRequest {
  readonly model: PartitionModel;
  /** Tenant-relative key of the CSV partition. */
  readonly source: string;
  readonly outputKey: string;
  readonly rejectedKey: string;
  readonly passthrough: readonly string[];
}

/** Running figures of one numeric output column. */
export interface PartitionColumnStatistics {
  readonly count: number;
  readonly sum: number;
  readonly sumSquares: number;
  readonly min: number;
  readonly max: number;
}

export interface PartitionScoringOutcome {
  readonly rowsIn: number;
  readonly rowsOut: number;
  readonly rowsRejected: number;
  /** Per numeric output column, over the rows written. */
  readonly statistics: Readonly<Record<string, PartitionColumnStatistics>>;
}
