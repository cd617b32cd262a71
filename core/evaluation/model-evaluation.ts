import { calibrationBins } from './calibration-bins';
import { averagePrecision, precisionRecallCurve, rocCurvePoints, thinCurve } from './classification-curves';
import { binaryClassificationMetrics, brierScore, logLoss, rocAuc } from './classification-metrics';
import { type EvaluationDetails, evaluationDetailsSchema } from './evaluation-details';
import { attributeFairness, MAX_FAIRNESS_GROUPS } from './fairness-metrics';
import { type BatchPredictor, type ImportanceMetric, permutationImportance } from './permutation-importance';
import { regressionMetrics } from './regression-metrics';
import { residualHistogram } from './residual-histogram';

export type EvaluationTask = 'binary' | 'regression';

/** The headline numbers a platform evaluation records (null where undefined, e.g. precision with no positive prediction). */
export type EvaluationMetrics = Record<string, number | null>;

export interface ProtectedAttributeValues {
  readonly name: string;
  /** The attribute's value on each evaluated row, as text (the CSV cell). */
  readonly values: readonly string[];
  /** The group others are compared with; default: the group with the highest selection rate. */
  readonly reference?: string;
}

export interface ModelEvaluationInput {
  readonly task: EvaluationTask;
  readonly features: readonly string[];
  readonly x: readonly (readonly number[])[];
  /** 0/1 labels (binary) or values (regression). */
  readonly y: readonly number[];
  /** Scores rows: P(class 1) for binary, the prediction for regression. Called once for the rows and once per feature and repeat. */
  readonly predict: BatchPredictor;
  readonly protectedAttributes?: readonly ProtectedAttributeValues[];
  readonly options?: ModelEvaluationOptions;
}

export interface ModelEvaluationOptions {
  /** Decision threshold for the confusion matrix, accuracy, precision, recall, F1 and fairness. @default 0.5 */
  readonly threshold?: number;
  /** @default 10 */
  readonly calibrationBins?: number;
  /** @default 20 */
  readonly histogramBins?: number;
  /** Points kept per curve in the details. @default 101 */
  readonly curvePoints?: number;
  /** Permutation importance; `false` skips it. @default { repeats: 5, seed: 42, metric: 'auc' | 'r2' } */
  readonly importance?: false | { readonly repeats?: number; readonly seed?: number; readonly metric?: string };
  readonly signal?: AbortSignal;
}

export interface ModelEvaluation {
  readonly task: EvaluationTask;
  readonly rows: number;
  readonly metrics: EvaluationMetrics;
  readonly details: EvaluationDetails;
  /** Every curve point (the details keep at most `curvePoints`), for the full report. */
  readonly fullCurves?: { readonly roc: ReturnType<typeof rocCurvePoints>; readonly precisionRecall: ReturnType<typeof precisionRecallCurve> };
}

/** Metrics permutation importance can measure the drop in, by name. */
export function importanceMetric(task: EvaluationTask, name: string, threshold = 0.5): ImportanceMetric {
  const binary: Record<string, ImportanceMetric> = {
    auc: { name, higherIsBetter: true, compute: rocAuc },
    averagePrecision: { name, higherIsBetter: true, compute: averagePrecision },
    accuracy: { name, higherIsBetter: true, compute: (y, p) => binaryClassificationMetrics(y, p, threshold).accuracy },
    f1: { name, higherIsBetter: true, compute: (y, p) => binaryClassificationMetrics(y, p, threshold).f1 },
    logLoss: { name, higherIsBetter: false, compute: logLoss },
    brier: { name, higherIsBetter: false, compute: brierScore },
  };
  const regression: Record<string, ImportanceMetric> = {
    r2: { name, higherIsBetter: true, compute: (y, p) => regressionMetrics(y, p).r2 },
    rmse: { name, higherIsBetter: false, compute: (y, p) => regressionMetrics(y, p).rmse },
    mae: { name, higherIsBetter: false, compute: (y, p) => regressionMetrics(y, p).mae },
  };
  const metric = (task === 'binary' ? binary : regression)[name];
  if (!metric)
    throw new RangeError(
      `permutation importance cannot use '${name}' for ${task} models; use one of ${Object.keys(task === 'binary' ? binary : regression).join(', ')}`,
    );
  return metric;
}

/**
 * The platform's evaluation of a model on labelled rows: every metric,
 * curve and section for the task, each defined as scikit-learn defines it
 * (test/fixtures/evaluation holds the reference values):
 * - binary: accuracy, precision, recall, F1, ROC AUC, log loss, Brier,
 *   average precision; ROC and precision-recall curves; confusion matrix at
 *   the threshold; calibration bins (uniform); fairness per protected
 *   attribute (worst case across attributes also as headline metrics
 *   `disparateImpact`, `demographicParityDifference`, `equalOpportunityDifference`);
 * - regression: RMSE, MAE, R²; residual histogram;
 * - both: permutation feature importance (seeded).
 * The details are checked against their schema before they are returned.
 *
 * @example
 * const evaluation = await evaluateModel({ task: 'binary', features, x, y,
 *   predict: (rows) => scoreWithOnnx(bytes, rows, io),
 *   protectedAttributes: [{ name: 'sex', values: sexColumn }] });
 */
