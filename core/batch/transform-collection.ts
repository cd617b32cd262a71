import { ValidationFailed } from '../errors';
import type { TenantScope } from '../tenancy/tenant-scope';
import { type BatchJob, type BatchPartitionResult, batchPartitionKey } from './batch-job-records';
import { type BatchPartition, batchOutputKeys } from './batch-partitions';
import { TransformAnswerSchema, transformOutputKey } from './batch-transform';

/**
 * `CollectPartition`: a finished transform's answer (`<file>.out` in the
 * partition's transform folder) becomes what ScorePartition always wrote:
 * `outputs/part-N.csv`, `rejected/part-N.csv` when a row was refused, and the
 * partition's counts and statistics under the job, keyed by partition (a
 * retry overwrites). The answer is read from where this job's plan put it,
 * never from a key in the step's input.
 * @throws ValidationFailed when the answer is not a Steward batch answer (the container ran without its batch mode)
 * @throws NotFound when the transform left no answer
 */
export async function collectTransformOutput(scope: TenantScope, job: BatchJob, partition: BatchPartition): Promise<BatchPartitionResult> {
  const answerKey = transformOutputKey(job, partition);
  const text = new TextDecoder().decode(await scope.objects.getBytes(answerKey));
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    raw = undefined;
  }
  const parsed = TransformAnswerSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ValidationFailed(`${answerKey} is not a Steward batch answer: was the model's container run without its batch mode?`, [
      { field: 'transform', problem: `${answerKey}: ${parsed.error.issues[0]?.message ?? 'unreadable'}` },
    ]);
  }
  const answer = parsed.data;
  if (answer.rowsIn !== answer.rowsOut + answer.rowsRejected) {
    throw new ValidationFailed(`${answerKey} accounts for ${answer.rowsOut + answer.rowsRejected} of ${answer.rowsIn} rows`, [
      { field: 'transform', problem: 'row counts do not add up' },
    ]);
  }
  const outputKey = batchOutputKeys.output(job, partition.index);
  const rejectedKey = batchOutputKeys.rejected(job, partition.index);
  await scope.objects.put(outputKey, answer.output, 'text/csv');
  if (answer.rowsRejected > 0) await scope.objects.put(rejectedKey, answer.rejected, 'text/csv');
  const result: BatchPartitionResult = {
    index: partition.index,
    source: partition.source,
    outputKey,
    ...(answer.rowsRejected > 0 ? { rejectedKey } : {}),
    rowsIn: answer.rowsIn,
    rowsOut: answer.rowsOut,
    rowsRejected: answer.rowsRejected,
    statistics: answer.statistics,
    finishedAt: scope.now().toISOString(),
  };
  await scope.table.transact([
    { kind: 'put', key: batchPartitionKey(job.jobId, partition.index), item: { entity: 'batch-partition', jobId: job.jobId, ...result }, expect: 'any' },
  ]);
  return result;
}
