import { z } from 'zod';
import { failBatchJob } from '../batch/batch-jobs';
import { loadBatchJob } from '../batch/batch-job-records';
import { failDatasetVersion } from '../catalog/datasets/dataset-version-profiling';
import { loadDatasetVersionRecord } from '../catalog/datasets/dataset-records';
import { CatalogIdSchema } from '../catalog/identifiers';
import { recordDeploymentFailure, type RestoreOutcome } from '../deployments/deploy-steps';
import { type Deployment, type EndpointRecord, loadDeployment, loadEndpoint } from '../deployments/deployment-records';
import { applyStoredDeployment } from '../deployments/endpoint-actions';
import { DependencyFailed, NotFound } from '../errors';
import type { Platform } from '../platform/platform';
import type { EndpointControl } from '../ports/endpoint-control';
import { scheduleSlotKey } from '../schedules/schedule-records';
import { normalizeSlot } from '../schedules/scheduled-batch-job';
import { pipelineScope, type TenantScope } from '../tenancy/tenant-scope';
import type { PipelineFailure } from './pipeline-failure';
import { failRunVersion } from './pipeline-versions';
import { searchModels } from '../catalog/model-catalog';
import { trainSegmentsInputSchema } from './segment-request';
import { runIdOf } from './step-context';

/**
 * Executions that end without their own failure path: the ASL's Catch →
 * Record*Failure never runs when the local process running the execution is
 * killed (`recoverInterrupted`) or shut down (`close()`), nor on AWS when an
 * execution ends TIMED_OUT or ABORTED (the recorder Lambda), nor anywhere
 * when it fails with States.Runtime (a path that points to nothing, an
 * intrinsic given the wrong type, the interpreter itself failing): no
 * Retry or Catch, States.ALL included, handles that error. Only the
 * execution record would be marked, and the run's subject would stay in
 * progress for ever (a `deploying` deployment blocks its endpoint with 409s).
 * Here the subject is failed as the pipeline's own failure path would have
 * failed it, through the same domain functions (same statuses, audit event
 * types, transactions), with a reason naming what happened.
 *
 * Idempotent: a subject is touched only while it is still in progress for
 * this very execution, so a redelivered or late event, or a second start-up,
 * changes nothing, and a subject a later run moved on is left alone.
 */
export type AbandonCause = 'interrupted' | 'timed out' | 'aborted' | 'runtime error';

export interface AbandonedRun {
  readonly tenantId: string;
  readonly pipeline: string;
  /** The platform's execution id (the execution name on AWS; an ARN is cut to its name). */
  readonly executionId: string;
  /** Who started the execution (`context.actor`). */
  readonly actor: string;
  /** The execution's input (its `context` is ignored). */
  readonly input: unknown;
  readonly cause: AbandonCause;
  /** What stopped it, for the reason (e.g. which process). */
  readonly detail?: string;
}

export interface SettleOutcome {
  /** True when this call moved the subject out of its in-progress state. */
  readonly settled: boolean;
  /** What the subject is (`deployment 01…`), when the pipeline has one. */
  readonly subject?: string;
  readonly note?: string;
}

/** What settling needs of the platform: a pipeline scope (tables, objects, clock, log) and, for deploy, the endpoint control plane. */
export type AbandonedRunPlatform = Pick<Platform, 'log' | 'now' | 'tenantTable' | 'platformTable' | 'tenantObjects' | 'inspector'> & {
  readonly serving: Pick<Platform['serving'], 'control'>;
};

type Settle = (
  scope: TenantScope,
  deps: { control: EndpointControl },
  run: AbandonedRun & { executionId: string },
  failure: PipelineFailure,
) => Promise<SettleOutcome>;

const ERROR_OF: Readonly<Record<AbandonCause, string>> = {
  interrupted: 'States.Interrupted',
  'timed out': 'States.Timeout',
  aborted: 'States.Aborted',
  'runtime error': 'States.Runtime',
};

