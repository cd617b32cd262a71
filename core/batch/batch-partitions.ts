import { loadDatasetVersion } from '../catalog/datasets/dataset-records';
import { ValidationFailed } from '../errors';
import type { TenantScope } from '../tenancy/tenant-scope';
import type { BatchJob } from './batch-job-records';

/** Partitions one job may fan out over: the Map's items travel in the state's input (256 KiB on Step Functions). */
export const MAX_PARTITIONS = 1000;

/** One unit of the fan-out: a stored CSV object. */
export interface BatchPartition {
  readonly index: number;
  /** Tenant-relative key of the CSV object. */
  readonly source: string;
}

/**
 * The job's partitions: the dataset version's file, or every non-empty `.csv`
 * object under the prefix (in key order, so indexes are stable across a
 * retried planning step). An empty prefix is refused rather than "succeeding"
 * with nothing scored.
 */
export async function planPartitions(scope: TenantScope, job: BatchJob): Promise<BatchPartition[]> {
  if (job.input.kind === 'dataset') {
    const version = await loadDatasetVersion(scope.table, job.input.datasetId, job.input.version);
    return [{ index: 0, source: version.key }];
  }
  const objects = await scope.objects.list(job.input.prefix, MAX_PARTITIONS + 1);
  const csv = objects.filter((o) => o.size > 0 && o.key.toLowerCase().endsWith('.csv')).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  if (csv.length === 0) throw new ValidationFailed(`no CSV objects under '${job.input.prefix}'`, [{ field: 'input.prefix', problem: 'holds no .csv objects' }]);
  if (objects.length > MAX_PARTITIONS) {
    throw new ValidationFailed(`more than ${MAX_PARTITIONS} objects under '${job.input.prefix}'`, [
      { field: 'input.prefix', problem: `over ${MAX_PARTITIONS} partitions` },
    ]);
  }
  return csv.map((o, index) => ({ index, source: o.key }));
}

export function partitionName(index: number): string {
  return `part-${String(index).padStart(5, '0')}.csv`;
}

/** Where a job's files go, all under its output folder. */
export const batchOutputKeys = {
  output: (job: Pick<BatchJob, 'outputPrefix'>, index: number) => `${job.outputPrefix}outputs/${partitionName(index)}`,
  rejected: (job: Pick<BatchJob, 'outputPrefix'>, index: number) => `${job.outputPrefix}rejected/${partitionName(index)}`,
  manifest: (job: Pick<BatchJob, 'outputPrefix'>) => `${job.outputPrefix}manifest.json`,
  rejectedReport: (job: Pick<BatchJob, 'outputPrefix'>) => `${job.outputPrefix}rejected.csv`,
  statistics: (job: Pick<BatchJob, 'outputPrefix'>) => `${job.outputPrefix}statistics.json`,
};
