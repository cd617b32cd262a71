import { z } from 'zod';
import { performance } from 'node:perf_hooks';
import type { TenantObjects } from '../adapters/s3/tenant-objects';
import { holdoutSplit } from './holdout-split';
import { fitLeastSquares } from './least-squares';
import { unscaledCoefficients, type LinearModelFit } from './linear-model';
import { fitLogisticRegression } from './logistic-regression';
import { artifactKey, LINEAR_MODEL_FORMAT, type ModelArtifact, predict } from './model-artifact';
import { logLoss } from './classification-metrics';
import { regressionMetrics } from './regression-metrics';
import { datasetTable, loadCsvDataset } from './training-dataset';
import { type TrainingPlan, trainingPlanSchema } from './training-request';
import { ValidationFailed } from '../errors';

export const trainingResultSchema = z.object({
  runId: z.string().min(1),
  artifactKey: z.string().min(1),
  algorithm: z.enum(['logistic-regression', 'least-squares']),
  hyperparameters: trainingPlanSchema.shape.hyperparameters,
  dataset: z.object({ key: z.string(), sha256: z.string(), size: z.number().int().min(0) }),
  rowCount: z.number().int(),
  trainRows: z.number().int(),
  holdoutRows: z.number().int(),
  iterations: z.number().int(),
  converged: z.boolean(),
  /** Log loss (binary) or RMSE (regression) on the training rows. */
  trainingLoss: z.number(),
  durationMs: z.number().min(0),
});

export type TrainingResult = z.infer<typeof trainingResultSchema>;

/**
 * The built-in trainer: reads the plan's dataset from the tenant's storage,
 * holds out the evaluation rows, fits logistic regression (binary) or least
 * squares (regression) and writes the artifact. Same plan and data, same model.
 */
export async function trainModel(
  objects: TenantObjects,
  plan: TrainingPlan,
  options: { runId: string; now: () => Date; signal?: AbortSignal },
): Promise<TrainingResult> {
  const started = performance.now();
  const dataset = await loadCsvDataset(objects, plan.dataset.key);
  const table = datasetTable(dataset, { target: plan.target, features: plan.features });
  const split = splitFor(plan, table.y);
  const x = split.train.map((i) => table.x[i]);
  const y = split.train.map((i) => table.y[i]);
  options.signal?.throwIfAborted();
  const fit: LinearModelFit =
    plan.algorithm === 'logistic-regression'
      ? fitLogisticRegression(x, y, { ...plan.hyperparameters, signal: options.signal })
      : fitLeastSquares(x, y, { l2: plan.hyperparameters.l2 });
  const unscaled = unscaledCoefficients(fit);
  const artifact: ModelArtifact = {
    format: LINEAR_MODEL_FORMAT,
    algorithm: plan.algorithm,
    task: plan.task,
    target: plan.target,
    features: table.features,
    scaling: fit.scaling,
    intercept: fit.intercept,
    coefficients: fit.coefficients,
    unscaled,
    hyperparameters: { ...plan.hyperparameters },
    training: {
      rows: y.length,
      iterations: fit.iterations,
      converged: fit.converged,
      dataset: { key: plan.dataset.key, sha256: dataset.sha256 },
      split: plan.evaluation,
    },
    createdAt: options.now().toISOString(),
  };
  const predictions = x.map((row) => predict(artifact, row));
  const trainingLoss = plan.task === 'binary' ? logLoss(y, predictions) : regressionMetrics(y, predictions).rmse;
  const key = artifactKey(plan.modelName, options.runId);
  await objects.put(key, JSON.stringify(artifact), 'application/json');
  return {
    runId: options.runId,
    artifactKey: key,
    algorithm: plan.algorithm,
    hyperparameters: plan.hyperparameters,
    dataset: { key: plan.dataset.key, sha256: dataset.sha256, size: dataset.size },
    rowCount: table.y.length,
    trainRows: split.train.length,
    holdoutRows: split.holdout.length,
    iterations: fit.iterations,
    converged: fit.converged,
    trainingLoss,
    durationMs: Math.round(performance.now() - started),
  };
}

/** The plan's split; binary targets are stratified so both classes reach the hold-out set. */
export function splitFor(plan: Pick<TrainingPlan, 'task' | 'evaluation'>, y: readonly number[]): ReturnType<typeof holdoutSplit> {
  const split = holdoutSplit(y.length, { fraction: plan.evaluation.holdoutFraction, seed: plan.evaluation.seed, strata: plan.task === 'binary' ? y : undefined });
  if (split.train.length < 2 || split.holdout.length < 1) {
    throw new ValidationFailed('the dataset is too small for the requested hold-out fraction', [{ field: 'evaluation.holdoutFraction', problem: 'leaves no rows to train or evaluate' }]);
  }
  return split;
}
