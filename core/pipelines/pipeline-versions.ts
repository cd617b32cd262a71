import { createHash } from 'node:crypto';
import { z } from 'zod';
import { recordPolicyDecision } from '../catalog/approval-decision';
import { type Evaluation, listEvaluations, recordEvaluation, RecordEvaluationInput } from '../catalog/evaluations';
import { CatalogIdSchema } from '../catalog/identifiers';
import { finalizeProducedArtifact } from '../catalog/produced-artifacts';
import { finalizeArtifact } from '../catalog/version-artifacts';
import { changeStatus, getVersion, listModelVersions, RegisterVersionInput, registerVersion } from '../catalog/version-catalog';
import type { VersionStatus } from '../catalog/version-status';
import type { ModelVersion } from '../catalog/versions';
import { ValidationFailed } from '../errors';
import type { Log } from '../ports/log';
import type { TenantScope } from '../tenancy/tenant-scope';
import type { ApprovalDecision } from './approval-policy';
import { type EvaluationResult, evaluateArtifact } from './evaluate-model';
import { fmt } from './champion-comparison';
import type { PipelineFailure } from './pipeline-failure';
import type { TrainingResult } from './train-model';
import type { TrainingPlan } from './training-request';

/**
 * The pipeline's side of the model catalog: every version `train-evaluate`
 * makes is a catalog version, registered, verified, evaluated and decided on
 * through the catalog's own use cases, acting as the pipeline principal
 * (`pipeline:<executionId>`), so the audit trail, quotas and the status
 * machine apply to it exactly as to a version a person registers.
 *
 * Every function here is safe to run again after a partial failure (Step
 * Functions retries a step that died half-way): the version a run made is
 * found again by its lineage's `executionId`, and each move is made only
 * if it has not been made yet.
 */

/** Who decides when the policy decides: the approval record and its audit event name it, not the pipeline. */
export const POLICY_ACTOR = 'system:approval-policy';

export const versionRefSchema = z.object({
  modelId: CatalogIdSchema,
  version: z.number().int().min(1),
  status: z.string().optional(),
  artifactSha256: z.string().optional(),
});
export type VersionRef = z.infer<typeof versionRefSchema>;

const STATUS_ACTION = 'version.status-changed';
const MAX_REASON = 1000;
/** How far back a retried step looks for the version its run registered (newest first). */
const RUN_VERSION_LOOKBACK = 25;

function refOf(version: ModelVersion): VersionRef {
  return { modelId: version.modelId, version: version.version, status: version.status, artifactSha256: version.artifact.sha256 };
}

function reasonText(text: string): string {
  return text.length > MAX_REASON ? `${text.slice(0, MAX_REASON - 1)}…` : text;
}

function parsed<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new ValidationFailed(
      `the pipeline built an invalid ${what}`,
      result.error.issues.map((i) => ({ field: i.path.join('.') || what, problem: i.message })),
    );
  }
  return result.data;
}

/**
 * A container-trained version's lineage: the hyper-parameters the trainer was
 * given (as SageMaker passed them) and, under `trainer.`, what ran and what it
 * cost, next to the data's hash (the lineage schema has no fields of its own for these).
 */
function containerLineage(training: TrainingResult): Record<string, string | number> {
  if (!training.container) return {};
  return {
    ...training.container.hyperparameters,
    'trainer.template': training.container.template,
    'trainer.image': training.container.image,
    'trainer.jobName': training.container.jobName,
    'trainer.datasetSha256': training.dataset.sha256,
    'trainer.durationMs': training.durationMs,
    ...(training.container.resourceUsage ? { 'trainer.resourceUsage': training.container.resourceUsage } : {}),
    ...(training.cpuMs !== undefined ? { 'trainer.cpuMs': training.cpuMs } : {}),
    ...(training.peakMemoryBytes !== undefined ? { 'trainer.peakMemoryBytes': training.peakMemoryBytes } : {}),
  };
}

