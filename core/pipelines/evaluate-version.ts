import { csvRowMapper, RowRejected } from '../../serving/payloads/read-input-rows';
import { RowProblem, type InputRow, type Prediction } from '../../serving/runtimes/tabular-model';
import { getDatasetVersion } from '../catalog/datasets/dataset-versions';
import { type Evaluation, listEvaluations, recordEvaluation } from '../catalog/evaluations';
import { loadModelRecord } from '../catalog/models';
import { changeStatus, getVersion } from '../catalog/version-catalog';
import type { VersionStatus } from '../catalog/version-status';
import { NotFound, ValidationFailed } from '../errors';
import { evaluateModel, type EvaluationTask } from '../evaluation/model-evaluation';
import type { TenantScope } from '../tenancy/tenant-scope';
import type { EvaluateInput, EvaluationPlan, VersionEvaluationResult } from './evaluation-request';
import { evaluationReportKey } from './model-artifact';
import { loadCsvDataset } from './training-dataset';
import { evaluationRuntimeOf, loadVersionModel } from './version-runtime';

/** Statuses a platform evaluation may be recorded from: the catalog moves them to `evaluating`, then `evaluated`. */
const EVALUABLE: ReadonlySet<VersionStatus> = new Set(['registered', 'trained', 'evaluating', 'evaluated']);
const STATUS_ACTION = 'version.status-changed';
const DEFAULT_THRESHOLD = 0.5;
const MAX_NOTES = 2000;

function refuse(message: string, field: string, problem: string): ValidationFailed {
  return new ValidationFailed(message, [{ field, problem }]);
}

/**
 * Everything checkable before a row is scored, from records only (no data
 * read): the version exists, its artifact is verified and has a platform
 * runtime, its status lets an evaluation be recorded, the dataset version is
 * CSV and holds the target and every model input. Used by the API as the
 * start's preflight (a 4xx now) and by the first step (the plan).
 */
export async function planVersionEvaluation(scope: TenantScope, input: EvaluateInput): Promise<EvaluationPlan> {
  const [model, version] = await Promise.all([loadModelRecord(scope.table, input.modelId), getVersion(scope, input.modelId, input.version)]);
  if (version.artifact.state !== 'verified')
    throw refuse(`version ${input.version}'s artifact is not uploaded and verified yet`, 'version', 'artifact not verified');
  const runtime = evaluationRuntimeOf(version);
  if (!EVALUABLE.has(version.status)) {
    throw refuse(
      `version ${input.version} is ${version.status}; a platform evaluation is recorded before a version goes to approval`,
      'version',
      `status ${version.status}`,
    );
  }
  let dataset;
  try {
    dataset = await getDatasetVersion(scope, input.dataset.datasetId, input.dataset.version);
  } catch (error) {
    if (error instanceof NotFound)
      throw new ValidationFailed(
        `dataset ${input.dataset.datasetId} has no version ${input.dataset.version} in this tenant's catalog`,
        [{ field: 'dataset', problem: 'no such dataset version' }],
        { cause: error },
      );
    throw error;
  }
  if (dataset.format !== 'csv')
    throw refuse(`dataset version ${input.dataset.version} is ${dataset.format}; evaluations read CSV`, 'dataset', `format ${dataset.format}`);
  const target = input.target ?? dataset.targetColumn;
  if (!target)
    throw refuse(
      `dataset version ${input.dataset.version} names no target column; give 'target'`,
      'target',
      'required: the dataset version has no targetColumn',
    );
  const columns = new Set(dataset.schema.map((c) => c.name));
  if (!columns.has(target))
    throw refuse(`target column '${target}' is not in dataset version ${input.dataset.version}`, 'target', 'not a column of the dataset');
  const missing = model.schema.inputs.filter((f) => !columns.has(f.name)).map((f) => f.name);
  if (missing.length > 0)
    throw refuse(`the dataset lacks the model's input(s) ${missing.join(', ')}`, 'dataset', `missing columns: ${missing.slice(0, 20).join(', ')}`);
  if (input.scoreOutput !== undefined && !model.schema.outputs.some((f) => f.name === input.scoreOutput)) {
    throw refuse(`the model declares no output '${input.scoreOutput}'`, 'scoreOutput', `not one of: ${model.schema.outputs.map((f) => f.name).join(', ')}`);
  }
  return {
    modelId: input.modelId,
    version: input.version,
    artifact: { format: version.artifact.format, key: version.artifact.key, sha256: version.artifact.sha256 },
    runtime,
    dataset: {
      datasetId: dataset.datasetId,
      version: dataset.version,
      key: dataset.key,
      sha256: dataset.sha256,
      protectedAttributes: [...dataset.protectedAttributes],
    },
    target,
    task: input.task,
    ...(input.positiveClass !== undefined ? { positiveClass: input.positiveClass } : {}),
    ...(input.scoreOutput !== undefined ? { scoreOutput: input.scoreOutput } : {}),
    threshold: input.threshold ?? DEFAULT_THRESHOLD,
    importance: input.importance ?? true,
  };
}

