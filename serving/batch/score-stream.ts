import { createInterface } from 'node:readline';
import { Readable, type Writable } from 'node:stream';
import { csvCell, readCsvBatches } from '../../core/tabular/csv-rows';
import { csvRowMapper, jsonInstanceRow, looksLikeHeader, RowRejected } from '../payloads/read-input-rows';
import { InvalidModelInput } from '../runtimes/runtime-errors';
import { RowProblem, type InputRow, type Prediction, type TabularModel } from '../runtimes/tabular-model';

/** Rows scored per call to the model when the caller does not say. */
export const DEFAULT_BATCH_ROWS = 4096;

export type BatchInputFormat = 'csv' | 'jsonl';
export type BatchOutputFormat = 'csv' | 'jsonl';

export interface BatchProgress {
  /** Data rows read so far (blank lines and the header not counted). */
  readonly rowsIn: number;
  /** Rows scored and written. */
  readonly rowsOut: number;
  /** Rows written to the rejected-rows report. */
  readonly rowsRejected: number;
}

/** Running figures of one numeric output column, enough for count, mean, standard deviation, min and max. */
export interface OutputColumnStatistics {
  count: number;
  sum: number;
  sumSquares: number;
  min: number;
  max: number;
}

export interface BatchScoringResult extends BatchProgress {
  readonly millis: number;
  /** Per numeric output column, over the rows written (monitoring's baseline). */
  readonly statistics: Record<string, OutputColumnStatistics>;
}

/** The CSV header lacks a column the job asked to pass through. */
export class MissingPassthroughColumn extends InvalidModelInput {
  constructor(readonly column: string) {
    super(`the CSV header has no column '${column}' to pass through`);
  }
}

export interface BatchScoringJob {
  /** Any loaded model (`ServedModel.model`). */
  readonly model: TabularModel;
  /** The rows: CSV (with a header, or positional with `csvHeader: false`) or JSON lines, one row object or array per line. */
  readonly input: Readable | AsyncIterable<Uint8Array | string>;
  readonly inputFormat: BatchInputFormat;
  /** Predictions: CSV `row,<model output columns>` with a header, or JSON lines `{"row": n, "prediction": {…}}`. */
  readonly output: Writable;
  /** @default inputFormat */
  readonly outputFormat?: BatchOutputFormat;
  /** Rejected rows: CSV `row,field,reason` with a header, or JSON lines `{"row", "field", "reason"}` (as outputFormat). */
  readonly rejected: Writable;
  /** CSV input: is the first record a header? @default true when it names a model input and holds no number */
  readonly csvHeader?: boolean;
  /** @default 4096 */
  readonly batchRows?: number;
  /**
   * CSV input with a header: columns copied, as they are, into each output
   * and rejected row after its number (an id, a key), so a scored row can be
   * joined back to its source. A named column the header lacks stops the job
   * ({@link MissingPassthroughColumn}).
   */
  readonly passthrough?: readonly string[];
  /** Called after each batch is written. */
  readonly onProgress?: (progress: BatchProgress) => void;
  readonly signal?: AbortSignal;
}

/**
 * How much written output may wait in a sink's buffer before scoring waits
 * for it. A file stream's own mark (16 KiB) is below one batch's output, so
 * waiting on it would stop parsing at every batch while the disk catches up;
 * a few MiB let both go on together and still bound memory.
 */
const MAX_BUFFERED_OUTPUT = 4 * 1024 * 1024;

/** Writes, and waits for the sink to drain once its buffer passes {@link MAX_BUFFERED_OUTPUT} (backpressure). */
async function write(stream: Writable, chunk: string): Promise<void> {
  if (chunk === '') return;
  stream.write(chunk);
  if (stream.writableLength > MAX_BUFFERED_OUTPUT) await drained(stream);
}

/** Waits until the sink has passed on what it buffers (the caller ends the sink; the job only hands it everything). */
async function drained(stream: Writable): Promise<void> {
  if (!stream.writableNeedDrain) return;
  await new Promise<void>((resolve, reject) => {
    const done = (error?: Error) => {
      stream.off('drain', done);
      stream.off('error', done);
      if (error) reject(error);
      else resolve();
    };
    stream.once('drain', done);
    stream.once('error', done);
  });
}

interface Rejection {
  readonly row: number;
  readonly field?: string;
  readonly reason: string;
  /** The passthrough cells, each preceded by a comma, ready to write (CSV). */
  readonly carried: string;
}

/** Rows of one input batch: the ones that fit the schema, with their numbers (and passthrough cells), and the ones that did not. */
interface ReadBatch {
  readonly rows: InputRow[];
  readonly numbers: number[];
  /** Per accepted row, its passthrough cells, each preceded by a comma ('' without passthrough). */
  readonly carried: string[];
  readonly rejections: Rejection[];
  readonly read: number;
}

