/**
 * Builds a form from a JSON Schema (the request body a pipeline template declares in
 * /openapi.json), and the request body back from what was typed. Pure: the page
 * renders the fields; tests check the mapping.
 */
export type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  $ref?: string;
  default?: unknown;
  description?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minItems?: number;
  maxItems?: number;
};

interface BaseField {
  /** Dotted path of the property in the body: `hyperparameters.l2`. */
  readonly path: string;
  readonly label: string;
  readonly required: boolean;
  readonly description?: string;
}

export type FormField =
  | (BaseField & { readonly kind: 'text'; readonly pattern?: string; readonly minLength?: number; readonly maxLength?: number; readonly multiline: boolean })
  | (BaseField & { readonly kind: 'number'; readonly integer: boolean; readonly min?: number; readonly max?: number; readonly step: string })
  | (BaseField & { readonly kind: 'boolean' })
  | (BaseField & { readonly kind: 'choice'; readonly options: readonly string[] })
  | (BaseField & { readonly kind: 'list'; readonly minItems?: number })
  /** One of several shapes (anyOf/oneOf of objects): pick one, fill its fields. */
  | (BaseField & { readonly kind: 'alternatives'; readonly alternatives: readonly { readonly label: string; readonly fields: readonly FormField[] }[] })
  | (BaseField & { readonly kind: 'group'; readonly fields: readonly FormField[] });

export type FormValues = Record<string, string | boolean>;

/** `holdoutFraction` → `Holdout fraction`. */
export function labelOf(name: string): string {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function resolve(schema: JsonSchema, components: Record<string, JsonSchema>): JsonSchema {
  if (schema.$ref) {
    const name = schema.$ref.split('/').at(-1) ?? '';
    const target = components[name];
    if (!target) throw new Error(`unknown schema reference ${schema.$ref}`);
    return resolve(target, components);
  }
  return schema;
}

function typeOf(schema: JsonSchema): string | undefined {
  return Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
}

function describe(schema: JsonSchema): string | undefined {
  const bounds: string[] = [];
  if (schema.minimum !== undefined) bounds.push(`at least ${schema.minimum}`);
  if (schema.exclusiveMinimum !== undefined) bounds.push(`more than ${schema.exclusiveMinimum}`);
  if (schema.maximum !== undefined) bounds.push(`at most ${schema.maximum}`);
  if (schema.exclusiveMaximum !== undefined) bounds.push(`less than ${schema.exclusiveMaximum}`);
  if (schema.default !== undefined) bounds.push(`default ${JSON.stringify(schema.default)}`);
  const parts = [schema.description, bounds.join(', ')].filter((p): p is string => !!p);
  return parts.length ? parts.join('; ') : undefined;
}

export function fieldsFromSchema(schema: JsonSchema, components: Record<string, JsonSchema> = {}, prefix = ''): FormField[] {
  const resolved = resolve(schema, components);
  const required = new Set(resolved.required ?? []);
  return Object.entries(resolved.properties ?? {}).map(([name, raw]) =>
    fieldOf(`${prefix}${name}`, name, resolve(raw, components), required.has(name), components),
  );
}

function fieldOf(path: string, name: string, schema: JsonSchema, required: boolean, components: Record<string, JsonSchema>): FormField {
  const base = { path, label: labelOf(name), required, description: describe(schema) };
  const choices = schema.anyOf ?? schema.oneOf;
  if (choices) {
    const objects = choices.map((c) => resolve(c, components)).filter((c) => typeOf(c) === 'object');
    if (objects.length === choices.length) {
      return {
        ...base,
        kind: 'alternatives',
        alternatives: objects.map((o) => ({
          label: Object.keys(o.properties ?? {})
            .map(labelOf)
            .join(' + '),
          fields: fieldsFromSchema(o, components, `${path}.`),
        })),
      };
    }
    const plain = choices.map((c) => resolve(c, components)).find((c) => typeOf(c) !== 'null') ?? {};
    return fieldOf(path, name, { ...plain, description: schema.description ?? plain.description }, required, components);
  }
  if (schema.enum) return { ...base, kind: 'choice', options: schema.enum.map(String) };
  switch (typeOf(schema)) {
    case 'boolean':
      return { ...base, kind: 'boolean' };
    case 'integer':
    case 'number': {
      const integer = typeOf(schema) === 'integer';
      return {
        ...base,
        kind: 'number',
        integer,
        min: schema.minimum ?? schema.exclusiveMinimum,
        max: schema.maximum ?? schema.exclusiveMaximum,
        step: integer ? '1' : 'any',
      };
    }
    case 'array':
      return { ...base, kind: 'list', minItems: schema.minItems };
    case 'object': {
      const fields = fieldsFromSchema(schema, components, `${path}.`);
      // An optional group may be left empty (then it is left out of the body), so the form requires none of its
      // fields; when it is filled in, the API names a missing member.
      return { ...base, kind: 'group', fields: required ? fields : fields.map(notRequired) };
    }
    default:
      return {
        ...base,
        kind: 'text',
        pattern: schema.pattern,
        minLength: schema.minLength,
        maxLength: schema.maxLength,
        multiline: (schema.maxLength ?? 0) > 500,
      };
  }
}

function notRequired(field: FormField): FormField {
  if (field.kind === 'group') return { ...field, required: false, fields: field.fields.map(notRequired) };
  if (field.kind === 'alternatives')
    return { ...field, required: false, alternatives: field.alternatives.map((a) => ({ ...a, fields: a.fields.map(notRequired) })) };
  return { ...field, required: false };
}

/** The key in FormValues holding which alternative of a field is chosen. */
export const alternativeKey = (path: string) => `${path}#choice`;

/**
 * The request body from the typed values: numbers parsed, lists split on commas or
 * new lines, empty optional values left out (so the API's defaults apply), and of
 * alternatives only the chosen one.
 */
export function bodyFromValues(fields: readonly FormField[], values: FormValues): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const field of fields) {
    const key = field.path.split('.').at(-1)!;
    const value = valueOf(field, values);
    if (value !== undefined) body[key] = value;
  }
  return body;
}

function valueOf(field: FormField, values: FormValues): unknown {
  const raw = values[field.path];
  switch (field.kind) {
    case 'boolean':
      return raw === true ? true : field.required ? false : raw === false ? false : undefined;
    case 'number': {
      if (typeof raw !== 'string' || raw.trim() === '') return undefined;
      const n = Number(raw);
      return Number.isFinite(n) ? n : raw;
    }
    case 'list': {
      if (typeof raw !== 'string') return undefined;
      const items = raw
        .split(/[,\n]/)
        .map((s) => s.trim())
        .filter(Boolean);
      return items.length ? items : undefined;
    }
    case 'group': {
      const inner = bodyFromValues(field.fields, values);
      return Object.keys(inner).length ? inner : undefined;
    }
    case 'alternatives': {
      const chosen = Number(values[alternativeKey(field.path)] ?? 0);
      const alternative = field.alternatives[chosen] ?? field.alternatives[0];
      const inner = bodyFromValues(alternative.fields, values);
      return Object.keys(inner).length ? inner : undefined;
    }
    default:
      return typeof raw === 'string' && raw.trim() !== '' ? raw.trim() : undefined;
  }
}
