import { randomBytes, randomUUID } from 'node:crypto';
import { ulid } from 'ulid';
import { deref, type JsonSchema, type OpenApiDocument } from './openapi';

/**
 * Minimal valid values from the JSON Schemas of the OpenAPI document: required
 * fields only (every optional one when an object requires none, as PATCH
 * bodies do), simple generated values that honour type, enum, format,
 * pattern, lengths and bounds. Fields naming a resource (`projectId`, …) are
 * filled with a real id of the calling tenant through `reference`.
 */
export interface ValueContext {
  readonly doc: OpenApiDocument;
  /** A real id for a field such as `projectId`, or undefined when the name is not a known resource. */
  reference(fieldName: string): Promise<string | undefined>;
  /** Lower-case letters and digits, starting with a letter: planted in every free-text value, so a leak is findable. */
  readonly marker: string;
}

export class CannotGenerate extends Error {
  constructor(
    readonly at: string,
    reason: string,
  ) {
    super(`cannot generate a value for ${at}: ${reason}`);
  }
}

let counter = 0;
function unique(): string {
  counter += 1;
  return `${counter.toString(36)}${randomBytes(3).toString('hex')}`;
}

export async function generateValue(schemaIn: JsonSchema, ctx: ValueContext, at: string, fieldName?: string): Promise<unknown> {
  const schema = deref(ctx.doc, schemaIn ?? {});
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum.find((v: unknown) => v !== null) ?? schema.enum[0];
  if (schema.default !== undefined) return structuredClone(schema.default);
  if (Array.isArray(schema.allOf)) return generateValue(mergeAllOf(ctx.doc, schema), ctx, at, fieldName);
  const alternatives: JsonSchema[] | undefined = schema.oneOf ?? schema.anyOf;
  if (Array.isArray(alternatives)) {
    const errors: string[] = [];
    for (const alt of alternatives) {
      const resolved = deref(ctx.doc, alt);
      if (resolved.type === 'null') continue;
      try {
        return await generateValue({ ...withoutKeys(schema, ['oneOf', 'anyOf', 'discriminator']), ...resolved }, ctx, at, fieldName);
      } catch (error) {
        errors.push(String((error as Error).message));
      }
    }
    throw new CannotGenerate(at, `no alternative can be generated (${errors.join('; ')})`);
  }
  const type = typeOf(schema);
  switch (type) {
    case 'string':
      return generateString(schema, ctx, at, fieldName);
    case 'integer':
    case 'number':
      return generateNumber(schema, type, at);
    case 'boolean':
      return false;
    case 'null':
      return null;
    case 'array': {
      const count = Math.max(schema.minItems ?? 0, 0);
      const items: unknown[] = [];
      const itemSchema = deref(ctx.doc, schema.items ?? {});
      for (let i = 0; i < count; i++) {
        if (schema.uniqueItems && Array.isArray(itemSchema.enum)) {
          if (i >= itemSchema.enum.length) throw new CannotGenerate(at, `needs ${count} distinct values from a ${itemSchema.enum.length}-value enum`);
          items.push(itemSchema.enum[i]);
        } else {
          items.push(await generateValue(itemSchema, ctx, `${at}[${i}]`));
        }
      }
      return items;
    }
    case 'object':
      return generateObject(schema, ctx, at);
    default:
      // An unconstrained schema (z.any(), z.unknown()): any JSON value will do.
      return `${ctx.marker}${unique()}`;
  }
}

