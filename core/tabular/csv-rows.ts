import { Readable } from 'node:stream';
import { CsvError, parse, type Parser } from 'csv-parse';

/**
 * The one CSV reader of the platform: csv-parse (RFC 4180 quoting, optional
 * BOM, LF or CRLF line ends, even mixed, blank lines skipped), streamed, with
 * records handed over in batches so a million-row file costs one callback per
 * batch instead of one promise per row.
 *
 * It reports structure only (cells as strings): what a cell means (a number,
 * a category, missing) is the caller's, who knows the schema. Records whose
 * width differs from the header are passed on, not refused, so a batch job can
 * reject one row and go on; only errors that leave the rest of the file
 * unreadable (an unclosed quote, a record past {@link MAX_CSV_RECORD_BYTES})
 * end the stream, as a {@link CsvFormatError}.
 */

/** Longest record accepted; bounds the memory one row can take. */
export const MAX_CSV_RECORD_BYTES = 8 * 1024 * 1024;

/** Records per batch when the caller does not say. */
export const DEFAULT_CSV_BATCH_SIZE = 1024;

/** One record: `row` is its 1-based number among the data records (the header is not counted). */
export interface CsvRecord {
  readonly row: number;
  readonly cells: string[];
}

export interface CsvReadOptions {
  /** The first record names the columns (it is returned as `header`, not as a record). @default true */
  readonly header?: boolean;
  /** Records per yielded batch. @default 1024 */
  readonly batchSize?: number;
  /** @default ',' */
  readonly delimiter?: string;
}

/** A CSV the reader cannot go on reading; `line` is the physical line csv-parse stopped at. */
export class CsvFormatError extends Error {
  constructor(readonly reason: string, readonly line: number | undefined, options?: ErrorOptions) {
    super(line === undefined ? `malformed CSV: ${reason}` : `malformed CSV at line ${line}: ${reason}`, options);
    this.name = new.target.name;
  }
}

export interface CsvBatch {
  /** The header's names (trimmed), on every batch when `header` is on. */
  readonly header?: readonly string[];
  readonly records: readonly CsvRecord[];
}

type CsvSource = Readable | AsyncIterable<Uint8Array | string> | Uint8Array | string;

function newParser(options: CsvReadOptions): Parser {
  return parse({
    bom: true,
    delimiter: options.delimiter ?? ',',
    record_delimiter: ['\r\n', '\n'],
    skip_empty_lines: true,
    relax_column_count: true,
    max_record_size: MAX_CSV_RECORD_BYTES,
  });
}

function toReadable(source: CsvSource): Readable {
  if (source instanceof Readable) return source;
  if (typeof source === 'string' || source instanceof Uint8Array) return Readable.from([Buffer.from(source)], { objectMode: false });
  return Readable.from(source, { objectMode: false });
}

function formatError(error: unknown): unknown {
  if (!(error instanceof CsvError)) return error;
  const line = typeof error.lines === 'number' ? error.lines : undefined;
  switch (error.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return new CsvFormatError('a quoted field is never closed', line, { cause: error });
    case 'CSV_MAX_RECORD_SIZE':
      return new CsvFormatError(`a record is longer than ${MAX_CSV_RECORD_BYTES} bytes`, line, { cause: error });
    case 'CSV_INVALID_CLOSING_QUOTE':
      return new CsvFormatError('a field has text after its closing quote', line, { cause: error });
    case 'INVALID_OPENING_QUOTE':
      return new CsvFormatError('a quote appears inside an unquoted field', line, { cause: error });
    default:
      return new CsvFormatError(error.message, line, { cause: error });
  }
}

/**
 * Streams a CSV as batches of records.
 *
 * @example
 * for await (const { header, records } of readCsvBatches(createReadStream('scores.csv'))) {
 *   for (const { row, cells } of records) console.log(row, header?.[0], cells[0]);
 * }
 * @throws CsvFormatError when the rest of the file cannot be read
 */
export async function* readCsvBatches(source: CsvSource, options: CsvReadOptions = {}): AsyncGenerator<CsvBatch> {
  const withHeader = options.header ?? true;
  const batchSize = Math.max(1, options.batchSize ?? DEFAULT_CSV_BATCH_SIZE);
  const parser = newParser(options);
  const input = toReadable(source);
  input.on('error', (error) => parser.destroy(error));
  input.pipe(parser);
  let header: string[] | undefined;
  let row = 0;
  let records: CsvRecord[] = [];
  try {
    for await (const cells of parser as AsyncIterable<string[]>) {
      if (withHeader && !header) {
        header = cells.map((name) => name.trim());
        continue;
      }
      records.push({ row: ++row, cells });
      if (records.length >= batchSize) {
        yield { header, records };
        records = [];
      }
    }
  } catch (error) {
    input.destroy();
    throw formatError(error);
  }
  if (records.length > 0 || (withHeader && row === 0 && header)) yield { header, records };
}

/**
 * Reads a whole CSV held in memory (a request body): the header, if asked for, and every record.
 *
 * @example
 * const { header, records } = await parseCsvText('a,b\n1,2\n');
 * // header: ['a', 'b']; records: [{ row: 1, cells: ['1', '2'] }]
 * @throws CsvFormatError
 */
export async function parseCsvText(text: string | Uint8Array, options: Omit<CsvReadOptions, 'batchSize'> = {}): Promise<{ header?: readonly string[]; records: CsvRecord[] }> {
  let header: readonly string[] | undefined;
  const records: CsvRecord[] = [];
  for await (const batch of readCsvBatches(text, { ...options, batchSize: Number.MAX_SAFE_INTEGER })) {
    header = batch.header;
    records.push(...batch.records);
  }
  return { header, records };
}

/** One CSV cell as RFC 4180 writes it: quoted when it holds a comma, a quote or a line break. */
export function csvCell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
