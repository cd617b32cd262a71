import { StewardError } from '../../errors';
import { CsvFormatError, MAX_CSV_RECORD_BYTES, readCsvRecords } from '../../tabular/csv-rows';
import { MalformedDataset } from './dataset-problems';
import type { RowSink } from './dataset-profiler';

/** Longest CSV record or JSON line accepted; bounds the memory one row can take. */
export const MAX_RECORD_BYTES = MAX_CSV_RECORD_BYTES;

/**
 * Caps on what one Parquet row group may decode to: row groups are decoded
 * whole, and a small file can declare (and, compressed, hold) row groups that
 * decode to gigabytes. Checked against the footer before any page is read.
 */
export interface ParquetDecodeLimits {
  /** Largest uncompressed size of one row group (sum of its column chunks). */
  readonly maxRowGroupDecodedBytes: number;
  /** Most cells (rows × columns) in one row group. */
  readonly maxRowGroupCells: number;
}

export const DEFAULT_PARQUET_LIMITS: ParquetDecodeLimits = {
  maxRowGroupDecodedBytes: 256 * 1024 * 1024,
  maxRowGroupCells: 20_000_000,
};

/** A file refused because reading it would pass a decode cap; the message names the limit. */
export class DecodeLimitExceeded extends MalformedDataset {}

/** Random access to an object's bytes (Parquet reads its footer, then row groups). */
export interface ByteRangeSource {
  readonly byteLength: number;
  slice(start: number, end?: number): Promise<ArrayBuffer>;
}

/**
 * Streams a CSV with a header row (RFC 4180 quoting, optional BOM, LF or CRLF
 * line ends, blank lines skipped) into `onRow`, one record at a time, through
 * the platform's one CSV reader. Every record must have as many fields as the
 * header; the first problem in file order is the one reported, with its line.
 */
export async function readCsv(chunks: AsyncIterable<Uint8Array>, onRow: RowSink): Promise<void> {
  let header: readonly string[] | undefined;
  try {
    // Records are handled inside the parser, in order: nothing queues up, and
    // the header is known when a later record turns out malformed.
    const read = await readCsvRecords(asBuffers(chunks), {
      header: (names) => {
        header = checkedHeader(names);
      },
      record: ({ cells, line }, names = []) => {
        if (cells.length !== names.length)
          throw new MalformedDataset('csv', `expected ${names.length} fields like the header, found ${cells.length}`, { line });
        onRow(cells, names);
      },
    });
    if (!read.header) throw new MalformedDataset('csv', 'the file is empty; a CSV dataset starts with a header row', { line: 1 });
  } catch (error) {
    if (error instanceof CsvFormatError) throw csvProblem(error, header);
    throw error;
  }
}

function checkedHeader(record: readonly string[]): string[] {
  const names = record.map((name) => name.trim());
  const seen = new Map<string, number>();
  names.forEach((name, i) => {
    if (!name) throw new MalformedDataset('csv', 'the header has an empty column name', { line: 1, column: i + 1 });
    const previous = seen.get(name);
    if (previous !== undefined)
      throw new MalformedDataset('csv', `column name '${name}' appears twice (columns ${previous + 1} and ${i + 1})`, { line: 1, column: i + 1 });
    seen.set(name, i);
  });
  return names;
}

function csvProblem(error: CsvFormatError, header: readonly string[] | undefined): MalformedDataset {
  const { line, field } = error;
  const named = (n: number | undefined) => (n !== undefined && header?.[n - 1] ? ` ('${header[n - 1]}')` : '');
  switch (error.problem) {
    case 'text-after-closing-quote':
      return new MalformedDataset('csv', `field ${field ?? '?'}${named(field)} has text after its closing quote`, { line, column: field }, { cause: error });
    case 'quote-in-unquoted-field':
      return new MalformedDataset(
        'csv',
        `field ${field ?? '?'}${named(field)} has a quote inside an unquoted value`,
        { line, column: field },
        { cause: error },
      );
    default:
      // An unclosed quote, a record past MAX_RECORD_BYTES, anything else csv-parse refuses: worded by the reader.
      return new MalformedDataset('csv', error.reason, { line }, { cause: error });
  }
}

/**
 * Streams JSON Lines: one JSON object per line, blank lines skipped. Columns
 * are the union of keys in order of first appearance; a key absent from a row
 * is a missing value there.
 */
