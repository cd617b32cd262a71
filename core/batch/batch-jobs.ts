import { z } from 'zod';
import type { Page, ScopedWrite } from '../ports/metadata-store';
import type { PipelineRunner } from '../ports/pipeline-runner';
import { auditWrite } from '../audit/audit-event';
import { loadDatasetVersion } from '../catalog/datasets/dataset-records';
import { CatalogIdSchema, newCatalogId } from '../catalog/identifiers';
import { loadVersion } from '../catalog/versions';
import { SERVING_RUNTIME_BY_FORMAT } from '../deployments/request-deployment';
import { Conflict, NotFound, ValidationFailed } from '../errors';
import type { TenantScope } from '../tenancy/tenant-scope';
import { type BatchJob, BatchJobSchema, type BatchProgress, batchJobWrite, loadBatchJob, loadPartitionResults, progressOf } from './batch-job-records';

/** The pipeline every batch job runs (state-machines/batch-score.asl.json). */
export const BATCH_SCORE_PIPELINE = 'batch-score';

/** Version statuses a job may score: approved, and approved-and-deployed. */
const SCORABLE_STATUSES = new Set(['approved', 'deployed']);
/** Artifact formats the batch step can load: every one a Steward serving runtime runs (not a SageMaker container reference). */
export const BATCH_ARTIFACT_FORMATS: ReadonlySet<string> = new Set(Object.keys(SERVING_RUNTIME_BY_FORMAT));

/** A tenant-relative folder: no leading slash, no `.`, `..` or empty segments, ends with `/`. */
const FolderSchema = z
  .string()
  .trim()
  .min(2)
  .max(512)
  .regex(
    /^(?!.*\/\/)(?!(?:.*\/)?\.\.?\/)[A-Za-z0-9][A-Za-z0-9._\-/=]*\/$/,
    'a relative folder (letters, digits, . _ - = and /) ending with /, without . or .. segments',
  );

export const BatchJobRequest = z.object({
  model: z.object({ modelId: CatalogIdSchema, version: z.number().int().min(1).max(99_999_999) }),
  input: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('dataset'), datasetId: CatalogIdSchema, version: z.number().int().min(1).max(99_999_999) }),
    z.object({ kind: z.literal('prefix'), prefix: FolderSchema }),
  ]),
  /** Outputs go to `<outputPrefix><jobId>/`, so two jobs never write over each other. @default 'batch-jobs/' */
  outputPrefix: FolderSchema.default('batch-jobs/'),
  passthrough: z.array(z.string().min(1).max(128)).max(20).default([]),
});
export type BatchJobRequest = z.infer<typeof BatchJobRequest>;

export const BatchJobListInput = z.object({
  modelId: CatalogIdSchema.optional(),
  version: z.coerce.number().int().min(1).optional(),
});

/**
 * Checks what a job refers to, so a bad reference is a 400 naming the field
 * before anything is written: the version exists, is approved (or deployed)
 * and holds an artifact the batch step can load; the dataset version exists
 * and is CSV; input and output folders do not overlap (a rerun would read
 * its own outputs). `field` prefixes the named fields (`body`, `body.job`).
 */