/** The labels of the target column: 0/1 for a binary task, numbers for regression. */
export function targetLabels(cells: readonly string[], plan: Pick<EvaluationPlan, 'task' | 'positiveClass' | 'target'>): { task: EvaluationTask; y: number[] } {
  const trimmed = cells.map((c) => c.trim());
  const missingAt = trimmed.findIndex((c) => c === '');
  if (missingAt >= 0) throw refuse(`row ${missingAt + 1} has no '${plan.target}' value`, 'target', 'missing labels');
  if (plan.positiveClass !== undefined) {
    if (plan.task === 'regression') throw refuse('positiveClass names a class; a regression target has none', 'positiveClass', 'given for a regression task');
    return { task: 'binary', y: trimmed.map((c) => (c === plan.positiveClass ? 1 : 0)) };
  }
  const lower = trimmed.map((c) => c.toLowerCase());
  if (plan.task !== 'regression' && lower.every((c) => c === 'true' || c === 'false')) return { task: 'binary', y: lower.map((c) => (c === 'true' ? 1 : 0)) };
  const numbers = trimmed.map(Number);
  const bad = numbers.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0)
    throw refuse(
      `row ${bad + 1}: '${plan.target}' is '${trimmed[bad].slice(0, 40)}'; name the positive class ('positiveClass') for a categorical target`,
      'target',
      'not numeric',
    );
  const binary = numbers.every((v) => v === 0 || v === 1);
  if (plan.task === 'binary' && !binary)
    throw refuse(`binary evaluation needs 0/1 labels; '${plan.target}' has other values (name the positive class)`, 'target', 'not 0/1');
  return { task: plan.task === 'auto' ? (binary ? 'binary' : 'regression') : plan.task, y: numbers };
}

/**
 * How one prediction gives the number the metrics read: a classifier's
 * probability of the positive class, the field `scoreOutput` names, the
 * `score`, or the only numeric field. Decided on the first prediction.
 */
export function scoreReader(first: Prediction, plan: Pick<EvaluationPlan, 'positiveClass' | 'scoreOutput'>): (p: Prediction) => number {
  const numeric = (value: unknown): number => (typeof value === 'boolean' ? (value ? 1 : 0) : typeof value === 'number' ? value : Number.NaN);
  if (plan.scoreOutput !== undefined) {
    const field = plan.scoreOutput;
    if (!Number.isFinite(numeric(first[field]))) throw refuse(`the model's '${field}' is not a number`, 'scoreOutput', 'not a numeric prediction');
    return (p) => numeric(p[field]);
  }
  const probabilities = first.probabilities;
  if (probabilities !== null && typeof probabilities === 'object' && !Array.isArray(probabilities)) {
    const classes = Object.keys(probabilities);
    const positive =
      plan.positiveClass !== undefined
        ? plan.positiveClass
        : classes.includes('1')
          ? '1'
          : classes.includes('true')
            ? 'true'
            : classes.length === 2
              ? classes[1]
              : undefined;
    if (positive === undefined || !classes.includes(positive)) {
      throw refuse(
        `the model's classes are ${classes.join(', ')}; name the positive one ('positiveClass')`,
        'positiveClass',
        plan.positiveClass === undefined ? 'required for this classifier' : 'not one of the model’s classes',
      );
    }
    return (p) => numeric((p.probabilities as Record<string, unknown>)[positive]);
  }
  if (Number.isFinite(numeric(first.score))) return (p) => numeric(p.score);
  const fields = Object.keys(first).filter((k) => Number.isFinite(numeric(first[k])));
  if (fields.length === 1) return (p) => numeric(p[fields[0]]);
  throw refuse(
    `the model answers ${Object.keys(first).join(', ')}; name the field that carries the score ('scoreOutput')`,
    'scoreOutput',
    'required: several numeric outputs',
  );
}

