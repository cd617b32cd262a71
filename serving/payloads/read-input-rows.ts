import { type Field, valueProblem } from '../../core/catalog/artifacts/io-schema';
import { CsvFormatError, parseCsvText } from '../../core/tabular/csv-rows';
import { mediaTypeOf } from '../runtimes/media-types';
import { InvalidModelInput, PayloadTooLarge, UnsupportedContentType } from '../runtimes/runtime-errors';
import type { InputRow, InputValue, TabularModel } from '../runtimes/tabular-model';
import { CellProblem, cellConverter, fromJson, type Converted } from './field-values';

/**
 * Largest request body a runtime reads: SageMaker real-time inference's own
 * limit, so a request that scores locally also scores on AWS. Bigger inputs
 * go through the batch engine (serving/batch).
 */
export const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;

export const INPUT_CONTENT_TYPES = ['application/json', 'text/csv'] as const;

type Schema = Pick<TabularModel, 'inputs' | 'optionalInputs'>;

/** A row that does not fit the schema: the message names the row (1-based) and the field. */
export class RowRejected extends Error {
  constructor(
    readonly row: number,
    readonly field: string | undefined,
    readonly problem: string,
  ) {
    super(field === undefined ? `row ${row}: ${problem}` : `row ${row}, field '${field}': ${problem}`);
    this.name = new.target.name;
  }
}

function checked(field: Field, converted: Converted, row: number, schema: Schema): InputValue {
  if ('problem' in converted) throw new RowRejected(row, field.name, converted.problem);
  if (converted.value === null && !schema.optionalInputs?.has(field.name)) throw new RowRejected(row, field.name, 'missing');
  return converted.value;
}

/**
 * A JSON value as a field's value, checked as `checked(field, fromJson(…))`
 * checks it, without the result object per value on the common path (a
 * present, fitting scalar): a scoring request converts every field of every
 * row, and those short-lived objects were a measurable share of its garbage.
 */
function jsonValue(field: Field, value: unknown, row: number, schema: Schema): InputValue {
  if (value !== null && value !== undefined && !field.shape && valueProblem(field, value) === undefined) return value as InputValue;
  return checked(field, fromJson(field, value), row, schema);
}

function fieldList(inputs: readonly Field[]): string {
  return inputs.map((f) => f.name).join(', ');
}

/**
 * Maps CSV records to rows: by name when there is a header (extra columns
 * ignored, every input required), else positionally in input order (the
 * SageMaker convention). Shared by request parsing and the batch engine.
 * @throws InvalidModelInput when the header lacks an input
 */
export function csvRowMapper(schema: Schema, header: readonly string[] | undefined): (cells: readonly string[], row: number) => InputRow {
  const { inputs } = schema;
  let columns: number[];
  let width: number;
  if (header) {
    const missing = inputs.filter((f) => !header.includes(f.name)).map((f) => f.name);
    if (missing.length) throw new InvalidModelInput(`the CSV header lacks field(s) ${missing.join(', ')}; the model expects ${fieldList(inputs)}`);
    columns = inputs.map((f) => header.indexOf(f.name));
    width = header.length;
  } else {
    columns = inputs.map((_, i) => i);
    width = inputs.length;
  }
  const converters = inputs.map(cellConverter);
  const required = inputs.map((f) => !schema.optionalInputs?.has(f.name));
  return (cells, row) => {
    if (cells.length !== width)
      throw new RowRejected(row, undefined, `has ${cells.length} values; expected ${width}${header ? ' like the header' : ` (${fieldList(inputs)})`}`);
    const out = new Array<InputValue>(inputs.length);
    for (let i = 0; i < inputs.length; i++) {
      const value = converters[i](cells[columns[i]]);
      if (value instanceof CellProblem) throw new RowRejected(row, inputs[i].name, value.problem);
      if (value === null && required[i]) throw new RowRejected(row, inputs[i].name, 'missing');
      out[i] = value;
    }
    return out;
  };
}

/** Whether a CSV's first record is a header: it names at least one input and holds no number. */
export function looksLikeHeader(cells: readonly string[], inputs: readonly Field[]): boolean {
  const names = new Set(inputs.map((f) => f.name));
  return cells.some((c) => names.has(c.trim())) && cells.every((c) => c.trim() !== '' && !Number.isFinite(Number(c)));
}