export async function prepareBatchJob(scope: TenantScope, request: BatchJobRequest, field = 'body'): Promise<BatchJob> {
  const { model, input } = request;
  let version;
  try {
    version = await loadVersion(scope.table, model.modelId, model.version);
  } catch (error) {
    if (error instanceof NotFound) {
      throw new ValidationFailed(
        `model ${model.modelId} has no version ${model.version}`,
        [{ field: `${field}.model.version`, problem: 'no such version of this model' }],
        { cause: error },
      );
    }
    throw error;
  }
  if (!SCORABLE_STATUSES.has(version.status)) {
    throw new ValidationFailed(`version ${model.version} of model ${model.modelId} is ${version.status}; only approved versions are batch-scored`, [
      { field: `${field}.model.version`, problem: `status is '${version.status}', not approved` },
    ]);
  }
  if (!BATCH_ARTIFACT_FORMATS.has(version.artifact.format) || version.artifact.state !== 'verified') {
    throw new ValidationFailed(
      `version ${model.version} holds a ${version.artifact.state} ${version.artifact.format} artifact, which batch scoring cannot load`,
      [{ field: `${field}.model.version`, problem: `artifact '${version.artifact.format}' is not batch-scorable` }],
    );
  }
  if (input.kind === 'dataset') {
    let dataset;
    try {
      dataset = await loadDatasetVersion(scope.table, input.datasetId, input.version);
    } catch (error) {
      if (error instanceof NotFound) {
        throw new ValidationFailed(
          `dataset ${input.datasetId} has no version ${input.version}`,
          [{ field: `${field}.input.version`, problem: 'no such dataset version' }],
          { cause: error },
        );
      }
      throw error;
    }
    if (dataset.format !== 'csv') {
      throw new ValidationFailed(`dataset version holds ${dataset.format}; batch scoring reads CSV`, [
        { field: `${field}.input.datasetId`, problem: `format '${dataset.format}' is not CSV` },
      ]);
    }
  } else if (input.prefix.startsWith(request.outputPrefix) || request.outputPrefix.startsWith(input.prefix)) {
    throw new ValidationFailed('the input and output folders overlap', [
      { field: `${field}.outputPrefix`, problem: `overlaps input prefix '${input.prefix}'` },
    ]);
  }
  const now = scope.now();
  const jobId = newCatalogId(now);
  return BatchJobSchema.parse({
    jobId,
    status: 'queued',
    model,
    input,
    outputPrefix: `${request.outputPrefix}${jobId}/`,
    passthrough: request.passthrough,
    createdAt: now.toISOString(),
    createdBy: scope.meta.actor,
    updatedAt: now.toISOString(),
    revision: 1,
  });
}

/** The job's creation: the record, its audit event, and (for scheduled jobs) the slot claim, in one transaction. */
export function jobCreationWrites(scope: TenantScope, job: BatchJob, extra: readonly ScopedWrite[] = []): ScopedWrite[] {
  return [
    ...extra,
    batchJobWrite(job, 'new'),
    auditWrite(scope.meta, 'batch-job.created', { type: 'batch-job', id: job.jobId }, { after: job }, scope.now()).write,
  ];
}

/**
 * Starts the job's batch-score execution, named after the job so a repeated
 * start (a retried request, a restarted scheduler) starts it at most once.
 */
export async function startBatchJob(runner: PipelineRunner, scope: TenantScope, job: BatchJob): Promise<BatchJob> {
  try {
    const started = await runner.start({
      tenantId: scope.tenantId,
      actor: job.createdBy,
      pipeline: BATCH_SCORE_PIPELINE,
      input: { jobId: job.jobId },
      name: `batch-${job.jobId}`,
    });
    return { ...job, executionId: started.executionId.slice(started.executionId.lastIndexOf(':') + 1) };
  } catch (error) {
    if (error instanceof Conflict) return job;
    await failBatchJob(scope, job.jobId, `could not start ${BATCH_SCORE_PIPELINE}: ${(error as Error).message}`);
    throw error;
  }
}

/** Validates, records (with its audit event) and starts a job. */
export async function submitBatchJob(scope: TenantScope, runner: PipelineRunner, request: BatchJobRequest): Promise<BatchJob> {
  const job = await prepareBatchJob(scope, request);
  await scope.table.transact(jobCreationWrites(scope, job));
  return startBatchJob(runner, scope, job);
}

export type BatchJobView = BatchJob & { readonly progress: BatchProgress; readonly lineage: BatchJobLineage };

export interface BatchJobLineage {
  readonly nodes: { id: string; kind: 'dataset' | 'objects' | 'version' | 'batch-job' | 'schedule' }[];
  readonly edges: { from: string; to: string; relation: 'scored-by' | 'scored' | 'wrote' | 'started' }[];
}

