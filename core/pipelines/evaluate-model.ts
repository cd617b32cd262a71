import { z } from 'zod';
import type { TenantObjectStore } from '../ports/object-store';
import { ValidationFailed } from '../errors';
import type { PrecisionRecallPoint, RocPoint } from '../evaluation/classification-curves';
import type { EvaluationDetails } from '../evaluation/evaluation-details';
import { evaluateModel, importanceMetric, type ModelEvaluation } from '../evaluation/model-evaluation';
import { METRICS, metricNameSchema } from './metric-catalog';
import { evaluationReportKey } from './model-artifact';
import { openOnnxScorer } from './onnx-scoring';
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

/** What the full report holds besides the numbers: for the console's charts and for auditors. */
export interface EvaluationReport extends EvaluationResult {
  readonly model: { readonly modelId: string; readonly version: number; readonly artifactSha256: string };
  readonly dataset: TrainingPlan['dataset'];
  readonly split: TrainingPlan['evaluation'];
  readonly scoredOutput: string;
  readonly details: EvaluationDetails;
  /** Every point of the curves (the details keep at most 101 each). */
  readonly rocCurve?: RocPoint[];
  readonly precisionRecallCurve?: PrecisionRecallPoint[];
  readonly evaluatedAt: string;
}

/** The metric permutation importance measures: the policy's, when importance can use it. */
function importanceMetricName(plan: TrainingPlan): string | undefined {
  try {
    importanceMetric(plan.task, plan.policy.metric);
    return plan.policy.metric;
  } catch {
    return undefined;
  }
}

/**
 * Scores the hold-out rows (the same split as training, from the plan's
 * seed) with the version's own ONNX artifact through onnxruntime — the bytes
 * the catalog verified, not a copy of the model in memory — and computes the
 * full evaluation (core/evaluation/model-evaluation.ts): every metric, the
 * curves, confusion matrix, calibration, permutation importance and fairness
 * per protected attribute of the dataset version (binary), or the error
 * metrics and residual histogram (regression). Writes the full report to the
 * run's folder and returns the numbers with the details (the caller stores
 * the details on the catalog's evaluation record and keeps them out of the
 * pipeline state). Refuses data that changed since validation.
 */
export async function evaluateArtifact(
  objects: TenantObjectStore,
  plan: TrainingPlan,
  subject: { runId: string; version: number; artifact: Uint8Array; artifactSha256: string },
  options: { now: () => Date; signal?: AbortSignal; /** false: no permutation importance (its cost is features × 5 scorings). */ importance?: false },
): Promise<EvaluationResult & { details: EvaluationDetails }> {
  const dataset = await loadPlannedDataset(objects, plan);
  const table = datasetTable(dataset, { target: plan.target, features: plan.features });
  const split = splitFor(plan, table.y);
  options.signal?.throwIfAborted();
  const scoreOutput = plan.outputs.find((o) => o.role === 'score');
  if (!scoreOutput) throw new ValidationFailed('the model declares no score output to evaluate', [{ field: 'outputs', problem: 'no float output' }]);
  const { header, rows } = dataset.csv;
  const attributes = (plan.dataset.protectedAttributes ?? []).map((name) => ({ name, column: header.indexOf(name) }));
  const scorer = await openOnnxScorer(subject.artifact, { inputName: plan.input.name, outputName: scoreOutput.name });
  let evaluation: ModelEvaluation;
  try {
    const metric = importanceMetricName(plan);
    evaluation = await evaluateModel({
      task: plan.task,
      features: plan.features,
      x: split.holdout.map((i) => table.x[i]),
      y: split.holdout.map((i) => table.y[i]),
      predict: (batch) => scorer.score(batch),
      protectedAttributes: attributes.filter((a) => a.column >= 0).map((a) => ({ name: a.name, values: split.holdout.map((i) => rows[i][a.column].trim()) })),
      options: { importance: options.importance === false ? false : { seed: plan.evaluation.seed, ...(metric ? { metric } : {}) }, signal: options.signal },
    });
  } finally {
    await scorer.release();
  }
  const missing = attributes.filter((a) => a.column < 0).map((a) => ({ section: `fairness.${a.name}`, reason: `no column '${a.name}' in the evaluated data` }));
  const details: EvaluationDetails =
    missing.length > 0 ? { ...evaluation.details, skipped: [...(evaluation.details.skipped ?? []), ...missing] } : evaluation.details;
  const reportKey = evaluationReportKey(plan.modelId, subject.runId);
  const metrics = metricValuesSchema.parse(Object.fromEntries(Object.entries(evaluation.metrics).filter(([name]) => name in METRICS)));
  const result: EvaluationResult = {
    task: plan.task,
    holdoutRows: evaluation.rows,
    metrics,
    ...(details.confusion
      ? {
          confusion: {
            truePositive: details.confusion.truePositive,
            falsePositive: details.confusion.falsePositive,
            trueNegative: details.confusion.trueNegative,
            falseNegative: details.confusion.falseNegative,
          },
        }
      : {}),
    reportKey,
  };
  const report: EvaluationReport = {
    ...result,
    model: { modelId: plan.modelId, version: subject.version, artifactSha256: subject.artifactSha256 },
    dataset: plan.dataset,
    split: plan.evaluation,
    scoredOutput: scoreOutput.name,
    details,
    ...(evaluation.fullCurves ? { rocCurve: evaluation.fullCurves.roc, precisionRecallCurve: evaluation.fullCurves.precisionRecall } : {}),
    evaluatedAt: options.now().toISOString(),
  };
  await objects.put(reportKey, JSON.stringify(report), 'application/json');
  return { ...result, details };
}