/** The failure the run's failure path would have been handed: an error name and a cause a person can read. */
export function abandonFailure(run: Pick<AbandonedRun, 'executionId' | 'cause' | 'detail'>): PipelineFailure {
  const what = {
    'timed out': 'timed out (it ran longer than its TimeoutSeconds)',
    aborted: 'was aborted (stopped before it finished)',
    interrupted: 'was interrupted (the process running it stopped before it finished)',
    'runtime error': 'failed with an error no Catch handles (States.Runtime)',
  }[run.cause];
  return {
    error: ERROR_OF[run.cause],
    cause: `pipeline execution ${run.executionId} ${what}${run.detail ? `: ${run.detail}` : ''}; its failure path never ran`,
  };
}

/** Endpoint states in which SageMaker accepts no update or delete. */
const BUSY: ReadonlySet<string> = new Set(['Creating', 'Updating', 'SystemUpdating', 'RollingBack', 'Deleting']);

const DeployInput = z.object({ deploymentId: z.string().min(1).max(64), endpointName: z.string().min(1).max(64) });
const ProfileInput = z.object({ datasetId: CatalogIdSchema, version: z.number().int().positive() });
const TrainInput = z.object({ modelId: CatalogIdSchema });
const BatchInput = z.union([
  z.object({ jobId: CatalogIdSchema }),
  z.object({ scheduled: z.object({ scheduleId: CatalogIdSchema, slot: z.string().min(1).max(64) }) }),
]);

/**
 * deploy: the deployment is `deploying` only during its own execution (one
 * execution per deployment, named after it). As the machine's rollback branch
 * would, the endpoint goes back to what is live (or an endpoint this
 * deployment created is removed), then RecordDeploymentFailure's domain
 * function fails the deployment and frees the endpoint, with its audit event.
 */
const settleDeploy: Settle = async (scope, deps, run, failure) => {
  const input = DeployInput.safeParse(run.input);
  if (!input.success) return { settled: false, note: 'the input names no deployment' };
  const { deploymentId, endpointName } = input.data;
  const subject = `deployment ${deploymentId}`;
  const d = await loadDeployment(scope.table, endpointName, deploymentId).catch(notFoundAsUndefined);
  if (!d) return { settled: false, subject, note: 'no such deployment' };
  if (d.status !== 'deploying') return { settled: false, subject, note: `already ${d.status}` };
  const endpoint = await loadEndpoint(scope.table, endpointName);
  // An endpoint whose pending deployment is another one has moved on: its control plane is not this run's to touch.
  const restored: RestoreOutcome =
    endpoint?.pendingDeploymentId === deploymentId ? await restoreEndpoint(scope, deps.control, endpoint, d) : { outcome: 'nothing to restore' };
  await recordDeploymentFailure(scope, { deploymentId, endpointName }, { Error: failure.error, Cause: failure.cause }, restored);
  return { settled: true, subject };
};

/** The rollback branch of deploy.asl.json without its plan: the live deployment's stored config again, else remove what this deployment created. */
async function restoreEndpoint(scope: TenantScope, control: EndpointControl, endpoint: EndpointRecord, d: Deployment): Promise<RestoreOutcome> {
  const described = await control.describeEndpoint(d.servedName);
  // SageMaker refuses to update (or delete) an endpoint mid-update; a cut-off execution does not stop one. Thrown, so the
  // settling is tried again (EventBridge redelivers to the recorder; the local runner at its next start) once it has finished.
  if (described && BUSY.has(described.status))
    throw new DependencyFailed(`endpoint ${d.servedName} is ${described.status}; it is put back once that has finished`);
  try {
    if (endpoint.liveDeploymentId) {
      const live = await loadDeployment(scope.table, endpoint.endpointName, endpoint.liveDeploymentId);
      // As AlreadyRestored: an endpoint already serving the live config (SageMaker rolled a failed update back) is left alone.
      if (described?.status === 'InService' && described.configName === live.config.configName) return { outcome: 'restored' };
      await applyStoredDeployment({ control }, live);
      return { outcome: 'restored' };
    }
    // Nothing was live: whatever endpoint exists under this name was created by this deployment.
    return (await control.deleteEndpoint(d.servedName)) ? { outcome: 'removed' } : { outcome: 'nothing to restore' };
  } catch (error) {
    // Recorded in the deployment's audit event as the rollback branch records it; the endpoint is freed either way.
    return { Error: error instanceof Error ? error.name : 'Error', Cause: error instanceof Error ? error.message : String(error) };
  }
}