/** Job → version → outputs, as lineage graph nodes (the same id scheme as core/catalog/lineage.ts). */
export function batchJobLineage(job: BatchJob): BatchJobLineage {
  const jobNode = `batch-job:${job.jobId}`;
  const version = `version:${job.model.modelId}/${job.model.version}`;
  const source = job.input.kind === 'dataset' ? `dataset:${job.input.datasetId}/${job.input.version}` : `objects:${job.input.prefix}`;
  const outputs = `objects:${job.outputPrefix}`;
  return {
    nodes: [
      { id: source, kind: job.input.kind === 'dataset' ? 'dataset' : 'objects' },
      { id: version, kind: 'version' },
      { id: jobNode, kind: 'batch-job' },
      { id: outputs, kind: 'objects' },
      ...(job.schedule ? [{ id: `schedule:${job.schedule.scheduleId}`, kind: 'schedule' as const }] : []),
    ],
    edges: [
      { from: source, to: jobNode, relation: 'scored-by' },
      { from: version, to: jobNode, relation: 'scored' },
      { from: jobNode, to: outputs, relation: 'wrote' },
      ...(job.schedule ? [{ from: `schedule:${job.schedule.scheduleId}`, to: jobNode, relation: 'started' as const }] : []),
    ],
  };
}

export async function getBatchJob(scope: TenantScope, jobId: string): Promise<BatchJobView> {
  const job = await loadBatchJob(scope.table, jobId);
  const partitions = job.totals ? [] : await loadPartitionResults(scope.table, jobId);
  return { ...job, progress: progressOf(job, partitions), lineage: batchJobLineage(job) };
}

/** Jobs newest first, all or those scoring one model version. Progress is the last recorded (running jobs: open one for live counts). */
export async function listBatchJobs(
  scope: TenantScope,
  filter: z.infer<typeof BatchJobListInput>,
  page: { limit: number; cursor?: string },
): Promise<Page<BatchJob>> {
  if (filter.version !== undefined && !filter.modelId) {
    throw new ValidationFailed('filtering by version needs modelId', [{ field: 'query.modelId', problem: 'required with version' }]);
  }
  const result =
    filter.modelId && filter.version !== undefined
      ? await scope.table.query({
          index: 'gsi2',
          partition: ['BATCHJOBS', 'version', filter.modelId, filter.version],
          descending: true,
          limit: page.limit,
          cursor: page.cursor,
        })
      : await scope.table.query({ index: 'gsi1', partition: ['BATCHJOBS', 'all'], descending: true, limit: page.limit, cursor: page.cursor });
  const jobs = result.items.map((item) => BatchJobSchema.parse(item));
  return { items: filter.modelId ? jobs.filter((j) => j.model.modelId === filter.modelId) : jobs, cursor: result.cursor };
}

async function moveJob(scope: TenantScope, jobId: string, action: string, change: (job: BatchJob) => BatchJob | undefined): Promise<BatchJob> {
  const before = await loadBatchJob(scope.table, jobId);
  const changed = change(before);
  if (!changed) return before;
  const after: BatchJob = { ...changed, updatedAt: scope.now().toISOString(), revision: before.revision + 1 };
  await scope.table.transact([
    batchJobWrite(after, { revision: before.revision }),
    auditWrite(scope.meta, action, { type: 'batch-job', id: jobId }, { before, after }, scope.now()).write,
  ]);
  return after;
}

/** queued → running, with the partition count; a retried first step finds it running and leaves it. */
export function markBatchJobRunning(scope: TenantScope, jobId: string, run: { executionId: string; partitionsTotal: number }): Promise<BatchJob> {
  return moveJob(scope, jobId, 'batch-job.started', (job) => {
    if (job.status === 'running' && job.executionId === run.executionId) return undefined;
    if (job.status !== 'queued') throw new Conflict(`batch job ${jobId} is ${job.status}; it cannot start again`);
    return { ...job, status: 'running', executionId: run.executionId, partitionsTotal: run.partitionsTotal, startedAt: scope.now().toISOString() };
  });
}

export function markBatchJobSucceeded(scope: TenantScope, jobId: string, totals: BatchProgress): Promise<BatchJob> {
  return moveJob(scope, jobId, 'batch-job.succeeded', (job) => {
    if (job.status === 'succeeded') return undefined;
    return { ...job, status: 'succeeded', totals, finishedAt: scope.now().toISOString() };
  });
}

export function failBatchJob(scope: TenantScope, jobId: string, error: string): Promise<BatchJob> {
  return moveJob(scope, jobId, 'batch-job.failed', (job) => {
    if (job.status === 'failed' || job.status === 'succeeded') return undefined;
    return { ...job, status: 'failed', error: error.slice(0, 2000), finishedAt: scope.now().toISOString() };
  });
}