async function generateObject(schema: JsonSchema, ctx: ValueContext, at: string): Promise<Record<string, unknown>> {
  const properties: Record<string, JsonSchema> = schema.properties ?? {};
  const required: string[] = schema.required ?? [];
  const names = required.length > 0 ? required : Object.keys(properties).filter((n) => !/^expected/i.test(n));
  const out: Record<string, unknown> = {};
  if (names.length === 0 && schema.additionalProperties && typeof schema.additionalProperties === 'object') {
    // A map (z.record): one entry, keyed by the marker (a plain identifier).
    out[ctx.marker] = await generateValue(schema.additionalProperties, ctx, `${at}.${ctx.marker}`);
    return out;
  }
  for (const name of names) {
    const prop = properties[name];
    if (!prop) {
      if (schema.additionalProperties && typeof schema.additionalProperties === 'object') {
        out[name] = await generateValue(schema.additionalProperties, ctx, `${at}.${name}`, name);
        continue;
      }
      throw new CannotGenerate(`${at}.${name}`, 'required but not described');
    }
    out[name] = await generateValue(prop, ctx, `${at}.${name}`, name);
  }
  if (typeof schema.minProperties === 'number' && Object.keys(out).length < schema.minProperties) {
    throw new CannotGenerate(at, `needs at least ${schema.minProperties} properties`);
  }
  return out;
}

async function generateString(schema: JsonSchema, ctx: ValueContext, at: string, fieldName?: string): Promise<string> {
  const min: number = schema.minLength ?? 0;
  const max: number = schema.maxLength ?? Infinity;
  const pattern = schema.pattern ? new RegExp(schema.pattern) : undefined;
  const fits = (value: string) => value.length >= min && value.length <= max && (!pattern || pattern.test(value));
  if (fieldName && /Id$/.test(fieldName) && fieldName !== 'tenantId') {
    const id = await ctx.reference(fieldName);
    if (id !== undefined) return id;
  }
  const u = unique();
  switch (schema.format) {
    case 'email':
      return `${ctx.marker}${u}@example.com`;
    case 'date-time':
      return new Date().toISOString();
    case 'date':
      return new Date().toISOString().slice(0, 10);
    case 'time':
      return '12:00:00Z';
    case 'uri':
    case 'url':
      return `https://example.com/${ctx.marker}/${u}`;
    case 'uuid':
      return randomUUID();
    default:
      break;
  }
  const candidates = [
    `${ctx.marker}${u}`,
    `${ctx.marker}-${u}`,
    `${ctx.marker}_${u}`,
    `${ctx.marker.toUpperCase()}${u.toUpperCase()}`,
    ulid().toLowerCase(),
    ulid(),
    randomBytes(32).toString('hex'),
    `https://example.com/${ctx.marker}`,
    `git@example.com:${ctx.marker}/${ctx.marker}.git`,
    `${ctx.marker}:${u}`,
    'a',
    '1',
  ];
  for (const candidate of candidates) if (fits(candidate)) return candidate;
  if (!pattern) {
    const base = `${ctx.marker}${u}`;
    const value = (base.length < min ? base + 'x'.repeat(min - base.length) : base).slice(0, Number.isFinite(max) ? max : undefined);
    if (fits(value)) return value;
    throw new CannotGenerate(at, `no string of length ${min}..${max}`);
  }
  for (const stretch of [0, 1, 3, 8, 20, 64]) {
    for (let attempt = 0; attempt < 5; attempt++) {
      const value = stringMatching(schema.pattern, stretch);
      if (value !== undefined && fits(value)) return value;
    }
  }
  throw new CannotGenerate(
    at,
    `no string matches /${schema.pattern}/ within length ${min}..${max}; add a body to the registry in test/support/isolation/fixtures.ts`,
  );
}

function generateNumber(schema: JsonSchema, type: 'integer' | 'number', at: string): number {
  const step = type === 'integer' ? 1 : 0.5;
  let low = -Infinity;
  let high = Infinity;
  if (typeof schema.minimum === 'number') low = schema.minimum;
  if (typeof schema.exclusiveMinimum === 'number') low = Math.max(low, schema.exclusiveMinimum + step);
  if (typeof schema.maximum === 'number') high = schema.maximum;
  if (typeof schema.exclusiveMaximum === 'number') high = Math.min(high, schema.exclusiveMaximum - step);
  let value = Number.isFinite(low) ? low : Math.min(1, high);
  if (type === 'integer') value = Math.ceil(value);
  if (typeof schema.multipleOf === 'number') value = Math.ceil(value / schema.multipleOf) * schema.multipleOf;
  if (value > high) throw new CannotGenerate(at, `no ${type} in [${low}, ${high}]`);
  return value;
}

