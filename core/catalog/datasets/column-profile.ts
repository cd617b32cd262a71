import { quantileSorted } from 'simple-statistics';
import { type Cell, type ColumnType, type KindCounts, resolveColumnType } from './cell-types';
import { type Histogram, HistogramCounter, histogramEdges } from './histogram';
import { ReservoirSample } from './reservoir-sample';

/** The quantiles every numeric column reports, by name. */
export const QUANTILES = { p01: 0.01, p05: 0.05, p25: 0.25, p50: 0.5, p75: 0.75, p95: 0.95, p99: 0.99 } as const;
export type Quantiles = Record<keyof typeof QUANTILES, number>;

export interface ProfileLimits {
  /** Values per numeric column kept for quantiles; beyond this many rows quantiles are estimates. */
  readonly reservoirCapacity: number;
  readonly histogramBins: number;
  /** Distinct values counted per column; beyond it the column has "many" values. */
  readonly distinctLimit: number;
  /** A string column with at most this many distinct values (and repeats) is categorical. */
  readonly categoricalMaxDistinct: number;
  readonly topCategories: number;
  /** Longest category value kept in a profile (longer ones are cut, with an ellipsis). */
  readonly categoryValueMaxLength: number;
  readonly seed: number;
}

export const DEFAULT_PROFILE_LIMITS: ProfileLimits = {
  reservoirCapacity: 100_000,
  histogramBins: 20,
  distinctLimit: 1_000,
  categoricalMaxDistinct: 50,
  topCategories: 20,
  categoryValueMaxLength: 200,
  seed: 0x5eed,
};

export interface CategoryCount {
  readonly value: string;
  readonly count: number;
}

export interface ColumnSchema {
  readonly name: string;
  readonly type: ColumnType;
  readonly categorical: boolean;
  readonly nullable: boolean;
}

export interface ColumnProfile extends ColumnSchema {
  /** Non-missing values. */
  readonly count: number;
  readonly missing: number;
  /** Distinct non-missing values, when at most `distinctLimit`. */
  readonly distinct?: number;
  /** Numeric columns: numbers; datetime columns: ISO 8601 strings. */
  readonly min?: number | string;
  readonly max?: number | string;
  readonly mean?: number;
  /** Sample standard deviation (n − 1 denominator); 0 for a single value. */
  readonly std?: number;
  readonly quantiles?: Quantiles;
  /** True when the quantiles come from a sample of `reservoirCapacity` values rather than all of them. */
  readonly quantilesEstimated?: boolean;
  readonly histogram?: Histogram;
  /** Categorical and boolean columns: most frequent values first, then by value. */
  readonly topCategories?: CategoryCount[];
  /** Values outside topCategories. */
  readonly otherCount?: number;
}

/**
 * Streaming statistics of one column: memory is bounded by the reservoir and
 * the distinct-value map, whatever the number of rows. Mean and variance use
 * Welford's update (exact and numerically stable in one pass); min and max are
 * exact; quantiles come from the reservoir.
 */
export class ColumnAccumulator {
  private readonly kinds: KindCounts = { number: 0, integer: 0, boolean: 0, datetime: 0, string: 0 };
  private missing = 0;
  private mean = 0;
  private m2 = 0;
  private min = Infinity;
  private max = -Infinity;
  private minTime = Infinity;
  private maxTime = -Infinity;
  private readonly sample: ReservoirSample;
  private distinct: Map<string, number> | undefined = new Map();

  constructor(
    readonly name: string,
    private readonly limits: ProfileLimits = DEFAULT_PROFILE_LIMITS,
    seed = limits.seed,
  ) {
    this.sample = new ReservoirSample(limits.reservoirCapacity, seed);
  }

  /** Rows before this column first appeared (JSON Lines) are missing values. */
  addMissing(rows: number): void {
    this.missing += rows;
  }