async function readCsv(body: Uint8Array, schema: Schema): Promise<InputRow[]> {
  let parsed;
  try {
    parsed = await parseCsvText(body, { header: false });
  } catch (error) {
    if (error instanceof CsvFormatError) throw new InvalidModelInput(error.message, { cause: error });
    throw error;
  }
  const records = parsed.records;
  if (records.length === 0) return [];
  const header = looksLikeHeader(records[0].cells, schema.inputs) ? records.shift()!.cells.map((c) => c.trim()) : undefined;
  const map = csvRowMapper(schema, header);
  return records.map(({ cells }, i) => map(cells, i + 1));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** One JSON instance: an array in input order, `{"features": [...]}` (SageMaker linear-learner), or an object of field → value. */
export function jsonInstanceRow(instance: unknown, row: number, schema: Schema): InputRow {
  const { inputs } = schema;
  const positional = Array.isArray(instance)
    ? instance
    : isRecord(instance) && Array.isArray(instance.features) && !inputs.some((f) => f.name === 'features')
      ? instance.features
      : undefined;
  if (positional) {
    if (positional.length !== inputs.length)
      throw new RowRejected(row, undefined, `has ${positional.length} values; expected ${inputs.length} (${fieldList(inputs)})`);
    const out = new Array<InputValue>(inputs.length);
    for (let i = 0; i < inputs.length; i++) out[i] = jsonValue(inputs[i], positional[i], row, schema);
    return out;
  }
  if (isRecord(instance)) {
    const out = new Array<InputValue>(inputs.length);
    for (let i = 0; i < inputs.length; i++) out[i] = jsonValue(inputs[i], instance[inputs[i].name], row, schema);
    return out;
  }
  throw new RowRejected(row, undefined, 'must be an array of values or an object of field values');
}

function readColumns(columns: Record<string, unknown>, schema: Schema): InputRow[] {
  let length: number | undefined;
  for (const field of schema.inputs) {
    const column = columns[field.name];
    if (column === undefined && schema.optionalInputs?.has(field.name)) continue;
    if (!Array.isArray(column)) throw new InvalidModelInput(`columns.${field.name}: expected an array of values, one per row`);
    if (length !== undefined && column.length !== length)
      throw new InvalidModelInput(`columns.${field.name} has ${column.length} values; the other columns have ${length}`);
    length = column.length;
  }
  return Array.from({ length: length ?? 0 }, (_, i) =>
    schema.inputs.map((field) => {
      const column = columns[field.name];
      return checked(field, fromJson(field, Array.isArray(column) ? column[i] : null), i + 1, schema);
    }),
  );
}

/** One decoder for every request: `decode` without `stream` keeps no state between calls, and making one costs a request more than using it. */
const utf8 = new TextDecoder('utf-8');

function readJson(body: Uint8Array, schema: Schema): InputRow[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(utf8.decode(body));
  } catch (error) {
    throw new InvalidModelInput(`the body is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  if (Array.isArray(parsed)) return parsed.map((instance, i) => jsonInstanceRow(instance, i + 1, schema));
  if (isRecord(parsed)) {
    if (Array.isArray(parsed.instances)) return parsed.instances.map((instance, i) => jsonInstanceRow(instance, i + 1, schema));
    if (isRecord(parsed.columns)) return readColumns(parsed.columns, schema);
    if ('instances' in parsed || 'columns' in parsed)
      throw new InvalidModelInput('"instances" must be an array of rows and "columns" an object of field → array of values');
    if (schema.inputs.some((f) => f.name in parsed)) return [jsonInstanceRow(parsed, 1, schema)];
  }
  throw new InvalidModelInput('a JSON body must be {"instances": [...]}, {"columns": {"field": [...]}}, an array of rows, or one object of field values');
}

/**
 * Reads a scoring request into typed rows, validated against the model's input fields.
 *
 * - `application/json`: `{"instances": [row, …]}` or a bare array of rows, each row an object
 *   of field → value (extra keys ignored), an array in input order, or `{"features": [...]}`;
 *   `{"columns": {"f1": [...], "f2": [...]}}` (columnar, equal lengths); or one object of field
 *   values (a single row).
 * - `text/csv`: with a header (columns matched by name, extra columns ignored) or without
 *   (values in input order); empty cells are missing values.
 *
 * @throws PayloadTooLarge (413) past {@link MAX_PAYLOAD_BYTES}; InvalidModelInput (400) naming
 *   the row and field; UnsupportedContentType (415)
 */
export async function readInputRows(body: Uint8Array, contentType: string | undefined, schema: Schema, maxBytes = MAX_PAYLOAD_BYTES): Promise<InputRow[]> {
  if (body.byteLength > maxBytes) throw new PayloadTooLarge(body.byteLength, maxBytes);
  const type = mediaTypeOf(contentType);
  let rows: InputRow[];
  try {
    if (type === 'text/csv') rows = await readCsv(body, schema);
    else if (type === 'application/json') rows = readJson(body, schema);
    else throw new UnsupportedContentType(contentType, ['text/csv', 'application/json']);
  } catch (error) {
    if (error instanceof RowRejected) throw new InvalidModelInput(error.message, { cause: error });
    throw error;
  }
  if (rows.length === 0) throw new InvalidModelInput('the request holds no rows to score');
  return rows;
}
