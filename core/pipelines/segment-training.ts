import { performance } from 'node:perf_hooks';
import type { IoSchema } from '../catalog/artifacts/io-schema';
import { createModel, searchModels } from '../catalog/model-catalog';
import { loadModelRecord, type ModelRecord } from '../catalog/models';
import type { ModelVersion } from '../catalog/versions';
import { Conflict, DependencyFailed, StaleWrite, ValidationFailed } from '../errors';
import { MAX_SEGMENTS } from './segment-request';
import type { TenantScope } from '../tenancy/tenant-scope';
import { decideByPolicy } from './approval-policy';
import { applyApprovalOutcome, evaluateTrainedVersion, failRunVersion, registerTrainedVersion, versionRefOf } from './pipeline-versions';
import { recordSegmentOutcome, type SegmentOutcome } from './segment-run-records';
import { StepObjectCache } from './step-object-cache';
import { segmentDataKey, segmentModelName, type SegmentItem, type SegmentRun } from './segment-request';
import { trainModel } from './train-model';
import { loadCsvDataset } from './training-dataset';
import type { TrainEvaluateInput } from './training-request';
import { buildTrainingPlan } from './validate-training-input';

/** Errors a retry can cure: thrown on for Step Functions' Retry; anything else is the segment's own outcome. */
const TRANSIENT = [DependencyFailed, StaleWrite];

function segmentSchema(run: Pick<SegmentRun, 'features' | 'task'>): IoSchema {
  return {
    inputs: run.features.map((name) => ({ name, type: 'float' as const })),
    outputs: [
      run.task === 'binary' ? { name: 'probability', type: 'float' as const, description: 'P(target = 1)' } : { name: 'prediction', type: 'float' as const },
    ],
  };
}

/**
 * The segment's model in the project: `<family>.<value>`, created on the
 * family's first run (owned by whoever started it, tagged with the family
 * and the segment), found by name on later runs.
 */
export async function ensureSegmentModel(scope: TenantScope, run: SegmentRun, value: string): Promise<ModelRecord> {
  const name = segmentModelName(run.family, value);
  const find = async () => {
    const page = await searchModels(scope, { projectId: run.projectId, namePrefix: name, order: 'asc' }, { limit: 5 });
    const hit = page.items.find((m) => m.name.toLowerCase() === name.toLowerCase());
    return hit ? loadModelRecord(scope.table, hit.modelId) : undefined;
  };
  const existing = await find();
  if (existing) return existing;
  try {
    return await createModel(scope, {
      projectId: run.projectId,
      name,
      type: 'ml',
      framework: 'steward-built-in',
      description: `segment ${run.segmentColumn} = ${value} of family ${run.family}, trained by train-segments`,
      owner: run.startedBy,
      tags: [`family:${run.family}`.toLowerCase().slice(0, 64), `segment:${value}`.replace(/[^A-Za-z0-9._:/=+-]/g, '-').slice(0, 64)],
      schema: segmentSchema(run),
    });
  } catch (error) {
    // Another run (or a retry) created it first.
    if (error instanceof Conflict) {
      const created = await find();
      if (created) return created;
    }
    throw error;
  }
}

/**
 * `TrainSegment`: one segment, start to end, in one step — its rows from the
 * run's folder, its model (created on first use), the template trained
 * (core/pipelines/train-model.ts), the version registered and verified, the
 * hold-out evaluation recorded as the platform's, and the version judged by
 * the policy governing the project against the segment's own champion. The
 * outcome is recorded under the run; a segment that cannot train (too few
 * rows of a class, a failed fit) is an outcome, not a failed run, so one odd
 * store does not cost the other 999 theirs. Transient errors are thrown on
 * for Step Functions to retry; everything is idempotent per execution.
 */
