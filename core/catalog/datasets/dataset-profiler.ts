import { type Cell, cellFromText, cellFromValue } from './cell-types';
import { ColumnAccumulator, type ColumnProfile, type ColumnSchema, DEFAULT_PROFILE_LIMITS, type ProfileLimits } from './column-profile';
import { MalformedDataset } from './dataset-problems';
import { type Histogram, HistogramCounter } from './histogram';

export const DATASET_FORMATS = ['csv', 'jsonl', 'parquet'] as const;
export type DatasetFormat = (typeof DATASET_FORMATS)[number];

/** Widest dataset accepted: the schema is kept in the version item (DynamoDB's 400 KB). */
export const MAX_COLUMNS = 1_000;
export const MAX_COLUMN_NAME_LENGTH = 200;

export interface DatasetProfile {
  readonly rowCount: number;
  readonly columns: ColumnProfile[];
  /** Values per numeric column kept for quantiles; with more rows than this, quantiles are estimates. */
  readonly reservoirCapacity: number;
  readonly quantilesEstimated: boolean;
}

/** A row as the readers produce it: values aligned with `header` (shorter rows: trailing columns missing). */
export type RowSink = (values: ArrayLike<unknown>, header: readonly string[]) => void;

/** CSV cells are text and typed by spelling; JSON Lines and Parquet cells carry their own type. */
export function cellReaderFor(format: DatasetFormat): (value: unknown) => Cell {
  return format === 'csv' ? (value) => (typeof value === 'string' ? cellFromText(value) : cellFromValue(value)) : cellFromValue;
}

/**
 * Profiles a dataset row by row in one pass with bounded memory. When a
 * numeric column has more values than the reservoir holds, its histogram needs
 * a second pass over the file with the edges this pass found (`histogramPlan`),
 * so that histogram counts are always exact.
 *
 * @example
 * const profiler = new DatasetProfiler('csv');
 * profiler.addRow(['1', 'a'], ['x', 'y']);
 * const profile = profiler.finish();
 */
export class DatasetProfiler {
  private readonly accumulators: ColumnAccumulator[] = [];
  private readonly cellOf: (value: unknown) => Cell;
  private rows = 0;

  constructor(
    readonly format: DatasetFormat,
    private readonly limits: ProfileLimits = DEFAULT_PROFILE_LIMITS,
  ) {
    this.cellOf = cellReaderFor(format);
  }

  get rowCount(): number {
    return this.rows;
  }

  readonly addRow: RowSink = (values, header) => {
    if (header.length > this.accumulators.length) this.addColumns(header);
    const cols = this.accumulators;
    for (let i = 0; i < cols.length; i++) cols[i].add(this.cellOf(i < values.length ? values[i] : undefined));
    this.rows++;
  };

  /** Numeric columns whose histograms need a second pass, with their edges. */
  histogramPlan(): Map<number, number[]> {
    const plan = new Map<number, number[]>();
    this.accumulators.forEach((column, index) => {
      const edges = column.needsHistogramPass ? column.histogramEdges() : undefined;
      if (edges) plan.set(index, edges);
    });
    return plan;
  }

  finish(histograms: ReadonlyMap<number, Histogram> = new Map()): DatasetProfile {
    const columns = this.accumulators.map((column, index) => column.profile(histograms.get(index)));
    return {
      rowCount: this.rows,
      columns,
      reservoirCapacity: this.limits.reservoirCapacity,
      quantilesEstimated: columns.some((c) => c.quantilesEstimated === true),
    };
  }

  private addColumns(header: readonly string[]): void {
    if (header.length > MAX_COLUMNS) {
      throw new MalformedDataset(
        this.format,
        `more than ${MAX_COLUMNS} columns (found ${header.length})`,
        this.format === 'jsonl' ? { line: this.rows + 1 } : {},
      );
    }
    for (let i = this.accumulators.length; i < header.length; i++) {
      const name = header[i];
      if (name.length > MAX_COLUMN_NAME_LENGTH)
        throw new MalformedDataset(this.format, `column ${i + 1}'s name is longer than ${MAX_COLUMN_NAME_LENGTH} characters`);
      const column = new ColumnAccumulator(name, this.limits, (this.limits.seed + i * 0x9e3779b1) >>> 0);
      column.addMissing(this.rows);
      this.accumulators.push(column);
    }
  }
}

/** The second pass: exact histogram counts for the planned columns, with the first pass's edges. */
export class HistogramPass {
  private readonly counters: Map<number, HistogramCounter>;
  private readonly cellOf: (value: unknown) => Cell;

  constructor(format: DatasetFormat, plan: ReadonlyMap<number, readonly number[]>) {
    this.cellOf = cellReaderFor(format);
    this.counters = new Map([...plan].map(([index, edges]) => [index, new HistogramCounter(edges)]));
  }

  readonly addRow: RowSink = (values) => {
    for (const [index, counter] of this.counters) {
      const cell = this.cellOf(index < values.length ? values[index] : undefined);
      if (cell.kind === 'number') counter.add(cell.value);
    }
  };

  result(): Map<number, Histogram> {
    return new Map([...this.counters].map(([index, counter]) => [index, counter.result()]));
  }
}

/** The schema part of a profile: what a model's input contract is checked against. */
export function schemaOf(profile: DatasetProfile): ColumnSchema[] {
  return profile.columns.map(({ name, type, categorical, nullable }) => ({ name, type, categorical, nullable }));
}
