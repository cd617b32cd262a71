import { type RocPoint, rocCurvePoints, thinCurve } from './classification-curves';

/**
 * Metrics of a binary classifier on labelled rows (labels 0/1, scores are
 * probabilities of class 1). Undefined metrics (AUC with one class present,
 * precision with no positive prediction) are null, never NaN: they are stored
 * in DynamoDB and shown as "n/a".
 */
export interface BinaryClassificationMetrics {
  readonly auc: number | null;
  readonly accuracy: number;
  readonly logLoss: number;
  readonly precision: number | null;
  readonly recall: number | null;
  readonly f1: number | null;
  readonly brier: number;
  readonly confusion: { readonly truePositive: number; readonly falsePositive: number; readonly trueNegative: number; readonly falseNegative: number };
  readonly threshold: number;
}

export function binaryClassificationMetrics(labels: readonly number[], scores: readonly number[], threshold = 0.5): BinaryClassificationMetrics {
  assertSameLength(labels, scores);
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  labels.forEach((label, i) => {
    const predicted = scores[i] >= threshold ? 1 : 0;
    if (predicted === 1) {
      if (label === 1) tp++;
      else fp++;
    } else if (label === 1) fn++;
    else tn++;
  });
  const precision = tp + fp > 0 ? tp / (tp + fp) : null;
  const recall = tp + fn > 0 ? tp / (tp + fn) : null;
  const f1 = precision !== null && recall !== null && precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : null;
  return {
    auc: rocAuc(labels, scores),
    accuracy: labels.length > 0 ? (tp + tn) / labels.length : 0,
    logLoss: logLoss(labels, scores),
    brier: brierScore(labels, scores),
    precision,
    recall,
    f1,
    confusion: { truePositive: tp, falsePositive: fp, trueNegative: tn, falseNegative: fn },
    threshold,
  };
}

/**
 * Area under the ROC curve by the rank-sum (Mann–Whitney U) formula; tied
 * scores get their average rank, so a tie between a positive and a negative
 * counts one half, as on the ROC curve.
 */
export function rocAuc(labels: readonly number[], scores: readonly number[]): number | null {
  assertSameLength(labels, scores);
  const positives = labels.filter((l) => l === 1).length;
  const negatives = labels.length - positives;
  if (positives === 0 || negatives === 0) return null;
  const order = scores.map((s, i) => i).sort((a, b) => scores[a] - scores[b]);
  let rankSumPositives = 0;
  for (let start = 0; start < order.length;) {
    let end = start;
    while (end + 1 < order.length && scores[order[end + 1]] === scores[order[start]]) end++;
    const averageRank = (start + end) / 2 + 1;
    for (let k = start; k <= end; k++) if (labels[order[k]] === 1) rankSumPositives += averageRank;
    start = end + 1;
  }
  return (rankSumPositives - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/**
 * Mean negative log-likelihood. Probabilities are clipped to [ε, 1 − ε] with
 * ε the float64 machine epsilon, as scikit-learn (≥ 1.2, `eps="auto"`) does.
 */
export function logLoss(labels: readonly number[], scores: readonly number[]): number {
  assertSameLength(labels, scores);
  if (labels.length === 0) return 0;
  const eps = Number.EPSILON;
  let sum = 0;
  labels.forEach((label, i) => {
    const p = Math.min(1 - eps, Math.max(eps, scores[i]));
    sum += label === 1 ? -Math.log(p) : -Math.log(1 - p);
  });
  return sum / labels.length;
}

/** Mean squared difference between the probability and the 0/1 outcome (scikit-learn's `brier_score_loss`). */
export function brierScore(labels: readonly number[], scores: readonly number[]): number {
  assertSameLength(labels, scores);
  if (labels.length === 0) return 0;
  let sum = 0;
  labels.forEach((label, i) => (sum += (scores[i] - label) ** 2));
  return sum / labels.length;
}

/** ROC curve points (false-positive rate, true-positive rate), one per distinct score, thinned to at most `maxPoints`. */
export function rocCurve(labels: readonly number[], scores: readonly number[], maxPoints = 101): RocPoint[] {
  return thinCurve(rocCurvePoints(labels, scores), maxPoints);
}

export function assertSameLength(a: readonly unknown[], b: readonly unknown[]): void {
  if (a.length !== b.length) throw new RangeError(`labels (${a.length}) and scores (${b.length}) differ in length`);
}
