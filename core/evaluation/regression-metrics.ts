/** Metrics of a numeric prediction against ground truth; R² is null when the truth is constant. */
export interface RegressionMetrics {
  readonly rmse: number;
  readonly mae: number;
  readonly r2: number | null;
}

export function regressionMetrics(truth: readonly number[], predicted: readonly number[]): RegressionMetrics {
  if (truth.length !== predicted.length) throw new RangeError(`truth (${truth.length}) and predictions (${predicted.length}) differ in length`);
  const n = truth.length;
  if (n === 0) return { rmse: 0, mae: 0, r2: null };
  const mean = truth.reduce((s, v) => s + v, 0) / n;
  let squared = 0;
  let absolute = 0;
  let total = 0;
  truth.forEach((t, i) => {
    const e = t - predicted[i];
    squared += e * e;
    absolute += Math.abs(e);
    total += (t - mean) ** 2;
  });
  return { rmse: Math.sqrt(squared / n), mae: absolute / n, r2: total > 0 ? 1 - squared / total : null };
}