/** profile-dataset: the version is `pending` only until its (single) profiling run settles it; RecordProfilingFailure's domain function. */
const settleProfile: Settle = async (scope, _deps, run, failure) => {
  const input = ProfileInput.safeParse(run.input);
  if (!input.success) return { settled: false, note: 'the input names no dataset version' };
  const { datasetId, version } = input.data;
  const subject = `dataset ${datasetId} version ${version}`;
  const record = await loadDatasetVersionRecord(scope.table, datasetId, version, { consistent: true }).catch(notFoundAsUndefined);
  if (!record) return { settled: false, subject, note: 'no such dataset version' };
  if (record.status !== 'pending') return { settled: false, subject, note: `already ${record.status}` };
  await failDatasetVersion(scope, datasetId, version, `${failure.error}: ${failure.cause}`);
  return { settled: true, subject };
};

/** train-evaluate: the version this run registered (its lineage names the run), failed while `training` or `evaluating`; RecordFailure's domain function. */
const settleTraining: Settle = async (scope, _deps, run, failure) => {
  const input = TrainInput.safeParse(run.input);
  if (!input.success) return { settled: false, note: 'the input names no model' };
  const outcome = await failRunVersion(scope, { failure, modelId: input.data.modelId, executionId: runIdOf(run.executionId), log: scope.log });
  const subject = outcome.version ? `model ${outcome.version.modelId} version ${outcome.version.version}` : `model ${input.data.modelId}`;
  return {
    settled: outcome.versionMarkedFailed,
    subject,
    ...(outcome.note ? { note: outcome.note } : outcome.version ? {} : { note: 'the run registered no version' }),
  };
};

/** batch-score: the job (named in the input, or opened for the scheduled slot), failed while queued or running for this execution; RecordFailure's domain function. */
const settleBatch: Settle = async (scope, _deps, run, failure) => {
  const input = BatchInput.safeParse(run.input);
  if (!input.success) return { settled: false, note: 'the input names no batch job' };
  let jobId: string | undefined;
  if ('jobId' in input.data) jobId = input.data.jobId;
  else {
    const { scheduleId, slot } = input.data.scheduled;
    const claim = await scope.table.get<{ jobId?: string }>(scheduleSlotKey(scheduleId, normalizeSlot(slot)), { consistent: true });
    jobId = claim?.jobId;
  }
  if (!jobId) return { settled: false, note: 'no job was opened' };
  const subject = `batch job ${jobId}`;
  const job = await loadBatchJob(scope.table, jobId).catch(notFoundAsUndefined);
  if (!job) return { settled: false, subject, note: 'no such job' };
  if (job.status !== 'queued' && job.status !== 'running') return { settled: false, subject, note: `already ${job.status}` };
  if (job.executionId !== undefined && job.executionId !== runIdOf(run.executionId))
    return { settled: false, subject, note: `run by execution ${job.executionId}` };
  await failBatchJob(scope, jobId, `${failure.error}: ${failure.cause}`);
  return { settled: true, subject };
};

/**
 * train-segments: each TrainSegment fails its own version when the segment
 * fails (its failure path is inside the step); a run cut off mid-segment
 * leaves that segment's version `training` or `evaluating`. Those of this
 * run (lineage) among the family's models `<family>.<value>` are failed as
 * the step would have; finished segments keep their versions.
 */