export async function evaluateModel(input: ModelEvaluationInput): Promise<ModelEvaluation> {
  const { task, x, y, options = {} } = input;
  if (x.length !== y.length) throw new RangeError(`rows (${x.length}) and targets (${y.length}) differ in length`);
  const threshold = options.threshold ?? 0.5;
  const curvePoints = options.curvePoints ?? 101;
  const predictions = [...(await input.predict(x))];
  if (predictions.length !== y.length) throw new RangeError(`the model gave ${predictions.length} predictions for ${y.length} rows`);
  const skipped: { section: string; reason: string }[] = [];
  let metrics: EvaluationMetrics;
  let details: EvaluationDetails = { task, rows: y.length };
  let fullCurves: ModelEvaluation['fullCurves'];
  if (task === 'binary') {
    const m = binaryClassificationMetrics(y, predictions, threshold);
    metrics = {
      auc: m.auc,
      accuracy: m.accuracy,
      precision: m.precision,
      recall: m.recall,
      f1: m.f1,
      logLoss: m.logLoss,
      brier: m.brier,
      averagePrecision: averagePrecision(y, predictions),
    };
    const roc = rocCurvePoints(y, predictions);
    const pr = precisionRecallCurve(y, predictions);
    fullCurves = { roc, precisionRecall: pr };
    details = {
      ...details,
      confusion: { threshold, ...m.confusion },
      rocCurve: thinCurve(roc, curvePoints),
      precisionRecallCurve: thinCurve(pr, curvePoints),
    };
    if (predictions.every((p) => p >= 0 && p <= 1)) {
      details.calibration = { strategy: 'uniform', bins: calibrationBins(y, predictions, options.calibrationBins ?? 10) };
    } else skipped.push({ section: 'calibration', reason: 'the scores are not probabilities in [0, 1]' });
    const fairness = [];
    for (const attribute of input.protectedAttributes ?? []) {
      const groups = new Set(attribute.values).size;
      if (groups > MAX_FAIRNESS_GROUPS) {
        skipped.push({
          section: `fairness.${attribute.name}`,
          reason: `${groups} distinct values (continuous?); bin it into at most ${MAX_FAIRNESS_GROUPS} groups`,
        });
        continue;
      }
      fairness.push(attributeFairness(attribute.name, y, predictions, attribute.values, { threshold, reference: attribute.reference }));
    }
    if (fairness.length > 0) {
      details.fairness = fairness;
      const ratios = fairness.flatMap((f) => (f.disparateImpactRatio === null ? [] : [f.disparateImpactRatio]));
      const opportunity = fairness.flatMap((f) => (f.equalOpportunityDifference === null ? [] : [f.equalOpportunityDifference]));
      metrics.disparateImpact = ratios.length > 0 ? Math.min(...ratios) : null;
      metrics.demographicParityDifference = Math.max(...fairness.map((f) => f.demographicParityDifference));
      metrics.equalOpportunityDifference = opportunity.length > 0 ? Math.max(...opportunity) : null;
    }
  } else {
    const m = regressionMetrics(y, predictions);
    metrics = { rmse: m.rmse, mae: m.mae, r2: m.r2 };
    details = { ...details, residualHistogram: residualHistogram(y, predictions, options.histogramBins ?? 20) };
  }
  if (options.importance !== false && x.length > 1 && input.features.length > 0) {
    const settings = options.importance ?? {};
    const metric = importanceMetric(task, settings.metric ?? (task === 'binary' ? 'auc' : 'r2'), threshold);
    const repeats = settings.repeats ?? 5;
    const seed = settings.seed ?? 42;
    const result = await permutationImportance(input.predict, x, y, { features: input.features, metric, repeats, seed, signal: options.signal });
    if (Number.isFinite(result.baseline)) {
      details.featureImportance = {
        metric: metric.name,
        higherIsBetter: metric.higherIsBetter,
        repeats,
        seed,
        baseline: result.baseline,
        features: result.features.map(({ feature, mean, std }) => ({ feature, mean, std })),
      };
    } else skipped.push({ section: 'featureImportance', reason: `${metric.name} is undefined on these rows` });
  }
  if (skipped.length > 0) details.skipped = skipped;
  return { task, rows: y.length, metrics, details: evaluationDetailsSchema.parse(details), ...(fullCurves ? { fullCurves } : {}) };
}
