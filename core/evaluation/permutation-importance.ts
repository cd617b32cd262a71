import { seededRandom } from '../maths/seeded-random';

/** Predictions for a batch of rows: probabilities of class 1 (binary) or values (regression). */
export type BatchPredictor = (rows: readonly (readonly number[])[]) => Promise<readonly number[]> | readonly number[];

/** A metric of (truth, predictions) and which way is better. */
export interface ImportanceMetric {
  readonly name: string;
  readonly higherIsBetter: boolean;
  readonly compute: (truth: readonly number[], predicted: readonly number[]) => number | null;
}

export interface FeatureImportance {
  readonly feature: string;
  /** Mean drop in the metric over the repeats (worse by this much when the feature is shuffled); 0 for a feature the model ignores. */
  readonly mean: number;
  /** Population standard deviation of the drops (numpy's std, ddof 0), as scikit-learn reports it. */
  readonly std: number;
  readonly drops: number[];
}

export interface PermutationImportanceOptions {
  readonly features: readonly string[];
  readonly metric: ImportanceMetric;
  readonly repeats: number;
  readonly seed: number;
  /**
   * The row orders to apply, repeat after repeat (same for every column);
   * given only to reproduce another tool's draws (the scikit-learn fixtures).
   */
  readonly permutations?: readonly (readonly number[])[];
  readonly signal?: AbortSignal;
}

/**
 * Permutation feature importance, defined as scikit-learn's
 * `permutation_importance`: the baseline score on the rows as they are, then
 * for each feature and repeat the column alone is shuffled and the rows
 * scored again; the importance is the drop (baseline − shuffled for a metric
 * where higher is better, shuffled − baseline for an error). As in
 * scikit-learn, the column is shuffled cumulatively (each repeat reorders the
 * previous repeat's column) and every column sees the same sequence of row
 * orders, drawn from `seed` (mulberry32, so not scikit-learn's numbers unless
 * `permutations` are given).
 *
 * @example
 * const result = await permutationImportance(rows => model.predict(rows), x, y,
 *   { features: ['age', 'bmi'], metric: { name: 'r2', higherIsBetter: true, compute: r2 }, repeats: 5, seed: 42 });
 */
export async function permutationImportance(
  predict: BatchPredictor,
  x: readonly (readonly number[])[],
  y: readonly number[],
  options: PermutationImportanceOptions,
): Promise<{ baseline: number; features: FeatureImportance[] }> {
  const { metric, repeats } = options;
  if (x.length !== y.length) throw new RangeError(`rows (${x.length}) and targets (${y.length}) differ in length`);
  if (!Number.isInteger(repeats) || repeats < 1) throw new RangeError(`repeats must be a positive integer, got ${repeats}`);
  const width = x[0]?.length ?? 0;
  if (options.features.length !== width) throw new RangeError(`${options.features.length} feature names for ${width} columns`);
  const orders = options.permutations ?? rowOrders(x.length, repeats, options.seed);
  if (orders.length < repeats || orders.some((o) => o.length !== x.length)) throw new RangeError('permutations must give one row order per repeat');
  const score = async (rows: readonly (readonly number[])[]) => {
    const value = metric.compute(y, await predict(rows));
    return value ?? Number.NaN;
  };
  const baseline = await score(x);
  const features: FeatureImportance[] = [];
  for (let j = 0; j < width; j++) {
    const rows = x.map((row) => row.slice());
    let column = x.map((row) => row[j]);
    const drops: number[] = [];
    for (let r = 0; r < repeats; r++) {
      options.signal?.throwIfAborted();
      const previous = column;
      column = orders[r].map((i) => previous[i]);
      rows.forEach((row, i) => (row[j] = column[i]));
      const shuffled = await score(rows);
      drops.push(metric.higherIsBetter ? baseline - shuffled : shuffled - baseline);
    }
    const mean = drops.reduce((s, v) => s + v, 0) / repeats;
    const std = Math.sqrt(drops.reduce((s, v) => s + (v - mean) ** 2, 0) / repeats);
    features.push({ feature: options.features[j], mean, std, drops });
  }
  return { baseline, features };
}

/** `repeats` cumulative shuffles of 0…n−1 (Fisher–Yates, seeded), the orders every column goes through. */
function rowOrders(n: number, repeats: number, seed: number): number[][] {
  const random = seededRandom(seed);
  const index = Array.from({ length: n }, (_, i) => i);
  const out: number[][] = [];
  for (let r = 0; r < repeats; r++) {
    for (let i = n - 1; i > 0; i--) {
      const k = Math.floor(random() * (i + 1));
      [index[i], index[k]] = [index[k], index[i]];
    }
    out.push(index.slice());
  }
  return out;
}
