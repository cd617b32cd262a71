import { z } from 'zod';
import type { TenantObjects } from '../adapters/s3/tenant-objects';
import { ValidationFailed } from '../errors';
import { binaryClassificationMetrics, rocCurve } from './classification-metrics';
import { metricNameSchema } from './metric-catalog';
import { evaluationReportKey, predict, readModelArtifact } from './model-artifact';
import { regressionMetrics } from './regression-metrics';
import { splitFor, type TrainingResult } from './train-model';
import { datasetTable, loadCsvDataset } from './training-dataset';
import type { TrainingPlan } from './training-request';

export const metricValuesSchema = z.partialRecord(metricNameSchema, z.number().nullable());
export type MetricValues = z.infer<typeof metricValuesSchema>;

export const evaluationResultSchema = z.object({
  task: z.enum(['binary', 'regression']),
  holdoutRows: z.number().int(),
  metrics: metricValuesSchema,
  confusion: z
    .object({ truePositive: z.number().int(), falsePositive: z.number().int(), trueNegative: z.number().int(), falseNegative: z.number().int() })
    .optional(),
  /** Full report (ROC points and all) in the tenant's storage; the state carries only the numbers. */
  reportKey: z.string(),
});

export type EvaluationResult = z.infer<typeof evaluationResultSchema>;

/**
 * Scores the hold-out rows (the same split as training, from the plan's seed)
 * with the trained artifact and computes AUC, accuracy, log loss, precision,
 * recall and F1 for binary models, or RMSE, MAE and R² for regression.
 * Refuses to evaluate if the dataset changed since training.
 */
export async function evaluateModel(
  objects: TenantObjects,
  plan: TrainingPlan,
  training: Pick<TrainingResult, 'artifactKey' | 'runId' | 'dataset'>,
  options: { now: () => Date; signal?: AbortSignal },
): Promise<EvaluationResult> {
  const artifact = await readModelArtifact(objects, training.artifactKey);
  const dataset = await loadCsvDataset(objects, plan.dataset.key);
  if (dataset.sha256 !== training.dataset.sha256) {
    throw new ValidationFailed(`dataset '${plan.dataset.key}' changed between training and evaluation`, [
      { field: 'dataset.key', problem: `sha256 ${dataset.sha256} differs from the trained ${training.dataset.sha256}` },
    ]);
  }
  const table = datasetTable(dataset, { target: plan.target, features: artifact.features });
  const split = splitFor(plan, table.y);
  options.signal?.throwIfAborted();
  const truth = split.holdout.map((i) => table.y[i]);
  const predictions = split.holdout.map((i) => predict(artifact, table.x[i]));
  const reportKey = evaluationReportKey(plan.modelName, training.runId);
  let result: EvaluationResult;
  let curve: ReturnType<typeof rocCurve> | undefined;
  if (plan.task === 'binary') {
    const m = binaryClassificationMetrics(truth, predictions);
    curve = rocCurve(truth, predictions);
    result = {
      task: plan.task,
      holdoutRows: truth.length,
      metrics: { auc: m.auc, accuracy: m.accuracy, logLoss: m.logLoss, precision: m.precision, recall: m.recall, f1: m.f1 },
      confusion: { ...m.confusion },
      reportKey,
    };
  } else {
    const m = regressionMetrics(truth, predictions);
    result = { task: plan.task, holdoutRows: truth.length, metrics: { rmse: m.rmse, mae: m.mae, r2: m.r2 }, reportKey };
  }
  const report = {
    ...result,
    artifactKey: training.artifactKey,
    dataset: training.dataset,
    split: plan.evaluation,
    ...(curve ? { rocCurve: curve } : {}),
    evaluatedAt: options.now().toISOString(),
  };
  await objects.put(reportKey, JSON.stringify(report), 'application/json');
  return result;
}
