/**
 * Histogram of residuals (truth − prediction) in `bins` equal-width bins from
 * the smallest to the largest residual, counted exactly as `numpy.histogram`
 * counts them: each bin is half-open [lower, upper) except the last, which
 * includes its upper edge. All residuals equal: the range is widened by ±0.5,
 * as numpy does.
 */
export interface ResidualHistogram {
  /** bins + 1 edges, ascending. */
  readonly edges: number[];
  readonly counts: number[];
}

export function residualHistogram(truth: readonly number[], predicted: readonly number[], bins = 20): ResidualHistogram {
  if (truth.length !== predicted.length) throw new RangeError(`truth (${truth.length}) and predictions (${predicted.length}) differ in length`);
  if (!Number.isInteger(bins) || bins < 1) throw new RangeError(`bins must be a positive integer, got ${bins}`);
  const residuals = truth.map((t, i) => t - predicted[i]);
  if (residuals.length === 0) return { edges: [], counts: [] };
  let first = Math.min(...residuals);
  let last = Math.max(...residuals);
  if (first === last) {
    first -= 0.5;
    last += 0.5;
  }
  // numpy.linspace(first, last, bins + 1)
  const step = (last - first) / bins;
  const edges = Array.from({ length: bins + 1 }, (_, i) => (i === bins ? last : i * step + first));
  const counts = new Array<number>(bins).fill(0);
  const norm = bins / (last - first);
  // A range of a few subnormals makes the norm Infinity, and the smallest residual's offset (0) times it NaN: divide instead.
  const binOf = Number.isFinite(norm) ? (r: number) => Math.trunc((r - first) * norm) : (r: number) => Math.trunc(((r - first) / (last - first)) * bins);
  for (const r of residuals) {
    let index = binOf(r);
    if (index === bins) index--;
    // Float rounding can put a value one bin off; numpy corrects against the edges.
    if (r < edges[index]) index--;
    else if (index !== bins - 1 && r >= edges[index + 1]) index++;
    counts[index]++;
  }
  return { edges, counts };
}
