import { equalIntervalBreaks } from 'simple-statistics';

/** Bins of the profile histograms, and of the drift baseline taken from them. */
export const HISTOGRAM_BINS = 20;

/**
 * Equal-width bins over [min, max]: `edges` has one more entry than `counts`.
 * Bin i holds values v with edges[i] <= v < edges[i+1]; the last bin also
 * holds max. A constant column has one bin [v, v].
 */
export interface Histogram {
  readonly edges: number[];
  readonly counts: number[];
}

export function histogramEdges(min: number, max: number, bins = HISTOGRAM_BINS): number[] {
  if (!(min <= max)) throw new RangeError(`min ${min} must not exceed max ${max}`);
  if (min === max) return [min, max];
  return equalIntervalBreaks([min, max], bins);
}

/**
 * Counts values into fixed edges. Values are placed by comparing with the
 * edges themselves (not by arithmetic on the width), so a value equal to an
 * edge always lands in the bin that the published edges say it does.
 */
export class HistogramCounter {
  readonly counts: number[];

  constructor(readonly edges: readonly number[]) {
    if (edges.length < 2) throw new RangeError('a histogram needs at least two edges');
    this.counts = new Array<number>(edges.length - 1).fill(0);
  }

  add(value: number): void {
    this.counts[binOf(this.edges, value)]++;
  }

  result(): Histogram {
    return { edges: [...this.edges], counts: [...this.counts] };
  }
}

/** Index of the bin holding `value`; values outside [first, last] edge are clamped to the end bins. */
export function binOf(edges: readonly number[], value: number): number {
  const last = edges.length - 2;
  if (value < edges[1]) return 0;
  if (value >= edges[last]) return last;
  // Largest i with edges[i] <= value, between 1 and last - 1.
  let low = 1;
  let high = last - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (edges[mid] <= value) low = mid;
    else high = mid - 1;
  }
  return low;
}
