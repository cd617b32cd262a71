/**
 * What one cell of a dataset holds, decided value by value while the file
 * streams past. A column's type is then the narrowest kind that all of its
 * non-missing cells share (see resolveColumnType).
 */
export type Cell =
  | { readonly kind: 'missing' }
  | { readonly kind: 'number'; readonly value: number; readonly integer: boolean; readonly text: string }
  | { readonly kind: 'boolean'; readonly value: boolean; readonly text: string }
  | { readonly kind: 'datetime'; readonly epochMs: number; readonly text: string }
  | { readonly kind: 'string'; readonly text: string };

export const COLUMN_TYPES = ['integer', 'number', 'boolean', 'string', 'datetime'] as const;
export type ColumnType = (typeof COLUMN_TYPES)[number];

/**
 * Texts that mean "no value" in CSV exports (pandas' common defaults, minus the
 * ones that are plausible categories such as `None` or `n/a` in free text).
 */
export const MISSING_TEXTS: ReadonlySet<string> = new Set(['', 'NA', 'N/A', 'NaN', 'nan', 'null', 'NULL']);

const MISSING: Cell = { kind: 'missing' };
const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
// ISO 8601 calendar dates and date-times; other spellings stay strings rather than guess at locales.
const ISO_DATETIME = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}(:?\d{2})?)?)?$/;

/** A CSV cell: only text, so numbers, booleans and date-times are recognized by their spelling. */
export function cellFromText(raw: string): Cell {
  const text = raw.trim();
  if (MISSING_TEXTS.has(text)) return MISSING;
  if (INTEGER.test(text)) {
    const value = Number(text);
    if (Number.isSafeInteger(value)) return { kind: 'number', value, integer: true, text };
    return { kind: 'number', value, integer: false, text };
  }
  if (DECIMAL.test(text)) return { kind: 'number', value: Number(text), integer: false, text };
  const lower = text.toLowerCase();
  if (lower === 'true' || lower === 'false') return { kind: 'boolean', value: lower === 'true', text: lower };
  const datetime = datetimeCell(text);
  if (datetime) return datetime;
  return { kind: 'string', text };
}

/**
 * A typed cell (JSON Lines, Parquet): the value's own type counts, so the JSON
 * string "5" stays a string; only strings are checked for ISO date-times.
 * NaN and infinities count as missing: they have no place in a profile.
 */
export function cellFromValue(value: unknown): Cell {
  if (value === null || value === undefined) return MISSING;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return MISSING;
    return { kind: 'number', value, integer: Number.isInteger(value), text: String(value) };
  }
  if (typeof value === 'bigint') return { kind: 'number', value: Number(value), integer: true, text: value.toString() };
  if (typeof value === 'boolean') return { kind: 'boolean', value, text: String(value) };
  if (value instanceof Date) {
    const epochMs = value.getTime();
    return Number.isNaN(epochMs) ? MISSING : { kind: 'datetime', epochMs, text: value.toISOString() };
  }
  if (typeof value === 'string') return datetimeCell(value) ?? { kind: 'string', text: value };
  if (value instanceof Uint8Array) return { kind: 'string', text: Buffer.from(value).toString('base64') };
  return { kind: 'string', text: JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) };
}

function datetimeCell(text: string): Cell | undefined {
  if (!ISO_DATETIME.test(text)) return undefined;
  const epochMs = Date.parse(text.length === 10 ? `${text}T00:00:00Z` : text);
  return Number.isNaN(epochMs) ? undefined : { kind: 'datetime', epochMs, text };
}

/** How many non-missing cells of each kind a column has seen. */
export interface KindCounts {
  number: number;
  integer: number;
  boolean: number;
  datetime: number;
  string: number;
}

/**
 * The column type: integer when every value is a whole number, number when
 * every value is numeric, boolean or datetime when every value is one, string
 * otherwise (including a column with no values at all).
 */
export function resolveColumnType(counts: KindCounts): ColumnType {
  const present = counts.number + counts.boolean + counts.datetime + counts.string;
  if (present === 0) return 'string';
  if (counts.number === present) return counts.integer === present ? 'integer' : 'number';
  if (counts.boolean === present) return 'boolean';
  if (counts.datetime === present) return 'datetime';
  return 'string';
}