const settleSegments: Settle = async (scope, _deps, run, failure) => {
  const input = trainSegmentsInputSchema.safeParse(run.input);
  if (!input.success) return { settled: false, note: 'the input names no segment family' };
  const { projectId, family } = input.data;
  const failed: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await searchModels(scope, { projectId, namePrefix: `${family}.`, order: 'asc' }, { limit: 100, ...(cursor ? { cursor } : {}) });
    for (const model of page.items) {
      const outcome = await failRunVersion(scope, { failure, modelId: model.modelId, executionId: runIdOf(run.executionId), log: scope.log });
      if (outcome.versionMarkedFailed && outcome.version) failed.push(`${model.name} v${outcome.version.version}`);
    }
    cursor = page.cursor;
  } while (cursor);
  return {
    settled: failed.length > 0,
    subject: `segment family ${family}`,
    ...(failed.length > 0 ? { note: `failed ${failed.join(', ')}` } : { note: 'no segment version was in progress' }),
  };
};

/**
 * Every pipeline in state-machines/*.asl.json, with how its abandoned run is
 * settled; `null` where its failure path moves no subject (so neither does
 * this): `evaluate` (its failure path leaves the version as it was; a new
 * evaluation picks up a version left `evaluating`).
 * test/unit/pipelines/abandoned-runs.test.ts checks this covers every definition.
 */
export const ABANDONED_RUN_SETTLERS: Readonly<Record<string, Settle | null>> = {
  deploy: settleDeploy,
  'profile-dataset': settleProfile,
  'train-evaluate': settleTraining,
  'batch-score': settleBatch,
  'train-segments': settleSegments,
  evaluate: null,
};

/**
 * Fails the subject of an execution that ended without its failure path.
 * Throws when the store or the control plane cannot be reached, so callers
 * can try again later (the local runner keeps its running entry; EventBridge
 * redelivers to the recorder).
 */
export async function settleAbandonedRun(platform: AbandonedRunPlatform, run: AbandonedRun): Promise<SettleOutcome> {
  const settle = Object.hasOwn(ABANDONED_RUN_SETTLERS, run.pipeline) ? ABANDONED_RUN_SETTLERS[run.pipeline] : undefined;
  if (!settle) return { settled: false, note: settle === null ? 'the pipeline has no subject in progress' : `unknown pipeline ${run.pipeline}` };
  const executionId = runIdOf(run.executionId);
  // A tenant that no longer exists has nothing left to settle; a suspended one throws (Forbidden) and is tried again later.
  const scope = await pipelineScope(platform, { tenantId: run.tenantId, actor: run.actor, executionId }).catch(notFoundAsUndefined);
  if (!scope) return { settled: false, note: `tenant ${run.tenantId} does not exist` };
  const outcome = await settle(scope, { control: platform.serving.control }, { ...run, executionId }, abandonFailure({ ...run, executionId }));
  if (outcome.settled)
    platform.log.warn('subject of an abandoned pipeline run failed', {
      tenantId: run.tenantId,
      pipeline: run.pipeline,
      executionId,
      cause: run.cause,
      subject: outcome.subject,
    });
  return outcome;
}

/** Which abandonment a stopped execution record shows, if any: what start-up recovery retries when settling failed before. */
export function abandonCauseOf(record: { status: string; error?: string }): AbandonCause | undefined {
  if (record.status === 'ABORTED') return 'aborted';
  if (record.status === 'FAILED' && record.error === 'States.Interrupted') return 'interrupted';
  if (record.status === 'FAILED' && record.error === 'States.Timeout') return 'timed out';
  if (record.status === 'FAILED' && record.error === 'States.Runtime') return 'runtime error';
  return undefined;
}

function notFoundAsUndefined(error: unknown): undefined {
  if (error instanceof NotFound) return undefined;
  throw error;
}
