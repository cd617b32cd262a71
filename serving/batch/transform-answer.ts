import { Readable, Writable } from 'node:stream';
import { encodeTransformAnswer } from '../../core/batch/batch-transform';
import type { TabularModel } from '../runtimes/tabular-model';
import { scoreStream } from './score-stream';

/** Keeps what it is given as text. */
class TextSink extends Writable {
  private readonly chunks: Buffer[] = [];

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    done();
  }

  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

/**
 * The serving container's batch mode: one batch-transform request holding a
 * whole partition CSV (header first) scored by the batch engine, every row
 * either in the output (row number, passthrough columns, model outputs) or in
 * the rejected rows (row number, passthrough columns, field, reason), never
 * failing the request for a row. The answer (core/batch/batch-transform.ts)
 * is what SageMaker stores as `<file>.out` and the collector step reads.
 * @throws MissingPassthroughColumn, InvalidModelInput (a header without a model input), CsvFormatError: the request as a whole cannot be scored
 */
export async function answerTransformRequest(model: TabularModel, body: Uint8Array, passthrough: readonly string[]): Promise<string> {
  const output = new TextSink();
  const rejected = new TextSink();
  const result = await scoreStream({
    model,
    input: Readable.from([body]),
    inputFormat: 'csv',
    csvHeader: true,
    passthrough,
    output,
    rejected,
    batchRows: 8192,
  });
  return encodeTransformAnswer({
    rowsIn: result.rowsIn,
    rowsOut: result.rowsOut,
    rowsRejected: result.rowsRejected,
    statistics: result.statistics,
    output: output.text(),
    rejected: result.rowsRejected > 0 ? rejected.text() : '',
  });
}
