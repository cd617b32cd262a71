import { z } from 'zod';
import type { Page } from '../ports/metadata-store';
import { NotFound } from '../errors';
import type { TenantScope } from '../tenancy/tenant-scope';
import { BatchPartitionResultSchema, loadBatchJob } from './batch-job-records';

/**
 * What the console (and the CLI) show of a job beyond its counts: each scored
 * partition as it lands, and short-lived download links to the job's files.
 * Read-only: nothing here changes a job, so nothing is audited.
 */

/** A job's files, relative to its output folder: the reports, and one output (and rejected) part per partition. */
export const BatchJobFileName = z
  .string()
  .regex(
    /^(rejected\.csv|manifest\.json|statistics\.json|(outputs|rejected)\/part-\d{5}\.csv)$/,
    'one of rejected.csv, manifest.json, statistics.json, outputs/part-NNNNN.csv, rejected/part-NNNNN.csv',
  );

export const BatchJobPartitionView = z.object({
  index: z.number().int().min(0),
  /** Tenant-relative key of the CSV object the partition read. */
  source: z.string(),
  /** Relative to the job's output folder (a BatchJobFileName). */
  output: z.string(),
  rejected: z.string().optional(),
  rowsIn: z.number().int().min(0),
  rowsOut: z.number().int().min(0),
  rowsRejected: z.number().int().min(0),
  finishedAt: z.string(),
});
export type BatchJobPartitionView = z.infer<typeof BatchJobPartitionView>;

export const BatchJobDownload = z.object({ file: z.string(), url: z.string(), expiresAt: z.string(), sizeBytes: z.number().int().min(0) });
export type BatchJobDownload = z.infer<typeof BatchJobDownload>;

const DOWNLOAD_URL_SECONDS = 15 * 60;

function relativeTo(prefix: string, key: string): string {
  return key.startsWith(prefix) ? key.slice(prefix.length) : key;
}

/** The partitions scored so far, in index order (a running job shows them as they land). */
export async function listBatchJobPartitions(
  scope: TenantScope,
  jobId: string,
  page: { limit: number; cursor?: string },
): Promise<Page<BatchJobPartitionView>> {
  const job = await loadBatchJob(scope.table, jobId);
  const result = await scope.table.query({ partition: ['BATCHJOB', jobId], sortBeginsWith: 'P#', limit: page.limit, cursor: page.cursor, consistent: true });
  const items = result.items.map((item) => {
    const p = BatchPartitionResultSchema.parse(item);
    return {
      index: p.index,
      source: p.source,
      output: relativeTo(job.outputPrefix, p.outputKey),
      ...(p.rejectedKey ? { rejected: relativeTo(job.outputPrefix, p.rejectedKey) } : {}),
      rowsIn: p.rowsIn,
      rowsOut: p.rowsOut,
      rowsRejected: p.rowsRejected,
      finishedAt: p.finishedAt,
    };
  });
  return { items, cursor: result.cursor };
}

/** A presigned GET (15 minutes) for one of the job's files; NotFound while it is not written (e.g. the rejected-row report of a clean job). */
export async function batchJobDownloadUrl(scope: TenantScope, jobId: string, file: string): Promise<BatchJobDownload> {
  const name = BatchJobFileName.parse(file);
  const job = await loadBatchJob(scope.table, jobId);
  const key = `${job.outputPrefix}${name}`;
  const head = await scope.objects.head(key);
  if (!head) throw new NotFound(`file of batch job ${jobId}`, name);
  const url = await scope.objects.presignGet(key, { expiresInSeconds: DOWNLOAD_URL_SECONDS, downloadName: `${jobId}-${name.replace('/', '-')}` });
  return { file: name, url, expiresAt: new Date(scope.now().getTime() + DOWNLOAD_URL_SECONDS * 1000).toISOString(), sizeBytes: head.size };
}