/**
 * The `evaluate` pipeline's work: scores every row of the plan's dataset
 * version with the version's own runtime (the serving code, on the bytes the
 * catalog verified) and records the full platform evaluation
 * (core/evaluation: metrics, curves, confusion, calibration, permutation
 * importance over the model's inputs, fairness per protected attribute of the
 * dataset version) on the version: `→ evaluating`, `recordEvaluation`
 * (source `platform`, because the scope is the pipeline's), `→ evaluated`.
 * The moves are made only after the scoring succeeded, so a failed run leaves
 * the version as it was; a retry finds this run's evaluation by its
 * executionId and records nothing twice.
 */
export async function evaluateVersion(
  scope: TenantScope,
  plan: EvaluationPlan,
  run: { executionId: string; signal?: AbortSignal },
): Promise<VersionEvaluationResult> {
  const [model, dataset] = await Promise.all([loadModelRecord(scope.table, plan.modelId), loadCsvDataset(scope.objects, plan.dataset.key)]);
  if (dataset.sha256 !== plan.dataset.sha256) {
    throw refuse(
      `dataset ${plan.dataset.datasetId} version ${plan.dataset.version}'s file does not match its recorded SHA-256`,
      'dataset',
      `the stored file hashes to ${dataset.sha256}`,
    );
  }
  const { header, rows: cells } = dataset.csv;
  if (cells.length < 2) throw refuse('the dataset has fewer than two rows to evaluate on', 'dataset', 'too few rows');
  const targetColumn = header.indexOf(plan.target);
  const { task, y } = targetLabels(
    cells.map((r) => r[targetColumn] ?? ''),
    plan,
  );
  const served = await loadVersionModel(scope.objects, { runtime: plan.runtime, key: plan.artifact.key, sha256: plan.artifact.sha256, ioSchema: model.schema });
  let evaluation;
  try {
    const tabular = served.model;
    const toRow = csvRowMapper(tabular, header);
    const inputRows: InputRow[] = [];
    try {
      cells.forEach((record, i) => inputRows.push(toRow(record, i + 1)));
    } catch (error) {
      if (error instanceof RowRejected) throw refuse(`the dataset does not fit the model's inputs: ${error.message}`, error.field ?? 'dataset', error.problem);
      throw error;
    }
    let read: ((p: Prediction) => number) | undefined;
    // x holds row indices, one column per input: permutation importance shuffles a column, which
    // hands each row another row's value of that input, whatever its type (numbers, categories, flags).
    const x = inputRows.map((_, i) => tabular.inputs.map(() => i));
    const predict = async (batch: readonly (readonly number[])[]): Promise<number[]> => {
      const answers = await tabular.predict(batch.map((indices) => indices.map((row, field) => inputRows[row][field])));
      return answers.map((answer, i) => {
        if (answer instanceof RowProblem)
          throw refuse(`the model could not score row ${batch[i][0] + 1}: ${answer.problem}`, answer.field ?? 'dataset', answer.problem);
        read ??= scoreReader(answer, plan);
        return read(answer);
      });
    };
    const attributes = plan.dataset.protectedAttributes.map((name) => ({ name, column: header.indexOf(name) })).filter((a) => a.column >= 0);
    evaluation = await evaluateModel({
      task,
      features: tabular.inputs.map((f) => f.name),
      x,
      y,
      predict,
      protectedAttributes: attributes.map((a) => ({ name: a.name, values: cells.map((r) => (r[a.column] ?? '').trim()) })),
      options: { threshold: plan.threshold, importance: plan.importance ? { seed: 42 } : false, signal: run.signal },
    });
  } finally {
    await served.release();
  }
  const reportKey = evaluationReportKey(plan.modelId, run.executionId);
  await scope.objects.put(
    reportKey,
    JSON.stringify({
      model: { modelId: plan.modelId, version: plan.version, artifactSha256: plan.artifact.sha256, runtime: plan.runtime },
      dataset: plan.dataset,
      target: plan.target,
      task,
      rows: evaluation.rows,
      metrics: evaluation.metrics,
      details: evaluation.details,
      ...(evaluation.fullCurves ? { rocCurve: evaluation.fullCurves.roc, precisionRecallCurve: evaluation.fullCurves.precisionRecall } : {}),
      evaluatedAt: scope.now().toISOString(),
    }),
    'application/json',
  );
  const recorded = await recordOnVersion(scope, plan, {
    executionId: run.executionId,
    task,
    rows: evaluation.rows,
    metrics: evaluation.metrics,
    details: evaluation.details,
    reportKey,
  });
  return {
    modelId: plan.modelId,
    version: plan.version,
    evaluationId: recorded.evaluation.evaluationId,
    task,
    rows: evaluation.rows,
    metrics: evaluation.metrics,
    reportKey,
    status: recorded.status,
  };
}