/** The version this execution registered on the model, if any (found by the lineage's executionId). */
export async function findRunVersion(scope: TenantScope, modelId: string, executionId: string): Promise<ModelVersion | undefined> {
  const page = await listModelVersions(scope, modelId, { limit: RUN_VERSION_LOOKBACK, order: 'desc' });
  return page.items.find((v) => v.source === 'trained' && v.lineage.executionId === executionId);
}

/**
 * RegisterVersion: the trained ONNX model becomes the model's next catalog
 * version — `registerVersion` (source `trained`, status `training`, lineage:
 * dataset version, hyper-parameters, execution, code revision), the bytes
 * written to the version's artifact key and verified by `finalizeArtifact`
 * (size, hash, loads, matches the schema, runs), then `training → trained`.
 */
export async function registerTrainedVersion(
  scope: TenantScope,
  run: {
    plan: TrainingPlan;
    training: TrainingResult;
    executionId: string;
    startedBy: string;
    /**
     * true: the built-in trainer exported these bytes in this very process (a step that trains and
     * registers at once, like TrainSegment), so they are filed by `finalizeProducedArtifact` rather than
     * staged and inspected like an upload. Never for a container's model: that is tenant code's output.
     */
    producedHere?: true;
  },
): Promise<ModelVersion> {
  const { plan, training, executionId } = run;
  let version = await findRunVersion(scope, plan.modelId, executionId);
  let bytes: Uint8Array | undefined;
  const artifactBytes = async () => {
    bytes ??= await scope.objects.getBytes(training.artifact.key);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    if (sha256 !== training.artifact.sha256) {
      throw new ValidationFailed(`the trained artifact '${training.artifact.key}' changed after training`, [
        { field: 'training.artifact', problem: `hashes to ${sha256}, trained ${training.artifact.sha256}` },
      ]);
    }
    return bytes;
  };
  if (!version) {
    await artifactBytes();
    const input = parsed(
      RegisterVersionInput,
      {
        source: 'trained',
        description:
          plan.description ??
          `${plan.algorithm} of '${plan.target}' on ${plan.features.length} features, trained by pipeline train-evaluate (execution ${executionId}, started by ${run.startedBy})`,
        artifact: { format: 'onnx', sha256: training.artifact.sha256, size: training.artifact.size },
        lineage: {
          datasets:
            plan.dataset.datasetId !== undefined && plan.dataset.version !== undefined
              ? [{ datasetId: plan.dataset.datasetId, version: plan.dataset.version, role: 'training' }]
              : [],
          hyperparameters: { ...plan.hyperparameters, ...containerLineage(training) },
          executionId,
          ...(plan.codeRevision ? { codeRevision: plan.codeRevision } : {}),
        },
      },
      'version registration',
    );
    version = await registerVersion(scope, plan.modelId, input);
  }
  if (version.artifact.state === 'awaiting-upload' && run.producedHere && !training.container) {
    version = await finalizeProducedArtifact(scope, plan.modelId, version.version, { key: training.artifact.key, bytes: await artifactBytes() });
  }
  if (version.artifact.state === 'awaiting-upload') {
    await scope.objects.put(version.artifact.key, await artifactBytes(), 'application/octet-stream');
    version = await finalizeArtifact(scope, plan.modelId, version.version);
  }
  if (version.status === 'training') {
    version = await changeStatus(scope, plan.modelId, version.version, 'trained', {
      action: STATUS_ACTION,
      reason: reasonText(
        `${plan.algorithm} ${training.converged ? 'converged' : 'stopped'} after ${training.iterations} iteration(s) on ${training.trainRows} rows (${plan.task === 'binary' ? 'log loss' : 'RMSE'} ${fmt(training.trainingLoss)})`,
      ),
    });
  }
  return version;
}

/**
 * EvaluateModel: `trained → evaluating`, hold-out metrics of the version's
 * own artifact, one `recordEvaluation` with the metrics and the dataset (the
 * full report's key in its notes), then `evaluating → evaluated`.
 */
