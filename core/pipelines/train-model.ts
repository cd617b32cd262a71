import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import type { TenantObjectStore } from '../ports/object-store';
import { ValidationFailed } from '../errors';
import { logLoss } from '../evaluation/classification-metrics';
import { holdoutSplit } from '../maths/holdout-split';
import { fitLeastSquares } from '../maths/least-squares';
import { type LinearModelFit, linearScore, sigmoid } from '../maths/linear-model';
import { fitLogisticRegression } from '../maths/logistic-regression';
import { linearModelKey, onnxArtifactKey, servingLinearModel } from './model-artifact';
import { DEFAULT_GRADIENT_BOOSTING, boostedPrediction, fitGradientBoosting } from '../maths/gradient-boosting';
import { exportLinearModelToOnnx, type LinearOnnxSpec } from '../maths/onnx/linear-model-onnx';
import { exportTreeEnsembleToOnnx } from '../maths/onnx/tree-ensemble-onnx';
import { regressionMetrics } from '../evaluation/regression-metrics';
import { datasetTable, type LoadedDataset, loadCsvDataset } from './training-dataset';
import { defaultHyperparameters, type TrainingPlan, trainingPlanSchema } from './training-request';
import { builtInAlgorithmSchema, isGradientBoosting } from './training-templates';

const sha256Schema = z.string().regex(/^[0-9a-f]{64}$/);

export const trainingResultSchema = z.object({
  runId: z.string().min(1),
  /** The ONNX model in the run's folder, as it will be registered (format, hash and size declared to the catalog). */
  artifact: z.object({ format: z.literal('onnx'), key: z.string().min(1), sha256: sha256Schema, size: z.number().int().positive() }),
  /** The same model for the serving gateway's `linear` runtime (linear templates only). */
  linearModelKey: z.string().min(1).optional(),
  algorithm: trainingPlanSchema.shape.algorithm,
  hyperparameters: trainingPlanSchema.shape.hyperparameters,
  /** Set when a training container trained the model (CollectTrainedModel): what ran, with what, and its own metrics.json. */
  container: z
    .object({
      template: z.string().min(1),
      image: z.string().min(1),
      jobName: z.string().min(1),
      hyperparameters: z.record(z.string(), z.string()),
      metrics: z.record(z.string(), z.number()).optional(),
      /** Where the job's log is kept in the tenant's storage (copied from CloudWatch on AWS). */
      logKey: z.string().min(1).optional(),
      /** Where cpuMs and peakMemoryBytes come from: the local runner's measurement, the trainer's resources.json, or nowhere (then both are absent). */
      resourceUsage: z.enum(['measured', 'reported', 'unknown']).optional(),
    })
    .optional(),
  dataset: z.object({ key: z.string(), sha256: sha256Schema, size: z.number().int().min(0) }),
  rowCount: z.number().int(),
  trainRows: z.number().int(),
  holdoutRows: z.number().int(),
  iterations: z.number().int(),
  converged: z.boolean(),
  /** Log loss (binary) or RMSE (regression) on the training rows. */
  trainingLoss: z.number(),
  durationMs: z.number().min(0),
  /** CPU time of this process while training (user + system); the built-in trainers run in the step's own process. */
  cpuMs: z.number().min(0).optional(),
  /** The process's peak resident memory when training ended (a high-water mark since the process started, not of this run alone). */
  peakMemoryBytes: z.number().int().min(0).optional(),
});

export type TrainingResult = z.infer<typeof trainingResultSchema>;

/**
 * The built-in trainer: reads the plan's dataset from the tenant's storage
 * (refusing it if it is not the data the plan was validated on), holds out
 * the evaluation rows, fits the plan's template (logistic regression or
 * gradient-boosted trees for binary targets, least squares or boosted trees
 * for numeric ones; core/pipelines/training-templates.ts) and writes the
 * model as ONNX (the catalog artifact) and, for linear templates, as the
 * serving runtime's JSON. Same plan and data, same model, same bytes.
 */