  add(cell: Cell): void {
    switch (cell.kind) {
      case 'missing':
        this.missing++;
        return;
      case 'number': {
        this.kinds.number++;
        if (cell.integer) this.kinds.integer++;
        const n = this.kinds.number;
        const delta = cell.value - this.mean;
        this.mean += delta / n;
        this.m2 += delta * (cell.value - this.mean);
        if (cell.value < this.min) this.min = cell.value;
        if (cell.value > this.max) this.max = cell.value;
        this.sample.add(cell.value);
        break;
      }
      case 'datetime':
        this.kinds.datetime++;
        if (cell.epochMs < this.minTime) this.minTime = cell.epochMs;
        if (cell.epochMs > this.maxTime) this.maxTime = cell.epochMs;
        break;
      case 'boolean':
        this.kinds.boolean++;
        break;
      case 'string':
        this.kinds.string++;
        break;
    }
    this.countDistinct(cell.text);
  }

  get type(): ColumnType {
    return resolveColumnType(this.kinds);
  }

  /** True when a histogram needs a second pass: the reservoir no longer holds every value. */
  get needsHistogramPass(): boolean {
    return (this.type === 'integer' || this.type === 'number') && !this.sample.complete;
  }

  /** Edges of this column's histogram, once every row was seen (numeric columns only). */
  histogramEdges(): number[] | undefined {
    if (this.type !== 'integer' && this.type !== 'number') return undefined;
    if (this.kinds.number === 0) return undefined;
    return histogramEdges(this.min, this.max, this.limits.histogramBins);
  }

  /**
   * The column's profile. `histogram` is given when a second pass counted it
   * (more values than the reservoir holds); otherwise it is counted from the
   * reservoir, which then holds every value.
   */
  profile(histogram?: Histogram): ColumnProfile {
    const type = this.type;
    const present = this.kinds.number + this.kinds.boolean + this.kinds.datetime + this.kinds.string;
    const distinctCount = this.distinct?.size;
    const categorical =
      type === 'string' &&
      distinctCount !== undefined &&
      distinctCount > 0 &&
      distinctCount <= this.limits.categoricalMaxDistinct &&
      distinctCount <= Math.max(1, present / 2);
    const base = {
      name: this.name,
      type,
      categorical,
      nullable: this.missing > 0,
      count: present,
      missing: this.missing,
      ...(distinctCount === undefined ? {} : { distinct: distinctCount }),
    };
    if ((type === 'integer' || type === 'number') && present > 0) {
      const sorted = this.sample.sorted();
      const values = Array.from(sorted);
      const quantiles = Object.fromEntries(Object.entries(QUANTILES).map(([name, p]) => [name, quantileSorted(values, p)])) as Quantiles;
      return {
        ...base,
        min: this.min,
        max: this.max,
        mean: this.mean,
        std: present > 1 ? Math.sqrt(this.m2 / (present - 1)) : 0,
        quantiles,
        quantilesEstimated: !this.sample.complete,
        histogram: histogram ?? this.histogramFromSample(sorted),
      };
    }
    if (type === 'datetime') return { ...base, min: new Date(this.minTime).toISOString(), max: new Date(this.maxTime).toISOString() };
    if (categorical || type === 'boolean') return { ...base, ...this.categories(present) };
    return base;
  }

  private histogramFromSample(sorted: Float64Array): Histogram {
    if (!this.sample.complete)
      throw new Error(`column '${this.name}' needs a histogram pass: ${this.sample.count} values, reservoir of ${this.sample.capacity}`);
    const counter = new HistogramCounter(histogramEdges(this.min, this.max, this.limits.histogramBins));
    for (const value of sorted) counter.add(value);
    return counter.result();
  }

  private categories(present: number): { topCategories: CategoryCount[]; otherCount: number } {
    const all = [...(this.distinct ?? new Map<string, number>()).entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const top = all.slice(0, this.limits.topCategories).map(([value, count]) => ({ value, count }));
    return { topCategories: top, otherCount: present - top.reduce((sum, c) => sum + c.count, 0) };
  }

  private clip(value: string): string {
    const max = this.limits.categoryValueMaxLength;
    return value.length <= max ? value : `${value.slice(0, max - 1)}…`;
  }

  private countDistinct(text: string): void {
    if (!this.distinct) return;
    const key = this.clip(text);
    this.distinct.set(key, (this.distinct.get(key) ?? 0) + 1);
    // Past the limit the column has "many" values: drop the map to keep memory bounded.
    if (this.distinct.size > this.limits.distinctLimit) this.distinct = undefined;
  }
}
