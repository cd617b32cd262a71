import { type Field, type IoSchema, isNumericType } from '../catalog/artifacts/io-schema';
import { validateRulesDocument } from '../catalog/artifacts/rules-document';
import { type Characteristic, validateScorecardDocument } from '../catalog/artifacts/scorecard-document';
import type { ServingRuntime } from '../ports/endpoint-control';

/**
 * The one row the deploy pipeline's smoke test sends each variant. It must be
 * a row the served version accepts, or a sound version fails its deployment:
 * zeros and empty text fit any schema's types, but a rules document may list
 * a category's values where the version's schema leaves it open, and a
 * scorecard refuses a value in no bin (an age of 0 when its bins start at 18).
 * So for those two formats the row is built from the document itself.
 */

/** A row every schema accepts by type: zeros, false, empty text, the first allowed category. */
export function exampleRow(schema: Pick<IoSchema, 'inputs'>): Record<string, unknown> {
  const value = (f: Field): unknown => {
    const scalar = f.type === 'bool' ? false : f.type === 'string' ? '' : f.type === 'category' ? (f.allowed?.[0] ?? '') : 0;
    const width = f.shape && f.shape.length > 1 ? f.shape[f.shape.length - 1] : 1;
    return f.shape && width > 1 ? Array.from({ length: width }, () => scalar) : scalar;
  };
  return Object.fromEntries(schema.inputs.map((f) => [f.name, value(f)]));
}

/** A value inside the characteristic's first bin that can hold one, or null (missing) when only its `missing` bin can take the row. */
function valueInBins(c: Characteristic, field: Field): unknown {
  const integer = field.type === 'int' || field.type === 'long';
  for (const bin of c.bins) {
    if ('values' in bin) return field.type === 'bool' ? bin.values[0] === 'true' : bin.values[0];
    if (!isNumericType(field.type)) continue;
    // min ≤ x < max, either end open.
    const candidate =
      bin.min !== undefined ? (integer ? Math.ceil(bin.min) : bin.min) : bin.max !== undefined ? (integer ? Math.ceil(bin.max) - 1 : bin.max - 1) : 0;
    if (bin.max === undefined || candidate < bin.max) return candidate;
  }
  return c.other ? undefined : c.missing ? null : undefined;
}

/**
 * The smoke-test row for a version served by `runtime`: for `rules` and
 * `scorecard`, built from the stored document (`document` bytes); for the
 * rest, or a document that does not parse (the runtime's load then fails
 * with the real reason), {@link exampleRow} of the version's schema.
 */
export function smokeRow(runtime: ServingRuntime, schema: IoSchema, document?: Uint8Array): Record<string, unknown> {
  const row = exampleRow(schema);
  if (!document) return row;
  try {
    if (runtime === 'rules') {
      const doc = validateRulesDocument(document, schema);
      return { ...row, ...exampleRow(doc) };
    }
    if (runtime === 'scorecard') {
      const doc = validateScorecardDocument(document, schema);
      const fields = new Map(doc.inputs.map((f) => [f.name, f]));
      const out: Record<string, unknown> = { ...row, ...exampleRow(doc) };
      for (const c of doc.characteristics) {
        const value = valueInBins(c, fields.get(c.field)!);
        if (value !== undefined) out[c.field] = value;
      }
      return out;
    }
  } catch {
    return row;
  }
  return row;
}