export async function trainModel(
  objects: TenantObjectStore,
  plan: TrainingPlan,
  options: { runId: string; now: () => Date; signal?: AbortSignal },
): Promise<TrainingResult> {
  const started = performance.now();
  const cpuAtStart = process.cpuUsage();
  const dataset = await loadPlannedDataset(objects, plan);
  const table = datasetTable(dataset, { target: plan.target, features: plan.features });
  const split = splitFor(plan, table.y);
  const x = split.train.map((i) => table.x[i]);
  const y = split.train.map((i) => table.y[i]);
  options.signal?.throwIfAborted();
  const fitted = fitTemplate(plan, x, y, options.signal);
  const predictions = x.map((row) => fitted.predict(row));
  const trainingLoss = plan.task === 'binary' ? logLoss(y, predictions) : regressionMetrics(y, predictions).rmse;

  const onnxBytes = fitted.exportOnnx({
    inputName: plan.input.name,
    outputs: plan.outputs,
    graphName: plan.algorithm.replaceAll('-', '_'),
    docString: `${plan.modelName}: ${plan.algorithm} of '${plan.target}' on ${plan.features.length} features, trained by run ${options.runId}`,
    metadata: {
      'steward.features': JSON.stringify(plan.features),
      'steward.target': plan.target,
      'steward.algorithm': plan.algorithm,
      'steward.run': options.runId,
      'steward.dataset.sha256': dataset.sha256,
    },
  });
  const artifactKey = onnxArtifactKey(plan.modelId, options.runId);
  await objects.put(artifactKey, onnxBytes, 'application/octet-stream');
  // The serving gateway's `linear` runtime reads only linear models; tree ensembles are served from the ONNX artifact.
  let jsonKey: string | undefined;
  if (fitted.linear) {
    jsonKey = linearModelKey(plan.modelId, options.runId);
    const serving = servingLinearModel(plan, fitted.linear, {
      run: options.runId,
      hyperparameters: plan.hyperparameters,
      dataset: {
        key: plan.dataset.key,
        sha256: dataset.sha256,
        ...(plan.dataset.datasetId ? { datasetId: plan.dataset.datasetId, version: plan.dataset.version } : {}),
      },
      iterations: fitted.iterations,
      converged: fitted.converged,
      trainedAt: options.now().toISOString(),
    });
    await objects.put(jsonKey, JSON.stringify(serving), 'application/json');
  }
  return {
    runId: options.runId,
    artifact: { format: 'onnx', key: artifactKey, sha256: createHash('sha256').update(onnxBytes).digest('hex'), size: onnxBytes.byteLength },
    ...(jsonKey ? { linearModelKey: jsonKey } : {}),
    algorithm: plan.algorithm,
    hyperparameters: plan.hyperparameters,
    dataset: { key: plan.dataset.key, sha256: dataset.sha256, size: dataset.size },
    rowCount: table.y.length,
    trainRows: split.train.length,
    holdoutRows: split.holdout.length,
    iterations: fitted.iterations,
    converged: fitted.converged,
    trainingLoss,
    durationMs: Math.round(performance.now() - started),
    cpuMs: cpuMillis(process.cpuUsage(cpuAtStart)),
    peakMemoryBytes: process.resourceUsage().maxRSS * 1024,
  };
}

function cpuMillis(usage: NodeJS.CpuUsage): number {
  return Math.round((usage.user + usage.system) / 1000);
}

interface FittedTemplate {
  /** P(class 1) (binary) or the prediction (regression), as the exported ONNX model computes it. */
  readonly predict: (row: readonly number[]) => number;
  readonly exportOnnx: (spec: Pick<LinearOnnxSpec, 'inputName' | 'outputs' | 'graphName' | 'docString' | 'metadata'>) => Uint8Array;
  /** Newton steps (logistic), 1 (least squares) or trees (gradient boosting). */
  readonly iterations: number;
  readonly converged: boolean;
  /** Set for the linear templates, which the serving gateway's `linear` runtime can also serve. */
  readonly linear?: LinearModelFit;
}