function rejectionOf(error: unknown, row: number, carried = ''): Rejection {
  if (error instanceof RowRejected) return { row, field: error.field, reason: error.problem, carried };
  throw error;
}

const NUMERIC = new Set(['float', 'double', 'int', 'long']);

/**
 * For models whose inputs are all scalar numbers (most tabular models), a
 * row mapper that converts cells with one `+cell` each and defers to the
 * general mapper (csvRowMapper) for any row it would not accept as is, so
 * refusals, and their messages, are exactly the general mapper's. It accepts
 * what the general mapper accepts for these types: a non-blank cell whose
 * number is finite (and a safe integer for int and long). Parsing a million
 * rows costs about as much as this would without it.
 */
function numericFastPath(
  model: TabularModel,
  columns: readonly number[],
  width: number,
  general: (cells: readonly string[], row: number) => InputRow,
): (cells: readonly string[], row: number) => InputRow {
  const { inputs } = model;
  if (!inputs.every((f) => NUMERIC.has(f.type) && !f.shape)) return general;
  const integer = inputs.map((f) => f.type === 'int' || f.type === 'long');
  return (cells, row) => {
    if (cells.length !== width) return general(cells, row);
    const out = new Array<number>(columns.length);
    for (let i = 0; i < columns.length; i++) {
      const cell = cells[columns[i]];
      const value = +cell;
      if (!Number.isFinite(value) || (value === 0 && cell.trim() === '') || (integer[i] && !Number.isSafeInteger(value))) return general(cells, row);
      out[i] = value;
    }
    return out;
  };
}

async function* csvInput(job: BatchScoringJob, batchRows: number): AsyncGenerator<ReadBatch> {
  let map: ((cells: readonly string[], row: number) => InputRow) | undefined;
  let carriedColumns: number[] = [];
  let offset = 0;
  const carry = (cells: readonly string[]) => {
    let out = '';
    for (let c = 0; c < carriedColumns.length; c++) out += `,${csvCell(cells[carriedColumns[c]] ?? '')}`;
    return out;
  };
  for await (const batch of readCsvBatches(job.input, { header: false, batchSize: batchRows })) {
    let records = batch.records;
    if (!map) {
      const first = records[0];
      if (!first) continue;
      const header = job.csvHeader ?? looksLikeHeader(first.cells, job.model.inputs);
      const names = header ? first.cells.map((c) => c.trim()) : undefined;
      const general = csvRowMapper(job.model, names);
      map = numericFastPath(
        job.model,
        job.model.inputs.map((f, i) => (names ? names.indexOf(f.name) : i)),
        names ? names.length : job.model.inputs.length,
        general,
      );
      carriedColumns = (job.passthrough ?? []).map((name) => {
        const at = names ? names.indexOf(name) : -1;
        if (at < 0) throw new MissingPassthroughColumn(name);
        return at;
      });
      if (header) {
        records = records.slice(1);
        offset = 1;
      }
    }
    const out: ReadBatch = { rows: [], numbers: [], carried: [], rejections: [], read: records.length };
    for (const { row, cells } of records) {
      const number = row - offset;
      try {
        out.rows.push(map(cells, number));
        out.numbers.push(number);
        out.carried.push(carriedColumns.length ? carry(cells) : '');
      } catch (error) {
        out.rejections.push(rejectionOf(error, number, carriedColumns.length ? carry(cells) : ''));
      }
    }
    yield out;
  }
}

async function* jsonlInput(job: BatchScoringJob, batchRows: number): AsyncGenerator<ReadBatch> {
  const source = job.input instanceof Readable ? job.input : Readable.from(job.input);
  const lines = createInterface({ input: source, crlfDelay: Infinity });
  if (job.passthrough?.length) throw new InvalidModelInput('passthrough columns need CSV input with a header');
  let number = 0;
  let out: ReadBatch = { rows: [], numbers: [], carried: [], rejections: [], read: 0 };
  for await (const line of lines) {
    if (line.trim() === '') continue;
    number++;
    (out as { read: number }).read++;
    try {
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (error) {
        throw new RowRejected(number, undefined, `not valid JSON: ${(error as Error).message}`);
      }
      out.rows.push(jsonInstanceRow(value, number, job.model));
      out.numbers.push(number);
      out.carried.push('');
    } catch (error) {
      out.rejections.push(rejectionOf(error, number));
    }
    if (out.read >= batchRows) {
      yield out;
      out = { rows: [], numbers: [], carried: [], rejections: [], read: 0 };
    }
  }
  if (out.read > 0) yield out;
}

