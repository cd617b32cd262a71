import { z } from 'zod';
import type { PartitionColumnStatistics } from '../ports/partition-scorer';
import type { BatchJob } from './batch-job-records';
import type { BatchPartition } from './batch-partitions';

/**
 * A batch job's partitions as SageMaker batch transforms (AWS) score them,
 * and as the local SageMaker integration does with the same requests: one
 * transform job per partition, the whole partition CSV as one request
 * (SplitType None), so the serving container sees the header and can report
 * every refused row by its number, field and problem instead of failing the
 * request. The container answers with a {@link TransformAnswer}; SageMaker
 * stores it as `<partition file name>.out` under the job's transform folder,
 * and the collector step turns it into the partition's output part,
 * rejected part and counts, as ScorePartition wrote them before.
 */

/** The Accept a transform sends (TransformOutput.Accept): the serving container's batch mode. */
export const BATCH_TRANSFORM_ACCEPT = 'application/vnd.steward.batch+json';
/** The transform job's container environment naming the columns copied into every output row (a JSON array). */
export const BATCH_PASSTHROUGH_ENVIRONMENT = 'STEWARD_BATCH_PASSTHROUGH';
/** SageMaker's ceiling for MaxPayloadInMB: a partition is one request, so no partition may be larger. */
export const MAX_TRANSFORM_PAYLOAD_MB = 100;
const MIB = 1024 * 1024;

/** The tenant-relative folder of a job's transform outputs: `transforms/<jobId>/`. */
export function transformRootFolder(job: Pick<BatchJob, 'jobId'>): string {
  return `transforms/${job.jobId}/`;
}

/**
 * Where a partition's transform writes (tenant-relative): `transforms/<jobId>/part-<index>/`
 * (the index unpadded: the state machine builds the same path with States.Format).
 * A folder of its own per partition, outside the job's chosen output folder,
 * so SageMaker's role may write `tenants/*\/transforms/*` and nothing else.
 */
export function transformOutputFolder(job: Pick<BatchJob, 'jobId'>, index: number): string {
  return `${transformRootFolder(job)}part-${index}/`;
}

/** SageMaker names a transform's output after its input object: `<file name>.out`. */
export function transformOutputKey(job: Pick<BatchJob, 'jobId'>, partition: BatchPartition): string {
  const file = partition.source.slice(partition.source.lastIndexOf('/') + 1);
  return `${transformOutputFolder(job, partition.index)}${file}.out`;
}

/** MaxPayloadInMB that fits the largest partition. @throws RangeError past SageMaker's 100 MB (the plan names the file) */
export function payloadMegabytesFor(largestBytes: number): number {
  const mb = Math.max(1, Math.ceil(largestBytes / MIB));
  if (mb > MAX_TRANSFORM_PAYLOAD_MB)
    throw new RangeError(`a partition of ${largestBytes} bytes exceeds a batch transform's ${MAX_TRANSFORM_PAYLOAD_MB} MB payload`);
  return mb;
}

const ColumnStatistics = z.object({ count: z.number(), sum: z.number(), sumSquares: z.number(), min: z.number(), max: z.number() });

/**
 * The serving container's batch answer for one partition: counts, the
 * statistics of each numeric output column, the output CSV (`row`,
 * passthrough columns, model outputs) and the rejected CSV (`row`,
 * passthrough columns, `field`, `reason`), exactly the parts the batch
 * engine writes.
 */
export const TransformAnswerSchema = z.object({
  format: z.literal('steward-batch/1'),
  rowsIn: z.number().int().min(0),
  rowsOut: z.number().int().min(0),
  rowsRejected: z.number().int().min(0),
  statistics: z.record(z.string(), ColumnStatistics),
  output: z.string(),
  rejected: z.string(),
});
export type TransformAnswer = z.infer<typeof TransformAnswerSchema>;

export function encodeTransformAnswer(answer: {
  rowsIn: number;
  rowsOut: number;
  rowsRejected: number;
  statistics: Readonly<Record<string, PartitionColumnStatistics>>;
  output: string;
  rejected: string;
}): string {
  const value: TransformAnswer = {
    format: 'steward-batch/1',
    rowsIn: answer.rowsIn,
    rowsOut: answer.rowsOut,
    rowsRejected: answer.rowsRejected,
    statistics: { ...answer.statistics },
    output: answer.output,
    rejected: answer.rejected,
  };
  return JSON.stringify(value);
}