export async function trainSegment(
  stepScope: TenantScope,
  input: { run: SegmentRun; segment: SegmentItem; executionId: string; signal?: AbortSignal },
): Promise<{ index: number; outcome: SegmentOutcome['outcome'] }> {
  const { run, segment, executionId } = input;
  const started = performance.now();
  // One read of the segment's rows and of its artifact for training, registration and evaluation alike.
  const objects = new StepObjectCache(stepScope.objects);
  const scope: TenantScope = { ...stepScope, objects };
  const base = { index: segment.index, value: segment.value, rows: segment.rows };
  let model: ModelRecord | undefined;
  let version: ModelVersion | undefined;
  let trainingMs: number | undefined;
  const finish = async (outcome: Omit<SegmentOutcome, 'index' | 'value' | 'rows' | 'durationMs' | 'at'>) => {
    await recordSegmentOutcome(scope.table, run.runId, {
      ...base,
      ...(model ? { modelId: model.modelId, modelName: model.name } : {}),
      ...(trainingMs !== undefined ? { trainingMs } : {}),
      ...outcome,
      durationMs: Math.round(performance.now() - started),
      at: scope.now().toISOString(),
    });
    return { index: segment.index, outcome: outcome.outcome };
  };
  try {
    if (segment.index >= MAX_SEGMENTS)
      throw new ValidationFailed('segment index out of range', [{ field: 'segment.index', problem: `at most ${MAX_SEGMENTS}` }]);
    const key = segmentDataKey(run.runId, segment.index);
    await objects.getBytes(key); // kept: the size check, the trainer and the evaluation read it from memory
    const loaded = await loadCsvDataset(scope.objects, key);
    model = await ensureSegmentModel(scope, run, segment.value);
    const request: TrainEvaluateInput = {
      modelId: model.modelId,
      dataset: { key },
      target: run.target,
      features: run.features,
      task: run.task,
      ...(run.algorithm ? { algorithm: run.algorithm } : {}),
      ...(run.hyperparameters ? { hyperparameters: run.hyperparameters } : {}),
      ...(run.evaluation ? { evaluation: run.evaluation } : {}),
      ...(run.codeRevision ? { codeRevision: run.codeRevision } : {}),
      description: `segment ${run.segmentColumn} = ${segment.value} (${segment.rows} rows) of dataset ${run.dataset.datasetId} version ${run.dataset.version}, trained by train-segments (execution ${executionId}, started by ${run.startedBy})`,
    };
    let plan;
    try {
      plan = buildTrainingPlan({ model, dataset: { key }, loaded, request });
    } catch (error) {
      if (error instanceof ValidationFailed) return await finish({ outcome: 'skipped', reason: error.message });
      throw error;
    }
    // The lineage names the catalog dataset version the segment's rows came from (the description names the segment).
    plan = {
      ...plan,
      dataset: {
        ...plan.dataset,
        datasetId: run.dataset.datasetId,
        version: run.dataset.version,
        ...(run.dataset.protectedAttributes.length > 0 ? { protectedAttributes: run.dataset.protectedAttributes } : {}),
      },
    };
    const training = await trainModel(scope.objects, plan, { runId: run.runId, now: () => scope.now(), signal: input.signal });
    trainingMs = training.durationMs;
    // The trainer exported the bytes in this process: filed straight under their content key (read back and hashed there,
    // so the evaluation's read of the version's artifact is served from the step's cache and hashed against the record again).
    version = await registerTrainedVersion(scope, { plan, training, executionId, startedBy: run.startedBy, producedHere: true });
    const ref = versionRefOf(version);
    const evaluation = await evaluateTrainedVersion(scope, {
      plan,
      training,
      ref,
      executionId,
      signal: input.signal,
      ...(run.importance === false ? { importance: false as const } : {}),
    });
    const decision = await decideByPolicy(scope, { plan, version: ref.version });
    const decided = await applyApprovalOutcome(scope, ref, decision);
    return await finish({
      outcome: 'trained',
      version: decided.version,
      status: decided.status,
      metrics: evaluation.metrics,
      ...(evaluation.evaluationId ? { evaluationId: evaluation.evaluationId } : {}),
    });
  } catch (error) {
    if (TRANSIENT.some((kind) => error instanceof kind) || input.signal?.aborted) throw error;
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    if (version) {
      await failRunVersion(scope, {
        failure: { error: error instanceof Error ? error.name : 'Error', cause: reason },
        ref: versionRefOf(version),
        executionId,
        log: scope.log,
      });
    }
    return finish({ outcome: 'failed', reason: reason.slice(0, 1000), ...(version ? { version: version.version } : {}) });
  }
}
