import { Conflict } from '../errors';
import { csvCell, readCsvBatches } from '../tabular/csv-rows';
import type { TenantScope } from '../tenancy/tenant-scope';
import { type BatchJob, type BatchPartitionResult, type BatchProgress, loadBatchJob, loadPartitionResults, progressOf } from './batch-job-records';
import { markBatchJobSucceeded } from './batch-jobs';
import { batchOutputKeys } from './batch-partitions';

export interface BatchOutputs {
  readonly manifestKey: string;
  readonly rejectedReportKey?: string;
  readonly totals: BatchProgress;
}

async function completePartitions(scope: TenantScope, jobId: string): Promise<{ job: BatchJob; partitions: BatchPartitionResult[] }> {
  const job = await loadBatchJob(scope.table, jobId);
  const partitions = await loadPartitionResults(scope.table, jobId);
  if (job.partitionsTotal === undefined || partitions.length !== job.partitionsTotal) {
    throw new Conflict(`batch job ${jobId} has ${partitions.length} of ${job.partitionsTotal ?? '?'} partitions scored`);
  }
  return { job, partitions };
}

/**
 * The job's own outputs once every partition is scored: `manifest.json`
 * (each part, its source and counts — what a consumer reads instead of
 * listing the folder) and `rejected.csv`, one report of every refused row
 * across partitions, naming the source file, row, field and problem.
 */
export async function writeBatchOutputs(scope: TenantScope, jobId: string): Promise<BatchOutputs> {
  const { job, partitions } = await completePartitions(scope, jobId);
  const totals = progressOf({ ...job, totals: undefined }, partitions);
  let rejectedReportKey: string | undefined;
  if (totals.rowsRejected > 0) {
    const lines = [['source', 'row', ...job.passthrough, 'field', 'problem'].map(csvCell).join(',')];
    for (const p of partitions) {
      if (!p.rejectedKey) continue;
      for await (const batch of readCsvBatches(await scope.objects.getBytes(p.rejectedKey), { header: true })) {
        for (const r of batch.records) lines.push([csvCell(p.source), ...r.cells.map(csvCell)].join(','));
      }
    }
    rejectedReportKey = batchOutputKeys.rejectedReport(job);
    await scope.objects.put(rejectedReportKey, `${lines.join('\n')}\n`, 'text/csv');
  }
  const manifestKey = batchOutputKeys.manifest(job);
  const manifest = {
    jobId,
    model: job.model,
    input: job.input,
    totals,
    parts: partitions.map((p) => ({
      index: p.index,
      source: p.source,
      output: p.outputKey,
      rejected: p.rejectedKey,
      rowsIn: p.rowsIn,
      rowsOut: p.rowsOut,
      rowsRejected: p.rowsRejected,
    })),
    ...(rejectedReportKey ? { rejectedReport: rejectedReportKey } : {}),
    writtenAt: scope.now().toISOString(),
  };
  await scope.objects.put(manifestKey, JSON.stringify(manifest, null, 2), 'application/json');
  return { manifestKey, ...(rejectedReportKey ? { rejectedReportKey } : {}), totals };
}

/** Ends the job: succeeded, with the final counts (audited). */
export async function summarizeBatchJob(scope: TenantScope, jobId: string): Promise<BatchJob> {
  const { job, partitions } = await completePartitions(scope, jobId);
  return markBatchJobSucceeded(scope, jobId, progressOf({ ...job, totals: undefined }, partitions));
}

export interface OutputStatistics {
  readonly column: string;
  readonly count: number;
  readonly mean: number;
  readonly std: number;
  readonly min: number;
  readonly max: number;
}

/**
 * Per numeric output column, the distribution of what the job predicted
 * (count, mean, standard deviation, range), merged from the partitions and
 * written to `statistics.json`: the baseline monitoring compares later
 * predictions with.
 */
export async function captureBatchStatistics(scope: TenantScope, jobId: string): Promise<{ statisticsKey: string; columns: OutputStatistics[] }> {
  const { job, partitions } = await completePartitions(scope, jobId);
  const merged = new Map<string, { count: number; sum: number; sumSquares: number; min: number; max: number }>();
  for (const p of partitions) {
    for (const [column, s] of Object.entries(p.statistics)) {
      const m = merged.get(column);
      if (!m) merged.set(column, { ...s });
      else {
        m.count += s.count;
        m.sum += s.sum;
        m.sumSquares += s.sumSquares;
        m.min = Math.min(m.min, s.min);
        m.max = Math.max(m.max, s.max);
      }
    }
  }
  const columns = [...merged].map(([column, s]) => {
    const mean = s.sum / s.count;
    const variance = s.count > 1 ? Math.max(0, (s.sumSquares - s.count * mean * mean) / (s.count - 1)) : 0;
    return { column, count: s.count, mean, std: Math.sqrt(variance), min: s.min, max: s.max };
  });
  const statisticsKey = batchOutputKeys.statistics(job);
  await scope.objects.put(
    statisticsKey,
    JSON.stringify({ jobId, model: job.model, columns, capturedAt: scope.now().toISOString() }, null, 2),
    'application/json',
  );
  return { statisticsKey, columns };
}
