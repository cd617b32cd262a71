import { z } from 'zod';
import type { MetadataTable, ScopedWrite } from '../ports/metadata-store';
import { NotFound } from '../errors';

export const BATCH_JOB_STATUSES = ['queued', 'running', 'succeeded', 'failed'] as const;
export type BatchJobStatus = (typeof BATCH_JOB_STATUSES)[number];

/** What a job scores: one dataset version's file, or every CSV object under a tenant storage prefix (one partition each). */
export const BatchInputSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('dataset'), datasetId: z.string(), version: z.number().int().positive() }),
  z.object({ kind: z.literal('prefix'), prefix: z.string() }),
]);
export type BatchInput = z.infer<typeof BatchInputSchema>;

export const BatchModelRefSchema = z.object({ modelId: z.string(), version: z.number().int().positive() });

/** Counts as partitions report them; `partitionsDone` of `partitionsTotal` is the progress. */
export const BatchProgressSchema = z.object({
  partitionsTotal: z.number().int().min(0),
  partitionsDone: z.number().int().min(0),
  rowsIn: z.number().int().min(0),
  rowsOut: z.number().int().min(0),
  rowsRejected: z.number().int().min(0),
});
export type BatchProgress = z.infer<typeof BatchProgressSchema>;

export const BatchJobSchema = z.object({
  jobId: z.string(),
  status: z.enum(BATCH_JOB_STATUSES),
  model: BatchModelRefSchema,
  input: BatchInputSchema,
  /** Tenant-relative folder the job writes to: `outputs/part-*.csv`, `rejected/part-*.csv`, `manifest.json`, `statistics.json`. */
  outputPrefix: z.string(),
  /** Input columns copied into every output row (e.g. a row id), before the predictions. */
  passthrough: z.array(z.string()),
  /** Set when a schedule started the job. */
  schedule: z.object({ scheduleId: z.string(), slot: z.string() }).optional(),
  executionId: z.string().optional(),
  partitionsTotal: z.number().int().min(0).optional(),
  /** Final counts, written when the job ends (live counts come from the partition records). */
  totals: BatchProgressSchema.optional(),
  error: z.string().optional(),
  createdAt: z.string(),
  createdBy: z.string(),
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
  updatedAt: z.string(),
  revision: z.number().int(),
});
export type BatchJob = z.infer<typeof BatchJobSchema>;

/** One scored partition: written by its scoring step (a retry overwrites it, so counts never double). */
export const BatchPartitionResultSchema = z.object({
  index: z.number().int().min(0),
  source: z.string(),
  outputKey: z.string(),
  rejectedKey: z.string().optional(),
  rowsIn: z.number().int().min(0),
  rowsOut: z.number().int().min(0),
  rowsRejected: z.number().int().min(0),
  /** Per output column: count, sum, sum of squares, min, max of its numeric values (monitoring's baseline). */
  statistics: z.record(z.string(), z.object({ count: z.number(), sum: z.number(), sumSquares: z.number(), min: z.number(), max: z.number() })),
  finishedAt: z.string(),
});
export type BatchPartitionResult = z.infer<typeof BatchPartitionResultSchema>;

export function batchJobKey(jobId: string) {
  return { partition: ['BATCHJOB', jobId], sort: 'META' };
}

export function batchPartitionKey(jobId: string, index: number) {
  return { partition: ['BATCHJOB', jobId], sort: `P#${String(index).padStart(6, '0')}` };
}

/** The job with its listing indexes: all jobs and by model version, newest first by id (ids are time-ordered). */
export function batchJobWrite(job: BatchJob, expect: 'new' | { revision: number }): ScopedWrite {
  return {
    kind: 'put',
    key: batchJobKey(job.jobId),
    indexes: {
      gsi1: { partition: ['BATCHJOBS', 'all'], sort: job.jobId },
      gsi2: { partition: ['BATCHJOBS', 'version', job.model.modelId, job.model.version], sort: job.jobId },
    },
    item: { entity: 'batch-job', ...job },
    expect,
  };
}

export async function loadBatchJob(table: MetadataTable, jobId: string): Promise<BatchJob> {
  const item = await table.get(batchJobKey(jobId), { consistent: true });
  if (!item) throw new NotFound('batch job', jobId);
  return BatchJobSchema.parse(item);
}

export async function loadPartitionResults(table: MetadataTable, jobId: string): Promise<BatchPartitionResult[]> {
  const results: BatchPartitionResult[] = [];
  let cursor: string | undefined;
  do {
    const page = await table.query({ partition: ['BATCHJOB', jobId], sortBeginsWith: 'P#', limit: 500, cursor, consistent: true });
    results.push(...page.items.map((item) => BatchPartitionResultSchema.parse(item)));
    cursor = page.cursor;
  } while (cursor);
  return results;
}

/** Live progress: the job's partition total and the sums of the partition records written so far. */
export function progressOf(job: BatchJob, partitions: readonly BatchPartitionResult[]): BatchProgress {
  if (job.totals) return job.totals;
  return {
    partitionsTotal: job.partitionsTotal ?? 0,
    partitionsDone: partitions.length,
    rowsIn: partitions.reduce((n, p) => n + p.rowsIn, 0),
    rowsOut: partitions.reduce((n, p) => n + p.rowsOut, 0),
    rowsRejected: partitions.reduce((n, p) => n + p.rowsRejected, 0),
  };
}
