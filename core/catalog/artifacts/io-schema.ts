import { z } from 'zod';

/**
 * The typed-field schema of a model's inputs and outputs: what a caller sends
 * per row and what the model answers. Every artifact format is checked against
 * it before a version becomes usable, and the serving runtimes build requests
 * from it, so it is the one contract between a version and its callers.
 */

/** Letters, digits and underscores, not starting with a digit: usable as a column, a JSON key and a rules fact. */
export const FIELD_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

export const FIELD_TYPES = ['float', 'double', 'int', 'long', 'bool', 'string', 'category'] as const;
export const FieldType = z.enum(FIELD_TYPES);
export type FieldType = z.infer<typeof FieldType>;

export const NUMERIC_FIELD_TYPES: readonly FieldType[] = ['float', 'double', 'int', 'long'];

export function isNumericType(type: FieldType): boolean {
  return NUMERIC_FIELD_TYPES.includes(type);
}

export const FieldName = z.string().min(1).max(128).regex(FIELD_NAME_PATTERN, 'use letters, digits and underscores, not starting with a digit');

/** A dimension: a fixed size, or -1 for one that varies (the batch dimension, typically). */
const Dimension = z
  .number()
  .int()
  .refine((d) => d === -1 || d > 0, 'a dimension is a positive size or -1 (any)');

export const Field = z
  .strictObject({
    name: FieldName,
    type: FieldType,
    /**
     * Tensor shape for a field that carries more than one value per row, e.g.
     * `[-1, 30]` for a batch of 30-wide vectors. Absent: one value per row.
     */
    shape: z.array(Dimension).min(1).max(8).optional(),
    description: z.string().max(1000).optional(),
    /** The values a `category` field may take. */
    allowed: z.array(z.string().min(1).max(200)).min(1).max(10_000).optional(),
  })
  .superRefine((field, ctx) => {
    if (field.allowed && field.type !== 'category') {
      ctx.addIssue({ code: 'custom', path: ['allowed'], message: `only a category field lists allowed values; this one is ${field.type}` });
    }
    if (field.allowed && new Set(field.allowed).size !== field.allowed.length) {
      ctx.addIssue({ code: 'custom', path: ['allowed'], message: 'allowed values repeat' });
    }
  });

export type Field = z.infer<typeof Field>;

function uniqueNames(fields: readonly Field[], ctx: z.RefinementCtx): void {
  const seen = new Set<string>();
  fields.forEach((field, index) => {
    if (seen.has(field.name)) ctx.addIssue({ code: 'custom', path: [index, 'name'], message: `field '${field.name}' is declared twice` });
    seen.add(field.name);
  });
}

const FieldList = z.array(Field).max(10_000).superRefine(uniqueNames);

/**
 * Zod schema and type share the name: `IoSchema.parse(raw)` gives an `IoSchema`.
 * `{ inputs, outputs }`; each needs at least one field, names unique within each list. */
export const IoSchema = z.strictObject({
  inputs: FieldList.min(1, 'declare at least one input'),
  outputs: FieldList.min(1, 'declare at least one output'),
});

export type IoSchema = z.infer<typeof IoSchema>;

/** A field's value in one row, as JSON carries it. */
export type FieldValue = number | boolean | string;

/**
 * Whether `value` is a valid single value of a field of `type` (scalar fields
 * only; shaped fields are tensors and checked by the runtime that takes them).
 * Returns the problem, or undefined when it fits.
 */
export function valueProblem(field: Pick<Field, 'type' | 'allowed'>, value: unknown): string | undefined {
  switch (field.type) {
    case 'float':
    case 'double':
      return typeof value === 'number' && Number.isFinite(value) ? undefined : `expected a finite number (${field.type})`;
    case 'int':
    case 'long':
      return typeof value === 'number' && Number.isSafeInteger(value) ? undefined : `expected an integer (${field.type})`;
    case 'bool':
      return typeof value === 'boolean' ? undefined : 'expected true or false (bool)';
    case 'string':
      return typeof value === 'string' ? undefined : 'expected a string';
    case 'category':
      if (typeof value !== 'string') return 'expected a string (category)';
      if (field.allowed && !field.allowed.includes(value)) return `'${value}' is not one of the allowed values: ${field.allowed.join(', ')}`;
      return undefined;
  }
}