/** Fits the plan's template on the training rows (core/maths does the numbers). */
function fitTemplate(plan: TrainingPlan, x: number[][], y: number[], signal?: AbortSignal): FittedTemplate {
  const h = plan.hyperparameters;
  const algorithm = builtInAlgorithmSchema.safeParse(plan.algorithm);
  if (!algorithm.success)
    throw new ValidationFailed(`'${plan.algorithm}' is trained by its container (PlanContainerTraining), not by TrainModel`, [
      { field: 'algorithm', problem: 'not a built-in template' },
    ]);
  if (isGradientBoosting(algorithm.data)) {
    const d = DEFAULT_GRADIENT_BOOSTING;
    const model = fitGradientBoosting(x, y, {
      loss: plan.algorithm === 'gradient-boosting-classifier' ? 'log-loss' : 'squared-error',
      nEstimators: h.nEstimators ?? d.nEstimators,
      maxDepth: h.maxDepth ?? d.maxDepth,
      learningRate: h.learningRate ?? d.learningRate,
      minSamplesLeaf: h.minSamplesLeaf ?? d.minSamplesLeaf,
      subsample: h.subsample ?? d.subsample,
      seed: h.seed ?? plan.evaluation.seed,
      signal,
    });
    return {
      predict: (row) => boostedPrediction(model, row),
      exportOnnx: (spec) => exportTreeEnsembleToOnnx({ ...spec, model }),
      iterations: model.trees.length,
      converged: true,
    };
  }
  const linear = { ...defaultHyperparameters(plan.task), ...h };
  const fit: LinearModelFit =
    plan.algorithm === 'logistic-regression'
      ? fitLogisticRegression(x, y, { l2: linear.l2, maxIterations: linear.maxIterations, tolerance: linear.tolerance, signal })
      : fitLeastSquares(x, y, { l2: linear.l2 });
  const kind = plan.algorithm === 'logistic-regression' ? 'logistic' : 'linear';
  return {
    predict: (row) => (kind === 'logistic' ? sigmoid(linearScore(fit, row)) : linearScore(fit, row)),
    exportOnnx: (spec) =>
      exportLinearModelToOnnx({
        ...spec,
        kind,
        center: fit.scaling.center,
        scale: fit.scaling.scale,
        coefficients: fit.coefficients,
        intercept: fit.intercept,
      }),
    iterations: fit.iterations,
    converged: fit.converged,
    linear: fit,
  };
}

/** The plan's data, refused if its bytes are not the ones validated (a raw key can be overwritten between steps). */
export async function loadPlannedDataset(objects: TenantObjectStore, plan: Pick<TrainingPlan, 'dataset'>): Promise<LoadedDataset> {
  const dataset = await loadCsvDataset(objects, plan.dataset.key);
  if (dataset.sha256 !== plan.dataset.sha256) {
    throw new ValidationFailed(`dataset '${plan.dataset.key}' changed since the run was validated`, [
      { field: 'dataset', problem: `sha256 ${dataset.sha256} differs from the validated ${plan.dataset.sha256}` },
    ]);
  }
  return dataset;
}

/** The plan's split; binary targets are stratified so both classes reach the hold-out set. */
export function splitFor(plan: Pick<TrainingPlan, 'task' | 'evaluation'>, y: readonly number[]): ReturnType<typeof holdoutSplit> {
  const split = holdoutSplit(y.length, {
    fraction: plan.evaluation.holdoutFraction,
    seed: plan.evaluation.seed,
    strata: plan.task === 'binary' ? y : undefined,
  });
  if (split.train.length < 2 || split.holdout.length < 1) {
    throw new ValidationFailed('the dataset is too small for the requested hold-out fraction', [
      { field: 'evaluation.holdoutFraction', problem: 'leaves no rows to train or evaluate' },
    ]);
  }
  return split;
}
