import { Readable } from 'node:stream';
import { CsvError, type Options, parse } from 'csv-parse';
import { CsvError as WholeCsvError, parse as parseWhole } from 'csv-parse/sync';

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
 *
 * Three ways in, one set of parser options, so every caller reads a file the
 * same way: {@link readCsvBatches} (pull, batches: scoring a file),
 * {@link readCsvRecords} (push, one record at a time with its physical line:
 * profiling a dataset, where the first problem in file order is the one to
 * report) and {@link parseCsvTextSync} (text already in memory, read at once:
 * the built-in trainers).
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

/** A record with the physical line it ends on (a quoted field can span lines), for messages a person opens the file at. */
export interface LocatedCsvRecord extends CsvRecord {
  readonly line: number;
}

export interface CsvReadOptions {
  /** The first record names the columns (it is returned as `header`, not as a record). @default true */
  readonly header?: boolean;
  /** Records per yielded batch. @default 1024 */
  readonly batchSize?: number;
  /** @default ',' */
  readonly delimiter?: string;
}

/** What makes the rest of a CSV unreadable, for callers that word it their own way. */
export type CsvFormatProblem = 'unclosed-quote' | 'record-too-long' | 'text-after-closing-quote' | 'quote-in-unquoted-field' | 'other';

/**
 * A CSV the reader cannot go on reading; `line` is the physical line csv-parse
 * stopped at, `field` the 1-based field of the record when the problem is in one.
 */
