import { ValidationFailed } from '../errors';

/**
 * A small RFC 4180 reader for the built-in trainers' tabular data: header row,
 * comma separator, optional double quotes with `""` escapes, LF or CRLF.
 * Whole-file and in-memory on purpose: built-in training is for datasets of a
 * few MB. Streaming large files is a job for csv-parse (see state-machines/README.md).
 */
export interface CsvTable {
  readonly header: string[];
  readonly rows: string[][];
}

export function parseCsv(text: string): CsvTable {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const endRecord = () => {
    record.push(field);
    field = '';
    // A blank line (one empty field) is not a record.
    if (!(record.length === 1 && record[0] === '')) records.push(record);
    record = [];
  };
  for (; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\n') endRecord();
    else if (c === '\r') {
      if (text[i + 1] !== '\n') endRecord();
    } else field += c;
  }
  if (quoted) throw new ValidationFailed('malformed CSV', [{ field: 'dataset', problem: 'a quoted field is not closed' }]);
  if (field !== '' || record.length > 0) endRecord();
  if (records.length === 0) throw new ValidationFailed('malformed CSV', [{ field: 'dataset', problem: 'the file is empty' }]);
  const [header, ...rows] = records;
  const names = header.map((h) => h.trim());
  const seen = new Set<string>();
  for (const name of names) {
    if (name === '') throw new ValidationFailed('malformed CSV', [{ field: 'dataset', problem: 'the header has an empty column name' }]);
    if (seen.has(name)) throw new ValidationFailed('malformed CSV', [{ field: 'dataset', problem: `the header names column '${name}' twice` }]);
    seen.add(name);
  }
  rows.forEach((row, index) => {
    if (row.length !== names.length) {
      throw new ValidationFailed('malformed CSV', [
        { field: 'dataset', problem: `line ${index + 2} has ${row.length} fields, the header has ${names.length}` },
      ]);
    }
  });
  return { header: names, rows };
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