export async function evaluateTrainedVersion(
  scope: TenantScope,
  run: {
    plan: TrainingPlan;
    training: TrainingResult;
    ref: VersionRef;
    executionId: string;
    signal?: AbortSignal;
    /** false: no permutation importance (segment families on a per-model budget). */ importance?: false;
  },
): Promise<EvaluationResult> {
  const { plan, training, ref, executionId } = run;
  let version = await getVersion(scope, ref.modelId, ref.version);
  const recorded = async (): Promise<Evaluation | undefined> =>
    (await listEvaluations(scope, ref.modelId, ref.version)).find((e) => e.executionId === executionId);
  if (version.status === 'trained') {
    version = await changeStatus(scope, ref.modelId, ref.version, 'evaluating', {
      action: STATUS_ACTION,
      reason: `hold-out evaluation by execution ${executionId}`,
    });
  }
  if (version.status !== 'evaluating' && version.status !== 'evaluated') {
    throw new ValidationFailed(`version ${ref.version} is ${version.status}; it cannot be evaluated now`, [
      { field: 'version', problem: `status ${version.status}` },
    ]);
  }
  const bytes = await scope.objects.getBytes(version.artifact.key);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (sha256 !== version.artifact.sha256) {
    throw new ValidationFailed(`version ${ref.version}'s artifact does not match its recorded hash`, [
      { field: 'artifact', problem: `hashes to ${sha256}, recorded ${version.artifact.sha256}` },
    ]);
  }
  const { details, ...result } = await evaluateArtifact(
    scope.objects,
    plan,
    { runId: training.runId, version: ref.version, artifact: bytes, artifactSha256: sha256 },
    { now: () => scope.now(), signal: run.signal, ...(run.importance === false ? { importance: false as const } : {}) },
  );
  let evaluation = await recorded();
  if (!evaluation) {
    if (version.status !== 'evaluating')
      throw new ValidationFailed(`version ${ref.version} is ${version.status} without this run's evaluation`, [
        { field: 'version', problem: 'already evaluated by another run' },
      ]);
    const metrics = Object.fromEntries(Object.entries(result.metrics).filter((e): e is [string, number] => typeof e[1] === 'number' && Number.isFinite(e[1])));
    const confusion = result.confusion
      ? `; confusion matrix TP ${result.confusion.truePositive}, FP ${result.confusion.falsePositive}, TN ${result.confusion.trueNegative}, FN ${result.confusion.falseNegative}`
      : '';
    evaluation = await recordEvaluation(
      scope,
      ref.modelId,
      ref.version,
      parsed(
        RecordEvaluationInput,
        {
          metrics,
          ...(plan.dataset.datasetId !== undefined && plan.dataset.version !== undefined
            ? { dataset: { datasetId: plan.dataset.datasetId, version: plan.dataset.version } }
            : {}),
          executionId,
          notes: reasonText(
            `hold-out of ${result.holdoutRows} rows (fraction ${plan.evaluation.holdoutFraction}, seed ${plan.evaluation.seed}) of dataset ${plan.dataset.key} (sha256 ${plan.dataset.sha256})${confusion}; full report (every curve point): ${result.reportKey}`,
          ),
        },
        'evaluation',
      ),
      { source: 'platform', details },
    );
  }
  if (version.status === 'evaluating') {
    const headline = result.metrics[plan.policy.metric];
    await changeStatus(scope, ref.modelId, ref.version, 'evaluated', {
      action: STATUS_ACTION,
      reason: `${plan.policy.metric} ${typeof headline === 'number' ? fmt(headline) : 'n/a'} on ${result.holdoutRows} hold-out rows (evaluation ${evaluation.evaluationId})`,
    });
  }
  return { ...result, evaluationId: evaluation.evaluationId };
}

/**
 * The scope the approval policy decides in: the pipeline's, with the actor
 * `system:approval-policy`. The approval record and its audit event name the
 * policy (its requestId is the execution), and segregation of duties holds:
 * the decider is neither the version's registrant (`pipeline:<id>`) nor the
 * model's owner.
 */
