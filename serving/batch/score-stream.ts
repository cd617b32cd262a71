import { createInterface } from 'node:readline';
import { Readable, type Writable } from 'node:stream';
import { csvCell, readCsvBatches } from '../../core/tabular/csv-rows';
import { csvRowMapper, jsonInstanceRow, looksLikeHeader, RowRejected } from '../payloads/read-input-rows';
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

export interface BatchScoringResult extends BatchProgress {
  readonly millis: number;
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
}

/** Rows of one input batch: the ones that fit the schema, with their numbers, and the ones that did not. */
interface ReadBatch {
  readonly rows: InputRow[];
  readonly numbers: number[];
  readonly rejections: Rejection[];
  readonly read: number;
}

function rejectionOf(error: unknown, row: number): Rejection {
  if (error instanceof RowRejected) return { row, field: error.field, reason: error.problem };
  throw error;
}

async function* csvInput(job: BatchScoringJob, batchRows: number): AsyncGenerator<ReadBatch> {
  let map: ((cells: readonly string[], row: number) => InputRow) | undefined;
  let offset = 0;
  for await (const batch of readCsvBatches(job.input, { header: false, batchSize: batchRows })) {
    let records = batch.records;
    if (!map) {
      const first = records[0];
      if (!first) continue;
      const header = job.csvHeader ?? looksLikeHeader(first.cells, job.model.inputs);
      map = csvRowMapper(job.model, header ? first.cells.map((c) => c.trim()) : undefined);
      if (header) {
        records = records.slice(1);
        offset = 1;
      }
    }
    const out: ReadBatch = { rows: [], numbers: [], rejections: [], read: records.length };
    for (const { row, cells } of records) {
      const number = row - offset;
      try {
        out.rows.push(map(cells, number));
        out.numbers.push(number);
      } catch (error) {
        out.rejections.push(rejectionOf(error, number));
      }
    }
    yield out;
  }
}

async function* jsonlInput(job: BatchScoringJob, batchRows: number): AsyncGenerator<ReadBatch> {
  const source = job.input instanceof Readable ? job.input : Readable.from(job.input);
  const lines = createInterface({ input: source, crlfDelay: Infinity });
  let number = 0;
  let out: ReadBatch = { rows: [], numbers: [], rejections: [], read: 0 };
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
    } catch (error) {
      out.rejections.push(rejectionOf(error, number));
    }
    if (out.read >= batchRows) {
      yield out;
      out = { rows: [], numbers: [], rejections: [], read: 0 };
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
  const { model } = job;
  let rowsIn = 0;
  let rowsOut = 0;
  let rowsRejected = 0;
  if (outputFormat === 'csv') {
    await write(job.output, ['row', ...model.outputColumns].map(csvCell).join(',') + '\n');
    await write(job.rejected, 'row,field,reason\n');
  }
  const batches = job.inputFormat === 'csv' ? csvInput(job, batchRows) : jsonlInput(job, batchRows);
  const finish = async (batch: ReadBatch, answers: readonly (Prediction | RowProblem)[]) => {
    const rejections = [...batch.rejections];
    let out = '';
    for (let i = 0; i < answers.length; i++) {
      const answer = answers[i];
      const row = batch.numbers[i];
      if (answer instanceof RowProblem) {
        rejections.push({ row, field: answer.field, reason: answer.problem });
        continue;
      }
      out += outputFormat === 'csv' ? `${row},${model.toCsvRow(answer).map(csvCell).join(',')}\n` : `${JSON.stringify({ row, prediction: answer })}\n`;
      rowsOut++;
    }
    await write(job.output, out);
    if (rejections.length > 0) {
      rejections.sort((a, b) => a.row - b.row);
      rowsRejected += rejections.length;
      await write(
        job.rejected,
        rejections.map((r) => (outputFormat === 'csv' ? `${r.row},${csvCell(r.field)},${csvCell(r.reason)}\n` : `${JSON.stringify({ row: r.row, field: r.field ?? null, reason: r.reason })}\n`)).join(''),
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
  await Promise.all([drained(job.output), drained(job.rejected)]);
    rowsIn += batch.read;
    pending = { batch, answers };
  }
  if (pending) await finish(pending.batch, await pending.answers);
  await Promise.all([drained(job.output), drained(job.rejected)]);
  return { rowsIn, rowsOut, rowsRejected, millis: performance.now() - started };
}