export async function readJsonLines(chunks: AsyncIterable<Uint8Array>, onRow: RowSink): Promise<void> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const header: string[] = [];
  const columnOf = new Map<string, number>();
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let line = 0;

  const handle = (bytes: Buffer) => {
    line++;
    let text: string;
    try {
      text = decoder.decode(bytes);
    } catch (error) {
      throw new MalformedDataset('jsonl', 'the line is not valid UTF-8', { line }, { cause: error });
    }
    if (text.endsWith('\r')) text = text.slice(0, -1);
    if (!text.trim()) return;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      const position = /at position (\d+)/.exec((error as Error).message);
      const problem = (error as Error).message.replace(/ in JSON at position \d+.*$/, '');
      throw new MalformedDataset('jsonl', problem, { line, column: position ? Number(position[1]) + 1 : undefined }, { cause: error });
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new MalformedDataset('jsonl', `expected a JSON object, found ${Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value}`, {
        line,
        column: 1,
      });
    }
    const row: unknown[] = new Array<unknown>(header.length);
    for (const [key, cell] of Object.entries(value)) {
      let index = columnOf.get(key);
      if (index === undefined) {
        index = header.push(key) - 1;
        columnOf.set(key, index);
      }
      row[index] = cell;
    }
    onRow(row, header);
  };

  // Lines are split on bytes (0x0A never occurs inside a UTF-8 sequence), then
  // decoded one by one, so a bad byte is reported on its own line.
  for await (const chunk of asBuffers(chunks)) {
    let start = 0;
    for (let end = chunk.indexOf(0x0a); end >= 0; end = chunk.indexOf(0x0a, start)) {
      const piece = chunk.subarray(start, end);
      handle(pending.length ? Buffer.concat([...pending, piece]) : piece);
      pending = [];
      pendingBytes = 0;
      start = end + 1;
    }
    if (start < chunk.length) {
      pending.push(chunk.subarray(start));
      pendingBytes += chunk.length - start;
      if (pendingBytes > MAX_RECORD_BYTES) throw new MalformedDataset('jsonl', `a line is longer than ${MAX_RECORD_BYTES} bytes`, { line: line + 1 });
    }
  }
  if (pendingBytes > 0) handle(Buffer.concat(pending));
  if (header.length === 0) throw new MalformedDataset('jsonl', 'the file has no JSON objects', { line: 1 });
}

/**
 * Reads Parquet one row group at a time through ranged reads, so memory is
 * bounded by the largest row group, not the file. Top-level columns only;
 * nested values (lists, structs) profile as strings. Snappy-compressed and
 * uncompressed files are read; other codecs are refused as unsupported.
 */
export async function readParquet(file: ByteRangeSource, onRow: RowSink, limits: ParquetDecodeLimits = DEFAULT_PARQUET_LIMITS): Promise<void> {
  const hyparquet = await import('hyparquet');
  let metadata: Awaited<ReturnType<typeof hyparquet.parquetMetadataAsync>>;
  try {
    metadata = await hyparquet.parquetMetadataAsync(file);
  } catch (error) {
    if (error instanceof StewardError) throw error;
    throw new MalformedDataset('parquet', `not a readable Parquet file (${(error as Error).message})`, {}, { cause: error });
  }
  const header = hyparquet.parquetSchema(metadata).children.map((child) => child.element.name);
  checkRowGroups(metadata.row_groups, header.length, limits);
  let rowStart = 0;
  for (const group of metadata.row_groups) {
    const rowEnd = rowStart + Number(group.num_rows);
    let rows: unknown[][] = [];
    try {
      await hyparquet.parquetRead({ file, metadata, rowStart, rowEnd, onComplete: (decoded: unknown[][]) => (rows = decoded) });
    } catch (error) {
      if (error instanceof StewardError) throw error;
      throw new MalformedDataset(
        'parquet',
        `cannot decode the row group starting at row ${rowStart + 1} (${(error as Error).message})`,
        { row: rowStart + 1 },
        { cause: error },
      );
    }
    for (const row of rows) onRow(row, header);
    rowStart = rowEnd;
  }
  if (header.length === 0) throw new MalformedDataset('parquet', 'the file has no columns');
}

interface RowGroupFacts {
  readonly num_rows: bigint;
  readonly total_byte_size: bigint;
  readonly columns: readonly { readonly meta_data?: { readonly total_uncompressed_size: bigint } }[];
}

function checkRowGroups(groups: readonly RowGroupFacts[], columnCount: number, limits: ParquetDecodeLimits): void {
  let rowStart = 0;
  for (const group of groups) {
    const rows = Number(group.num_rows);
    const chunks = group.columns.reduce((sum, column) => sum + Number(column.meta_data?.total_uncompressed_size ?? 0n), 0);
    const decoded = Math.max(Number(group.total_byte_size), chunks);
    if (decoded > limits.maxRowGroupDecodedBytes) {
      throw new DecodeLimitExceeded(
        'parquet',
        `the row group starting at row ${rowStart + 1} decodes to ${decoded} bytes, more than the limit of ${limits.maxRowGroupDecodedBytes} bytes per row group (maxRowGroupDecodedBytes); write the file with smaller row groups`,
        { row: rowStart + 1 },
      );
    }
    if (rows * Math.max(columnCount, 1) > limits.maxRowGroupCells) {
      throw new DecodeLimitExceeded(
        'parquet',
        `the row group starting at row ${rowStart + 1} has ${rows} rows × ${columnCount} columns, more than the limit of ${limits.maxRowGroupCells} cells per row group (maxRowGroupCells); write the file with smaller row groups`,
        { row: rowStart + 1 },
      );
    }
    rowStart += rows;
  }
}

async function* asBuffers(chunks: AsyncIterable<Uint8Array>): AsyncIterable<Buffer> {
  for await (const chunk of chunks) yield Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}
