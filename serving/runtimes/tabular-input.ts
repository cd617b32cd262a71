import { mediaTypeOf } from './media-types';
import { InvalidModelInput, UnsupportedContentType } from './runtime-errors';

export const TABULAR_CONTENT_TYPES = ['text/csv', 'application/json'] as const;

/**
 * Reads a scoring request into rows of numbers in the model's feature order.
 *
 * - `text/csv`: one row per line, values in feature order (SageMaker's
 *   convention: no header). A first line made only of names is taken as a
 *   header, and columns are then matched by name (extra columns ignored).
 * - `application/json`: `{"instances": [...]}` or a bare array, each instance
 *   either an array of numbers in feature order, an object of feature → number
 *   (extra keys ignored), or `{"features": [...]}` (SageMaker's linear-learner
 *   shape).
 *
 * Every refusal names the row, the feature and the value, so the caller can
 * fix the request from the message alone.
 */
export function readTabularRows(body: Uint8Array, contentType: string | undefined, features: readonly string[]): number[][] {
  const type = mediaTypeOf(contentType);
  const text = new TextDecoder('utf-8').decode(body);
  let rows: number[][];
  if (type === 'text/csv') rows = readCsv(text, features);
  else if (type === 'application/json') rows = readJson(text, features);
  else throw new UnsupportedContentType(contentType, TABULAR_CONTENT_TYPES);
  if (rows.length === 0) throw new InvalidModelInput('the request holds no rows to score');
  return rows;
}

function readCsv(text: string, features: readonly string[]): number[][] {
  const lines = text
    .split(/\r?\n/)
    .map((line, index) => ({ line, number: index + 1 }))
    .filter(({ line }) => line.trim() !== '');
  if (lines.length === 0) return [];
  let columnOf: number[] = features.map((_, i) => i);
  let width = features.length;
  const first = splitCsvLine(lines[0].line, lines[0].number);
  if (first.every((cell) => cell !== '' && !isNumeric(cell))) {
    const header = first.map((cell) => cell.trim());
    const missing = features.filter((f) => !header.includes(f));
    if (missing.length) throw new InvalidModelInput(`the CSV header lacks feature(s) ${missing.join(', ')}; the model expects ${features.join(', ')}`);
    columnOf = features.map((f) => header.indexOf(f));
    width = header.length;
    lines.shift();
  }
  return lines.map(({ line, number }) => {
    const cells = splitCsvLine(line, number);
    if (cells.length !== width) {
      throw new InvalidModelInput(`row ${number} has ${cells.length} values; expected ${width} (${features.join(', ')})`);
    }
    return columnOf.map((column, f) => toNumber(cells[column], number, features[f]));
  });
}

/** RFC 4180 fields on one line: commas inside double quotes, `""` for a quote. */
function splitCsvLine(line: string, number: number): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      cells.push(cell);
      cell = '';
    } else cell += ch;
  }
  if (quoted) throw new InvalidModelInput(`row ${number} has an unterminated quoted value`);
  cells.push(cell);
  return cells;
}

function isNumeric(cell: string): boolean {
  return cell.trim() !== '' && Number.isFinite(Number(cell));
}

function toNumber(cell: string, row: number, feature: string): number {
  const value = Number(cell);
  if (cell.trim() === '' || !Number.isFinite(value)) {
    throw new InvalidModelInput(`row ${row}, feature '${feature}': '${cell}' is not a number`);
  }
  return value;
}

function readJson(text: string, features: readonly string[]): number[][] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new InvalidModelInput(`the body is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  const instances = Array.isArray(parsed) ? parsed : isRecord(parsed) && 'instances' in parsed ? parsed.instances : undefined;
  if (!Array.isArray(instances)) {
    throw new InvalidModelInput('a JSON body must be {"instances": [...]} or an array of instances');
  }
  return instances.map((instance, index) => readInstance(instance, index + 1, features));
}

function readInstance(instance: unknown, row: number, features: readonly string[]): number[] {
  const positional = Array.isArray(instance) ? instance : isRecord(instance) && Array.isArray(instance.features) ? instance.features : undefined;
  if (positional) {
    if (positional.length !== features.length) {
      throw new InvalidModelInput(`instance ${row} has ${positional.length} values; expected ${features.length} (${features.join(', ')})`);
    }
    return positional.map((value, i) => jsonNumber(value, row, features[i]));
  }
  if (isRecord(instance)) {
    return features.map((feature) => {
      if (!(feature in instance)) throw new InvalidModelInput(`instance ${row} lacks feature '${feature}'`);
      return jsonNumber(instance[feature], row, feature);
    });
  }
  throw new InvalidModelInput(`instance ${row} must be an array of numbers or an object of feature values`);
}

function jsonNumber(value: unknown, row: number, feature: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new InvalidModelInput(`instance ${row}, feature '${feature}': ${JSON.stringify(value) ?? 'undefined'} is not a number`);
  }
  return value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