export class CsvFormatError extends Error {
  constructor(
    readonly problem: CsvFormatProblem,
    readonly reason: string,
    readonly line: number | undefined,
    readonly field?: number,
    options?: ErrorOptions,
  ) {
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

/** The reading rules every entry point shares; a file reads the same whichever way it comes in. */
function parserOptions(options: Pick<CsvReadOptions, 'delimiter'>): Options {
  return {
    bom: true,
    delimiter: options.delimiter ?? ',',
    // Both endings, even mixed in one file (concatenated exports are common).
    record_delimiter: ['\r\n', '\n'],
    skip_empty_lines: true,
    relax_column_count: true,
    max_record_size: MAX_CSV_RECORD_BYTES,
  };
}

function toReadable(source: CsvSource): Readable {
  if (source instanceof Readable) return source;
  if (typeof source === 'string' || source instanceof Uint8Array) return Readable.from([Buffer.from(source)], { objectMode: false });
  return Readable.from(source, { objectMode: false });
}

function formatError(error: unknown): unknown {
  // csv-parse/sync is bundled apart and throws its own copy of the class.
  if (!(error instanceof CsvError || error instanceof WholeCsvError)) return error;
  const line = typeof error.lines === 'number' ? error.lines : undefined;
  // csv-parse reports the 0-based index of the field it was reading as `column`.
  const field = typeof error.column === 'number' ? error.column + 1 : undefined;
  switch (error.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return new CsvFormatError('unclosed-quote', 'a quoted field is never closed', line, undefined, { cause: error });
    case 'CSV_MAX_RECORD_SIZE':
      return new CsvFormatError('record-too-long', `a record is longer than ${MAX_CSV_RECORD_BYTES} bytes`, line, undefined, { cause: error });
    case 'CSV_INVALID_CLOSING_QUOTE':
      return new CsvFormatError('text-after-closing-quote', 'a field has text after its closing quote', line, field, { cause: error });
    case 'INVALID_OPENING_QUOTE':
      return new CsvFormatError('quote-in-unquoted-field', 'a quote appears inside an unquoted field', line, field, { cause: error });
    default:
      return new CsvFormatError('other', error.message, line, undefined, { cause: error });
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
  const parser = parse(parserOptions(options));
  const input = toReadable(source);
  input.on('error', (error) => parser.destroy(error));
  input.pipe(parser);
  let header: string[] | undefined;
  let row = 0;
  let records: CsvRecord[] = [];
  // A caller that stops early (a `break`, a throw in its loop) leaves the source unread: it is closed (a file, an S3 body).
  try {
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
  } finally {
    if (!input.readableEnded) input.destroy();
  }
}

/**
 * Reads a whole CSV held in memory (a request body): the header, if asked for, and every record.
 *
 * @example
 * const { header, records } = await parseCsvText('a,b\n1,2\n');
 * // header: ['a', 'b']; records: [{ row: 1, cells: ['1', '2'] }]
 * @throws CsvFormatError
 */
export async function parseCsvText(
  text: string | Uint8Array,
  options: Omit<CsvReadOptions, 'batchSize'> = {},
): Promise<{ header?: readonly string[]; records: CsvRecord[] }> {
  let header: readonly string[] | undefined;
  const records: CsvRecord[] = [];
  for await (const batch of readCsvBatches(text, { ...options, batchSize: Number.MAX_SAFE_INTEGER })) {
    header = batch.header;
    records.push(...batch.records);
  }
  return { header, records };
}

/** What {@link readCsvRecords} hands each part of the file to, in file order, while it parses. */
export interface CsvRecordHandlers {
  /** The header's names (trimmed), before any record; only when `header` is on. */
  header?(names: readonly string[]): void;
  record(record: LocatedCsvRecord, header: readonly string[] | undefined): void;
}

/**
 * Streams a CSV into handlers called from inside the parser, one record at a
 * time: nothing queues between parser and caller, so a handler that throws
 * stops the reading at that record (its error is rethrown as is), and a
 * problem further on is only met if every record before it was accepted.
 * Resolves with the header, `undefined` for a file with no records at all.
 *
 * @example
 * const { header } = await readCsvRecords(chunks, {
 *   header: (names) => check(names),
 *   record: ({ line, cells }) => profile(cells, line),
 * });
 * @throws CsvFormatError when the rest of the file cannot be read
 */
export async function readCsvRecords(
  source: CsvSource,
  handlers: CsvRecordHandlers,
  options: Omit<CsvReadOptions, 'batchSize'> = {},
): Promise<{ header?: readonly string[]; records: number }> {
  const withHeader = options.header ?? true;
  let header: string[] | undefined;
  let row = 0;
  const parser = parse({
    ...parserOptions(options),
    on_record: (cells: string[], context) => {
      if (withHeader && !header) {
        header = cells.map((name) => name.trim());
        handlers.header?.(header);
      } else handlers.record({ row: ++row, line: context.lines, cells }, header);
      return null;
    },
  });
  const input = toReadable(source);
  input.on('error', (error) => parser.destroy(error));
  input.pipe(parser);
  try {
    for await (const _ of parser) {
      // on_record consumed every record
    }
  } catch (error) {
    input.destroy();
    throw formatError(error);
  }
  return { header, records: row };
}

/**
 * Reads a whole CSV held in memory at once, without streams or promises: for
 * callers that need every record before they can start anyway (the built-in
 * trainers read a file of a few MB into a table). Same rules and errors as
 * {@link parseCsvText}.
 *
 * @example
 * const { header, records } = parseCsvTextSync('a,b\n1,2\n');
 * // header: ['a', 'b']; records: [{ row: 1, cells: ['1', '2'] }]
 * @throws CsvFormatError
 */
export function parseCsvTextSync(
  text: string | Uint8Array,
  options: Omit<CsvReadOptions, 'batchSize'> = {},
): { header?: readonly string[]; records: CsvRecord[] } {
  let all: string[][];
  try {
    all = parseWhole(text, parserOptions(options));
  } catch (error) {
    throw formatError(error);
  }
  const withHeader = options.header ?? true;
  const header = withHeader && all.length > 0 ? all[0].map((name) => name.trim()) : undefined;
  const first = withHeader ? 1 : 0;
  const records: CsvRecord[] = new Array<CsvRecord>(Math.max(0, all.length - first));
  for (let i = first; i < all.length; i++) records[i - first] = { row: i - first + 1, cells: all[i] };
  return { header, records };
}

/** One CSV cell as RFC 4180 writes it: quoted when it holds a comma, a quote or a line break. */
export function csvCell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
