/**
 * The threshold curves of a binary classifier, computed as scikit-learn
 * computes them (`_binary_clf_curve`): rows sorted by score, highest first;
 * one point per distinct score, counting every row scored at least that high
 * as predicted positive. Tied scores are one threshold, never split.
 */

export interface RocPoint {
  readonly fpr: number;
  readonly tpr: number;
  /**
   * Rows scored ≥ threshold are predicted positive. null for the first point
   * (nothing predicted positive), where scikit-learn writes max + 1 or ∞: a
   * value JSON and DynamoDB cannot hold.
   */
  readonly threshold: number | null;
}

export interface PrecisionRecallPoint {
  readonly precision: number;
  readonly recall: number;
  /** null for the closing point (recall 0, precision 1), which has no threshold in scikit-learn either. */
  readonly threshold: number | null;
}

interface ThresholdCounts {
  /** Distinct scores, descending. */
  readonly thresholds: number[];
  /** Positives / negatives scored ≥ thresholds[k]. */
  readonly truePositives: number[];
  readonly falsePositives: number[];
}

function thresholdCounts(labels: readonly number[], scores: readonly number[]): ThresholdCounts {
  if (labels.length !== scores.length) throw new RangeError(`labels (${labels.length}) and scores (${scores.length}) differ in length`);
  const order = scores.map((_, i) => i).sort((a, b) => scores[b] - scores[a]);
  const thresholds: number[] = [];
  const truePositives: number[] = [];
  const falsePositives: number[] = [];
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < order.length; k++) {
    if (labels[order[k]] === 1) tp++;
    else fp++;
    if (k + 1 === order.length || scores[order[k + 1]] !== scores[order[k]]) {
      thresholds.push(scores[order[k]]);
      truePositives.push(tp);
      falsePositives.push(fp);
    }
  }
  return { thresholds, truePositives, falsePositives };
}

/**
 * Every ROC point, as `roc_curve(…, drop_intermediate=False)`: starts at
 * (0, 0), one point per distinct score. Empty when a class is absent.
 */
export function rocCurvePoints(labels: readonly number[], scores: readonly number[]): RocPoint[] {
  const { thresholds, truePositives, falsePositives } = thresholdCounts(labels, scores);
  const positives = truePositives.at(-1) ?? 0;
  const negatives = falsePositives.at(-1) ?? 0;
  if (positives === 0 || negatives === 0) return [];
  const points: RocPoint[] = [{ fpr: 0, tpr: 0, threshold: null }];
  thresholds.forEach((threshold, k) => points.push({ fpr: falsePositives[k] / negatives, tpr: truePositives[k] / positives, threshold }));
  return points;
}

/**
 * The precision-recall curve as scikit-learn 1.2 returns it: ordered by
 * threshold ascending (recall decreasing), every distinct score a point, then
 * the closing point (precision 1, recall 0). Empty when no row is positive.
 */
export function precisionRecallCurve(labels: readonly number[], scores: readonly number[]): PrecisionRecallPoint[] {
  const { thresholds, truePositives, falsePositives } = thresholdCounts(labels, scores);
  const positives = truePositives.at(-1) ?? 0;
  if (positives === 0) return [];
  const points: PrecisionRecallPoint[] = [];
  for (let k = thresholds.length - 1; k >= 0; k--) {
    const predicted = truePositives[k] + falsePositives[k];
    points.push({ precision: predicted > 0 ? truePositives[k] / predicted : 0, recall: truePositives[k] / positives, threshold: thresholds[k] });
  }
  points.push({ precision: 1, recall: 0, threshold: null });
  return points;
}

/**
 * Average precision, `Σ (Rₙ − Rₙ₋₁) · Pₙ` over the thresholds (scikit-learn's
 * `average_precision_score`: a step function, not the trapezoid). Null when no
 * row is positive.
 */
export function averagePrecision(labels: readonly number[], scores: readonly number[]): number | null {
  const curve = precisionRecallCurve(labels, scores);
  if (curve.length === 0) return null;
  let sum = 0;
  for (let k = 0; k + 1 < curve.length; k++) sum += (curve[k].recall - curve[k + 1].recall) * curve[k].precision;
  return sum;
}

/**
 * At most `maxPoints` points of a curve, evenly spaced by index and always
 * keeping the first and last: what a chart needs and what fits in a catalog
 * record; the full curve stays in the evaluation report.
 */
export function thinCurve<T>(points: readonly T[], maxPoints: number): T[] {
  if (points.length <= maxPoints) return points.slice();
  const step = (points.length - 1) / (maxPoints - 1);
  return Array.from({ length: maxPoints }, (_, i) => points[Math.round(i * step)]);
}
