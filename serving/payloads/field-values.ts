import { valueProblem, type Field } from '../../core/catalog/artifacts/io-schema';
import type { InputValue } from '../runtimes/tabular-model';

/**
 * Turns one cell (CSV text) or one JSON value into a field's typed value, or
 * says why it cannot. `undefined` problem means the value fits. Empty CSV
 * cells and JSON null are "missing" (null); whether missing is allowed is the
 * model's call (see TabularModel.optionalInputs), not this module's.
 */

export type Converted = { readonly value: InputValue } | { readonly problem: string };

const TRUE = new Set(['true', '1', 'yes']);
const FALSE = new Set(['false', '0', 'no']);

/** Number of values a shaped field carries per row (its dimensions after the batch one), or 1 for a scalar. */
export function widthOf(field: Field): number {
  if (!field.shape) return 1;
  return field.shape.slice(1).reduce((n, d) => n * (d > 0 ? d : 1), 1);
}

/** Why a cell cannot be a field's value (a class, not a string, so a converter's result can be told apart from a string value). */
export class CellProblem {
  constructor(readonly problem: string) {}
}

/**
 * A converter from CSV cells to a field's values, made once per field: the
 * batch engine calls it for every cell of millions of rows. '' (after
 * trimming) is missing (null). Shaped fields cannot come from CSV (one cell,
 * many values).
 */
export function cellConverter(field: Field): (cell: string) => InputValue | CellProblem {
  if (field.shape) {
    const problem = new CellProblem(`a ${field.shape.join('×')} tensor cannot be given in one CSV cell; send JSON`);
    return (cell) => (cell.trim() === '' ? null : problem);
  }
  switch (field.type) {
    case 'float':
    case 'double':
      return (cell) => {
        const value = Number(cell);
        if (Number.isFinite(value) && cell.trim() !== '') return value;
        return cell.trim() === '' ? null : new CellProblem(`'${cell}' is not a number`);
      };
    case 'int':
    case 'long':
      return (cell) => {
        const value = Number(cell);
        if (Number.isSafeInteger(value) && cell.trim() !== '') return value;
        return cell.trim() === '' ? null : new CellProblem(`'${cell}' is not a number (an integer)`);
      };
    case 'bool':
      return (cell) => {
        const lower = cell.trim().toLowerCase();
        if (TRUE.has(lower)) return true;
        if (FALSE.has(lower)) return false;
        return lower === '' ? null : new CellProblem(`'${cell}' is not true or false (bool)`);
      };
    default:
      return (cell) => {
        if (cell.trim() === '') return null;
        const problem = valueProblem(field, cell);
        return problem ? new CellProblem(problem) : cell;
      };
  }
}

/** One CSV cell for a field (see {@link cellConverter}). */
export function fromCell(field: Field, cell: string): Converted {
  const value = cellConverter(field)(cell);
  return value instanceof CellProblem ? { problem: value.problem } : { value };
}

/** A JSON value for a field: numbers for numeric fields (no numeric strings), flat or nested number arrays for shaped ones. */
export function fromJson(field: Field, value: unknown): Converted {
  if (value === null || value === undefined) return { value: null };
  if (field.shape) {
    const flat = Array.isArray(value) ? (value as unknown[]).flat(8) : undefined;
    const width = widthOf(field);
    if (!flat || flat.some((v) => typeof v !== 'number' || !Number.isFinite(v)))
      return { problem: `expected an array of ${width} numbers (shape ${JSON.stringify(field.shape)})` };
    if (flat.length !== width) return { problem: `expected ${width} numbers (shape ${JSON.stringify(field.shape)}), got ${flat.length}` };
    return { value: flat as number[] };
  }
  const problem = valueProblem(field, value);
  if (problem) return { problem: `${problem}, got ${JSON.stringify(value)}` };
  return { value: value as InputValue };
}