/**
 * Scores a stream of rows with a loaded model, batch by batch, without ever
 * holding the whole input: the core of batch scoring, with no storage in it
 * (the batch-score pipeline step passes S3 object streams; tests and the
 * bench pass files).
 *
 * Every input row ends in exactly one place: the output (with its input row
 * number, 1-based, header not counted) or the rejected-rows report (the row
 * number, the field when there is one, and why) — a row that does not fit
 * the schema, or that the model refuses, never stops the job. What does stop
 * it: unreadable input (an unclosed CSV quote), a CSV header that lacks a
 * model input, a failing model or sink.
 *
 * @example
 * const model = await loadModel({ runtime: 'onnx', artifact, ioSchema, sha256 });
 * const counts = await scoreStream({
 *   model: model.model,
 *   input: createReadStream('in.csv'), inputFormat: 'csv',
 *   output: createWriteStream('out.csv'), rejected: createWriteStream('rejected.csv'),
 *   onProgress: ({ rowsIn }) => console.log(rowsIn),
 * });
 * // { rowsIn: 1000, rowsOut: 998, rowsRejected: 2, millis: 41 }
 */
export async function scoreStream(job: BatchScoringJob): Promise<BatchScoringResult> {
  const started = performance.now();
  const batchRows = Math.max(1, job.batchRows ?? DEFAULT_BATCH_ROWS);
  const outputFormat = job.outputFormat ?? job.inputFormat;
  const passthrough = job.passthrough ?? [];
  const { model } = job;
  const columns = model.outputColumns;
  const statistics: Record<string, OutputColumnStatistics> = {};
  let rowsIn = 0;
  let rowsOut = 0;
  let rowsRejected = 0;
  if (outputFormat === 'csv') {
    await write(job.output, ['row', ...passthrough, ...columns].map(csvCell).join(',') + '\n');
    await write(job.rejected, ['row', ...passthrough, 'field', 'reason'].map(csvCell).join(',') + '\n');
  }
  const batches = job.inputFormat === 'csv' ? csvInput(job, batchRows) : jsonlInput(job, batchRows);
  const finish = async (batch: ReadBatch, answers: readonly (Prediction | RowProblem)[]) => {
    const rejections = [...batch.rejections];
    let out = '';
    for (let i = 0; i < answers.length; i++) {
      const answer = answers[i];
      const row = batch.numbers[i];
      if (answer instanceof RowProblem) {
        rejections.push({ row, field: answer.field, reason: answer.problem, carried: batch.carried[i] });
        continue;
      }
      const values = model.toCsvRow(answer);
      if (outputFormat === 'csv') {
        // Built by concatenation: a million rows of array maps and joins cost as much as parsing them.
        let line = `${row}${batch.carried[i]}`;
        for (let c = 0; c < values.length; c++) {
          const value = values[c];
          line += typeof value === 'number' ? `,${value}` : `,${csvCell(value)}`;
        }
        out += `${line}\n`;
      } else {
        out += `${JSON.stringify({ row, prediction: answer })}\n`;
      }
      for (let c = 0; c < values.length; c++) {
        const value = values[c];
        if (typeof value === 'number' && Number.isFinite(value)) addStatistic(statistics, columns[c], value);
      }
      rowsOut++;
    }
    await write(job.output, out);
    if (rejections.length > 0) {
      rejections.sort((a, b) => a.row - b.row);
      rowsRejected += rejections.length;
      await write(
        job.rejected,
        rejections
          .map((r) =>
            outputFormat === 'csv'
              ? `${r.row}${r.carried},${csvCell(r.field)},${csvCell(r.reason)}\n`
              : `${JSON.stringify({ row: r.row, field: r.field ?? null, reason: r.reason })}\n`,
          )
          .join(''),
      );
    }
    job.onProgress?.({ rowsIn, rowsOut, rowsRejected });
  };
  // One batch is scored (by onnxruntime, off the event loop) while the next is parsed.
  let pending: { batch: ReadBatch; answers: Promise<(Prediction | RowProblem)[]> } | undefined;
  for await (const batch of batches) {
    job.signal?.throwIfAborted();
    const answers = batch.rows.length > 0 ? model.predict(batch.rows) : Promise.resolve([]);
    answers.catch(() => undefined); // awaited below, in order; this only keeps an early failure from being unhandled
    if (pending) await finish(pending.batch, await pending.answers);
    rowsIn += batch.read;
    pending = { batch, answers };
  }
  if (pending) await finish(pending.batch, await pending.answers);
  await Promise.all([drained(job.output), drained(job.rejected)]);
  return { rowsIn, rowsOut, rowsRejected, millis: performance.now() - started, statistics };
}

function addStatistic(statistics: Record<string, OutputColumnStatistics>, column: string, value: number): void {
  const s = statistics[column];
  if (!s) {
    statistics[column] = { count: 1, sum: value, sumSquares: value * value, min: value, max: value };
    return;
  }
  s.count++;
  s.sum += value;
  s.sumSquares += value * value;
  if (value < s.min) s.min = value;
  if (value > s.max) s.max = value;
}
