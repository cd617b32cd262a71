import { ValidationFailed } from '../errors';
import { CsvFormatError, parseCsvTextSync } from '../tabular/csv-rows';

/**
 * The built-in trainers' tabular data: a header row and records of the same
 * width, read by the platform's one CSV reader (core/tabular/csv-rows.ts), so
 * a file trains exactly as the dataset catalog profiled it. Whole-file and
 * in-memory on purpose: built-in training is for datasets of a few MB.
 */
export interface CsvTable {
  readonly header: string[];
  readonly rows: string[][];
}

/**
 * Reads a CSV into a table, refusing what a trainer cannot use with the
 * problem named: an unreadable file (its line, and field where known), an
 * empty file, a blank or repeated column name, a record of another width.
 * `line` in a width problem counts records (header = 1), as `numericTable` does.
 *
 * @throws ValidationFailed
 */
export function parseCsv(text: string): CsvTable {
  let read: ReturnType<typeof parseCsvTextSync>;
  try {
    read = parseCsvTextSync(text);
  } catch (error) {
    if (error instanceof CsvFormatError) throw malformed(unreadable(error), error);
    throw error;
  }
  if (!read.header) throw malformed('the file is empty');
  const names = [...read.header];
  const seen = new Set<string>();
  for (const name of names) {
    if (name === '') throw malformed('the header has an empty column name');
    if (seen.has(name)) throw malformed(`the header names column '${name}' twice`);
    seen.add(name);
  }
  const rows = read.records.map(({ row, cells }) => {
    if (cells.length !== names.length) throw malformed(`line ${row + 1} has ${cells.length} fields, the header has ${names.length}`);
    return cells;
  });
  return { header: names, rows };
}

function unreadable(error: CsvFormatError): string {
  if (error.problem === 'unclosed-quote') return 'a quoted field is not closed';
  const where = [error.line === undefined ? '' : `line ${error.line}`, error.field === undefined ? '' : `field ${error.field}`].filter(Boolean).join(', ');
  return where ? `${where}: ${error.reason}` : error.reason;
}

/** The problem is in the message too: a failed run's cause is the message, and the data scientist reads it there. */
function malformed(problem: string, cause?: unknown): ValidationFailed {
  return new ValidationFailed(`malformed CSV: ${problem}`, [{ field: 'dataset', problem }], cause === undefined ? undefined : { cause });
}

export interface NumericTable {
  readonly features: string[];
  readonly target: string;
  /** Row-major feature values. */
  readonly x: number[][];
  readonly y: number[];
}

/**
 * Picks the target and feature columns and converts them to numbers; every
 * problem is reported with its column and line, because a data scientist reads
 * it in the console as the reason the run failed.
 */
export function numericTable(table: CsvTable, options: { target: string; features?: readonly string[] }): NumericTable {
  const { header, rows } = table;
  const targetIndex = header.indexOf(options.target);
  if (targetIndex < 0) {
    throw new ValidationFailed(`target column '${options.target}' is not in the dataset header`, [
      { field: 'target', problem: `not one of: ${header.join(', ')}` },
    ]);
  }
  const features = options.features ? [...options.features] : header.filter((h) => h !== options.target);
  const missing = features.filter((f) => !header.includes(f));
  if (missing.length > 0) {
    throw new ValidationFailed(`feature column(s) not in the dataset header: ${missing.join(', ')}`, [
      { field: 'features', problem: `missing: ${missing.join(', ')}` },
    ]);
  }
  if (features.includes(options.target)) {
    throw new ValidationFailed('the target column cannot also be a feature', [{ field: 'features', problem: `contains '${options.target}'` }]);
  }
  if (features.length === 0) throw new ValidationFailed('the dataset has no feature columns', [{ field: 'features', problem: 'empty' }]);
  const indices = features.map((f) => header.indexOf(f));
  const x: number[][] = [];
  const y: number[] = [];
  rows.forEach((row, r) => {
    const line = r + 2;
    y.push(toNumber(row[targetIndex], options.target, line));
    x.push(indices.map((c, k) => toNumber(row[c], features[k], line)));
  });
  return { features, target: options.target, x, y };
}

function toNumber(raw: string, column: string, line: number): number {
  const text = raw.trim();
  const value = text === '' ? Number.NaN : Number(text);
  if (!Number.isFinite(value)) {
    throw new ValidationFailed(`column '${column}' has a non-numeric value '${text.slice(0, 40)}' on line ${line}`, [
      { field: 'dataset', problem: `built-in trainers need numeric columns; '${column}' line ${line} is '${text.slice(0, 40)}'` },
    ]);
  }
  return value;
}
