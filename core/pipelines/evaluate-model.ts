import { z } from 'zod';
import type { TenantObjects } from '../adapters/s3/tenant-objects';
import { ValidationFailed } from '../errors';
import { binaryClassificationMetrics, rocCurve } from '../evaluation/classification-metrics';
import { metricNameSchema } from './metric-catalog';
import { evaluationReportKey } from './model-artifact';
import { scoreWithOnnx } from './onnx-scoring';
import { regressionMetrics } from '../evaluation/regression-metrics';
import { loadPlannedDataset, splitFor } from './train-model';
import { datasetTable } from './training-dataset';
import type { TrainingPlan } from './training-request';

export const metricValuesSchema = z.partialRecord(metricNameSchema, z.number().nullable());
export type MetricValues = z.infer<typeof metricValuesSchema>;

export const confusionSchema = z.object({
  truePositive: z.number().int(),
  falsePositive: z.number().int(),
  trueNegative: z.number().int(),
  falseNegative: z.number().int(),
});

export const evaluationResultSchema = z.object({
  task: z.enum(['binary', 'regression']),
  holdoutRows: z.number().int(),
  metrics: metricValuesSchema,
  confusion: confusionSchema.optional(),
  /** Full report (ROC points and all) in the tenant's storage; the state carries only the numbers. */
  reportKey: z.string(),
  /** The evaluation as the catalog recorded it on the version. */
  evaluationId: z.string().optional(),
});

export type EvaluationResult = z.infer<typeof evaluationResultSchema>;

/** What the full report holds besides the numbers: for the console's ROC chart and for auditors. */
export interface EvaluationReport extends EvaluationResult {
  readonly model: { readonly modelId: string; readonly version: number; readonly artifactSha256: string };
  readonly dataset: TrainingPlan['dataset'];
  readonly split: TrainingPlan['evaluation'];
  readonly scoredOutput: string;
  readonly rocCurve?: ReturnType<typeof rocCurve>;
  readonly evaluatedAt: string;
}

/**
 * Scores the hold-out rows (the same split as training, from the plan's
 * seed) with the version's own ONNX artifact through onnxruntime — the bytes
 * the catalog verified, not a copy of the model in memory — and computes AUC,
 * accuracy, log loss, precision, recall, F1 and the confusion matrix (binary),
 * or RMSE, MAE and R² (regression). Writes the full report (with the ROC
 * points) to the run's folder. Refuses data that changed since validation.
 */
export async function evaluateArtifact(
  objects: TenantObjects,
  plan: TrainingPlan,
  subject: { runId: string; version: number; artifact: Uint8Array; artifactSha256: string },
  options: { now: () => Date; signal?: AbortSignal },
): Promise<EvaluationResult> {
  const dataset = await loadPlannedDataset(objects, plan);
  const table = datasetTable(dataset, { target: plan.target, features: plan.features });
  const split = splitFor(plan, table.y);
  options.signal?.throwIfAborted();
  const scoreOutput = plan.outputs.find((o) => o.role === 'score');
  if (!scoreOutput) throw new ValidationFailed('the model declares no score output to evaluate', [{ field: 'outputs', problem: 'no float output' }]);
  const truth = split.holdout.map((i) => table.y[i]);
  const predictions = await scoreWithOnnx(
    subject.artifact,
    split.holdout.map((i) => table.x[i]),
    { inputName: plan.input.name, outputName: scoreOutput.name },
  );
  const reportKey = evaluationReportKey(plan.modelId, subject.runId);
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
  const report: EvaluationReport = {
    ...result,
    model: { modelId: plan.modelId, version: subject.version, artifactSha256: subject.artifactSha256 },
    dataset: plan.dataset,
    split: plan.evaluation,
    scoredOutput: scoreOutput.name,
    ...(curve ? { rocCurve: curve } : {}),
    evaluatedAt: options.now().toISOString(),
  };
  await objects.put(reportKey, JSON.stringify(report), 'application/json');
  return result;
}