function typeOf(schema: JsonSchema): string | undefined {
  if (Array.isArray(schema.type)) return schema.type.find((t: string) => t !== 'null') ?? 'null';
  if (schema.type) return schema.type;
  if (schema.properties || schema.additionalProperties) return 'object';
  if (schema.items) return 'array';
  if (schema.pattern || schema.format || schema.minLength !== undefined) return 'string';
  return undefined;
}

function mergeAllOf(doc: OpenApiDocument, schema: JsonSchema): JsonSchema {
  const parts = (schema.allOf as JsonSchema[]).map((s) => deref(doc, s));
  const merged: JsonSchema = { ...withoutKeys(schema, ['allOf']) };
  for (const part of parts) {
    const p = part.allOf ? mergeAllOf(doc, part) : part;
    merged.type ??= p.type;
    merged.properties = { ...(merged.properties ?? {}), ...(p.properties ?? {}) };
    merged.required = [...new Set([...(merged.required ?? []), ...(p.required ?? [])])];
    for (const [k, v] of Object.entries(p)) if (!['properties', 'required', 'type'].includes(k)) merged[k] ??= v;
  }
  if (Object.keys(merged.properties).length === 0) delete merged.properties;
  if (merged.required.length === 0) delete merged.required;
  return merged;
}

function withoutKeys(object: JsonSchema, keys: string[]): JsonSchema {
  return Object.fromEntries(Object.entries(object).filter(([k]) => !keys.includes(k)));
}

// ---------------------------------------------------------------------------
// A small generator of strings matching a regular expression: literals,
// escapes, classes, groups, alternation and quantifiers. Enough for the
// patterns zod schemas use for ids, names and hashes; the caller checks the
// result against the real RegExp.

type Node = { kind: 'chars'; set: string } | { kind: 'group'; alternatives: Term[][] } | { kind: 'anchor' };
interface Term {
  node: Node;
  min: number;
  max: number;
}

const PRINTABLE = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join('');
// Preferred characters first: lower-case Crockford letters and digits satisfy most id classes.
const PREFERRED = 'abcdefghjkmnpqrstvwxyz0123456789';
const DIGITS = '0123456789';
const WORD = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_';
const SPACE = ' \t';

export function stringMatching(pattern: string, stretch = 0): string | undefined {
  try {
    const parser = new RegexParser(pattern);
    const alternatives = parser.parseAlternatives();
    return emitAlternatives(alternatives, stretch);
  } catch {
    return undefined;
  }
}

function emitAlternatives(alternatives: Term[][], stretch: number): string {
  const choice = alternatives[Math.floor(Math.random() * alternatives.length)];
  return choice.map((t) => emitTerm(t, stretch)).join('');
}

function emitTerm(term: Term, stretch: number): string {
  if (term.node.kind === 'anchor') return '';
  const count = Math.min(term.max, term.min + (term.max > term.min ? stretch : 0));
  let out = '';
  for (let i = 0; i < count; i++) out += term.node.kind === 'chars' ? pick(term.node.set) : emitAlternatives(term.node.alternatives, stretch);
  return out;
}

function pick(set: string): string {
  const preferred = [...PREFERRED].filter((c) => set.includes(c));
  const pool = preferred.length > 0 ? preferred : [...set];
  if (pool.length === 0) throw new Error('empty class');
  return pool[Math.floor(Math.random() * pool.length)];
}

class RegexParser {
  private i = 0;
  constructor(private readonly src: string) {}