async function recordOnVersion(
  scope: TenantScope,
  plan: EvaluationPlan,
  result: {
    executionId: string;
    task: EvaluationTask;
    rows: number;
    metrics: Record<string, number | null>;
    details: Evaluation['details'];
    reportKey: string;
  },
): Promise<{ evaluation: Evaluation; status: VersionStatus }> {
  let version = await getVersion(scope, plan.modelId, plan.version);
  const existing = (await listEvaluations(scope, plan.modelId, plan.version)).find((e) => e.executionId === result.executionId);
  if (existing) return { evaluation: existing, status: version.status };
  if (version.status === 'registered' || version.status === 'trained') {
    version = await changeStatus(scope, plan.modelId, plan.version, 'evaluating', {
      action: STATUS_ACTION,
      reason: `platform evaluation by execution ${result.executionId}`,
    });
  }
  if (version.status !== 'evaluating' && version.status !== 'evaluated') {
    throw refuse(`version ${plan.version} became ${version.status} while it was being evaluated; nothing was recorded`, 'version', `status ${version.status}`);
  }
  const metrics = Object.fromEntries(Object.entries(result.metrics).filter((e): e is [string, number] => typeof e[1] === 'number' && Number.isFinite(e[1])));
  const notes = `platform evaluation of ${result.rows} rows of dataset ${plan.dataset.datasetId} version ${plan.dataset.version} (sha256 ${plan.dataset.sha256}), target '${plan.target}', ${result.task}, scored by the ${plan.runtime} runtime; full report: ${result.reportKey}`;
  const evaluation = await recordEvaluation(
    scope,
    plan.modelId,
    plan.version,
    {
      metrics,
      dataset: { datasetId: plan.dataset.datasetId, version: plan.dataset.version },
      executionId: result.executionId,
      notes: notes.slice(0, MAX_NOTES),
    },
    { source: 'platform', ...(result.details ? { details: result.details } : {}) },
  );
  if (version.status === 'evaluating') {
    version = await changeStatus(scope, plan.modelId, plan.version, 'evaluated', {
      action: STATUS_ACTION,
      reason: `platform evaluation ${evaluation.evaluationId} on ${result.rows} rows`,
    });
  }
  return { evaluation, status: version.status };
}