export function approvalPolicyScope(scope: TenantScope): TenantScope {
  return { ...scope, meta: { ...scope.meta, actor: POLICY_ACTOR } };
}

/**
 * AutoApprove / RequestApproval / RejectCandidate: `evaluated →
 * pending-approval` with the policy's reasons; then, when the policy decided
 * on its own, the decision through the catalog's approval use case
 * (approve or reject) by `system:approval-policy`. A version left
 * pending-approval waits for a person (POST …/decision).
 */
export async function applyApprovalOutcome(scope: TenantScope, ref: VersionRef, decision: ApprovalDecision): Promise<ModelVersion> {
  let version = await getVersion(scope, ref.modelId, ref.version);
  const reasons = reasonText(decision.reasons.join('; ') || decision.outcome);
  if (version.status === 'evaluated') {
    version = await changeStatus(scope, ref.modelId, ref.version, 'pending-approval', {
      action: STATUS_ACTION,
      reason: reasonText(
        `approval policy: ${decision.outcome === 'PENDING_APPROVAL' ? 'a person must decide' : decision.outcome === 'AUTO_APPROVED' ? 'approves' : 'rejects'}: ${reasons}`,
      ),
    });
  }
  if (decision.outcome === 'PENDING_APPROVAL') return version;
  if (version.status !== 'pending-approval') {
    const expected: VersionStatus = decision.outcome === 'AUTO_APPROVED' ? 'approved' : 'rejected';
    if (version.status === expected) return version; // a retry after the decision was recorded
    throw new ValidationFailed(`version ${ref.version} is ${version.status}; the policy's decision cannot be recorded`, [
      { field: 'version', problem: `status ${version.status}` },
    ]);
  }
  const { version: decided } = await recordPolicyDecision(approvalPolicyScope(scope), ref.modelId, ref.version, {
    decision: decision.outcome === 'AUTO_APPROVED' ? 'approve' : 'reject',
    reason: reasons.length >= 3 ? reasons.slice(0, 2000) : `${reasons} (policy)`,
    // Decisions of runs started before policies were stored name the default policy.
    policy: decision.policy ?? { scope: 'default', revision: 0 },
  });
  return decided;
}

/** Statuses a failed run moves to `failed` (the catalog allows it from running states only). */
const FAILABLE: ReadonlySet<VersionStatus> = new Set(['training', 'evaluating']);

/**
 * The failure path: the version the run registered (if any) is marked
 * `failed` with the cause while it is `training` or `evaluating` (the run
 * died while working on it). A version the run had finished a stage of
 * (`trained`, `evaluated`) or that is decided is left as it is: its artifact
 * and evaluations stand, and the catalog has no move from those to `failed`.
 */
export async function failRunVersion(
  scope: TenantScope,
  input: { failure: PipelineFailure; ref?: Pick<VersionRef, 'modelId' | 'version'>; modelId?: string; executionId: string; log: Log },
): Promise<{ version?: VersionRef; versionMarkedFailed: boolean; note?: string }> {
  let version: ModelVersion | undefined;
  if (input.ref) version = await getVersion(scope, input.ref.modelId, input.ref.version);
  else if (input.modelId) version = await findRunVersion(scope, input.modelId, input.executionId);
  if (!version) return { versionMarkedFailed: false };
  const reason = reasonText(`pipeline execution ${input.executionId} failed: ${input.failure.error}: ${input.failure.cause}`);
  if (!FAILABLE.has(version.status)) {
    return { version: refOf(version), versionMarkedFailed: false, note: `version ${version.version} is ${version.status}; left as it is` };
  }
  const failed = await changeStatus(scope, version.modelId, version.version, 'failed', { action: STATUS_ACTION, reason });
  input.log.info('model version marked failed', { modelId: failed.modelId, version: failed.version, error: input.failure.error });
  return { version: refOf(failed), versionMarkedFailed: true };
}

export { refOf as versionRefOf };