  parseAlternatives(): Term[][] {
    const alternatives: Term[][] = [[]];
    while (this.i < this.src.length) {
      const c = this.src[this.i];
      if (c === ')') break;
      if (c === '|') {
        this.i++;
        alternatives.push([]);
        continue;
      }
      const node = this.parseAtom();
      const [min, max] = this.parseQuantifier();
      alternatives[alternatives.length - 1].push({ node, min, max });
    }
    return alternatives;
  }

  private parseAtom(): Node {
    const c = this.src[this.i++];
    if (c === '^' || c === '$') return { kind: 'anchor' };
    if (c === '.') return { kind: 'chars', set: PRINTABLE };
    if (c === '(') {
      if (this.src.startsWith('?:', this.i)) this.i += 2;
      else if (this.src.startsWith('?<', this.i) && !this.src.startsWith('?<=', this.i) && !this.src.startsWith('?<!', this.i))
        this.i = this.src.indexOf('>', this.i) + 1;
      else if (this.src[this.i] === '?') throw new Error('lookaround not supported');
      const alternatives = this.parseAlternatives();
      if (this.src[this.i++] !== ')') throw new Error('unbalanced group');
      return { kind: 'group', alternatives };
    }
    if (c === '[') return { kind: 'chars', set: this.parseClass() };
    if (c === '\\') {
      const e = this.src[this.i++];
      if (e === 'b' || e === 'B') return { kind: 'anchor' };
      return { kind: 'chars', set: this.escape(e) };
    }
    return { kind: 'chars', set: c };
  }

  private escape(e: string): string {
    switch (e) {
      case 'd':
        return DIGITS;
      case 'D':
        return [...PRINTABLE].filter((c) => !DIGITS.includes(c)).join('');
      case 'w':
        return WORD;
      case 'W':
        return [...PRINTABLE].filter((c) => !WORD.includes(c)).join('');
      case 's':
        return SPACE;
      case 'S':
        return [...PRINTABLE].filter((c) => !SPACE.includes(c)).join('');
      case 'n':
        return '\n';
      case 't':
        return '\t';
      case 'u': {
        const hex = this.src.slice(this.i, this.i + 4);
        this.i += 4;
        return String.fromCharCode(parseInt(hex, 16));
      }
      default:
        return e;
    }
  }

  private parseClass(): string {
    let negate = false;
    if (this.src[this.i] === '^') {
      negate = true;
      this.i++;
    }
    let set = '';
    let first = true;
    while (this.i < this.src.length && (this.src[this.i] !== ']' || first)) {
      first = false;
      let c = this.src[this.i++];
      let chars: string;
      if (c === '\\') {
        chars = this.escape(this.src[this.i++]);
        if (chars.length > 1) {
          set += chars;
          continue;
        }
        c = chars;
      }
      if (this.src[this.i] === '-' && this.src[this.i + 1] !== ']' && this.i + 1 < this.src.length) {
        this.i++;
        let end = this.src[this.i++];
        if (end === '\\') end = this.escape(this.src[this.i++]);
        for (let code = c.charCodeAt(0); code <= end.charCodeAt(0); code++) set += String.fromCharCode(code);
      } else {
        set += c;
      }
    }
    if (this.src[this.i++] !== ']') throw new Error('unterminated class');
    return negate ? [...PRINTABLE].filter((c) => !set.includes(c)).join('') : set;
  }

  private parseQuantifier(): [number, number] {
    const c = this.src[this.i];
    let range: [number, number] = [1, 1];
    if (c === '*') range = [0, Infinity];
    else if (c === '+') range = [1, Infinity];
    else if (c === '?') range = [0, 1];
    else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.i));
      if (!m) return range;
      this.i += m[0].length;
      const min = Number(m[1]);
      const max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
      if (this.src[this.i] === '?') this.i++;
      return [min, max];
    } else return range;
    this.i++;
    if (this.src[this.i] === '?') this.i++;
    return range;
  }
}
