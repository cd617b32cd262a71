/**
 * Reliability of predicted probabilities: rows are put in `bins` equal-width
 * bins of [0, 1] by their score, and each bin compares the mean predicted
 * probability with the fraction of positives. Same bins as scikit-learn's
 * `calibration_curve(strategy="uniform")`: edges `i / bins`, a score equal to
 * an inner edge falls in the lower bin (numpy's `searchsorted`, side left).
 * Empty bins are kept (count 0, nulls) so charts keep their axis; scikit-learn
 * drops them.
 */
export interface CalibrationBin {
  readonly lower: number;
  readonly upper: number;
  readonly count: number;
  readonly meanPredicted: number | null;
  readonly fractionPositive: number | null;
}

export function calibrationBins(labels: readonly number[], scores: readonly number[], bins = 10): CalibrationBin[] {
  if (labels.length !== scores.length) throw new RangeError(`labels (${labels.length}) and scores (${scores.length}) differ in length`);
  if (!Number.isInteger(bins) || bins < 1) throw new RangeError(`bins must be a positive integer, got ${bins}`);
  if (scores.some((s) => !(s >= 0 && s <= 1))) throw new RangeError('calibration needs probabilities in [0, 1]');
  // numpy.linspace(0, 1, bins + 1): i · (1 / bins), the last edge exactly 1.
  const step = 1 / bins;
  const edges = Array.from({ length: bins + 1 }, (_, i) => (i === bins ? 1 : i * step));
  const sums = new Array<number>(bins).fill(0);
  const positives = new Array<number>(bins).fill(0);
  const counts = new Array<number>(bins).fill(0);
  scores.forEach((score, i) => {
    let bin = 0;
    while (bin < bins - 1 && edges[bin + 1] < score) bin++;
    sums[bin] += score;
    positives[bin] += labels[i];
    counts[bin]++;
  });
  return counts.map((count, b) => ({
    lower: edges[b],
    upper: edges[b + 1],
    count,
    meanPredicted: count > 0 ? sums[b] / count : null,
    fractionPositive: count > 0 ? positives[b] / count : null,
  }));
}
