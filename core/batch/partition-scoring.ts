import type { PartitionModel, PartitionScorer } from '../ports/partition-scorer';
import type { TenantScope } from '../tenancy/tenant-scope';
import { type BatchJob, type BatchPartitionResult, batchPartitionKey } from './batch-job-records';
import { type BatchPartition, batchOutputKeys } from './batch-partitions';

/**
 * Scores one partition through the platform's partition scorer (the serving
 * batch engine: in process on AWS, a worker pool locally), which writes
 * `outputs/part-N.csv` (the row number, the passthrough columns, then the
 * model's output columns) and, if any row was refused — by the schema or by
 * the model — `rejected/part-N.csv` naming the row, the field and the
 * problem. Then it records the partition's counts under the job, keyed by
 * partition, so a retried partition overwrites its files and its counts
 * instead of adding to them: every input row ends in exactly one of the two
 * files exactly once.
 * @throws ValidationFailed when the file is not readable CSV or lacks a model input or passthrough column (the job fails, naming it)
 */
export async function scorePartition(
  scope: TenantScope,
  scorer: PartitionScorer,
  job: BatchJob,
  partition: BatchPartition,
  model: PartitionModel,
): Promise<BatchPartitionResult> {
  const outputKey = batchOutputKeys.output(job, partition.index);
  const rejectedKey = batchOutputKeys.rejected(job, partition.index);
  const scored = await scorer.score(scope.objects, { model, source: partition.source, outputKey, rejectedKey, passthrough: job.passthrough });
  const result: BatchPartitionResult = {
    index: partition.index,
    source: partition.source,
    outputKey,
    ...(scored.rowsRejected > 0 ? { rejectedKey } : {}),
    rowsIn: scored.rowsIn,
    rowsOut: scored.rowsOut,
    rowsRejected: scored.rowsRejected,
    statistics: { ...scored.statistics },
    finishedAt: scope.now().toISOString(),
  };
  await scope.table.transact([
    { kind: 'put', key: batchPartitionKey(job.jobId, partition.index), item: { entity: 'batch-partition', jobId: job.jobId, ...result }, expect: 'any' },
  ]);
  return result;
}
