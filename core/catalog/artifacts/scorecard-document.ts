import { z } from 'zod';
import type { InvalidField } from '../../errors';
import { ARTIFACT_FIELD, failIfAny, parseJsonArtifact, zodProblems } from './artifact-problems';
import { Field, FieldName, isNumericType, type FieldValue, type IoSchema } from './io-schema';

/**
 * The `scorecard` artifact format (`steward-scorecard/v1`): a points-based
 * credit-style scorecard as JSON, published as a JSON Schema
 * ({@link SCORECARD_DOCUMENT_JSON_SCHEMA}) like the rules format.
 *
 * - Each **characteristic** reads one input field and gives points by bin:
 *   numeric ranges `{ "min": a, "max": b }` (a ≤ x < b; either end may be
 *   left open) for numeric fields, or category sets `{ "values": [...] }` for
 *   string, category and bool fields (bools as "true"/"false"). A value in no
 *   bin takes the `other` points if the characteristic has them, else the row
 *   is refused; a missing value (CSV '' or JSON null/absent) takes the
 *   `missing` points if given, else the row is refused.
 * - **score** = `basePoints` + Σ the characteristics' points.
 * - **Scaling** (points to odds): odds (good:bad) double every `pdo` points
 *   and are `baseOdds` at `baseScore`:
 *   odds = baseOdds · 2^((score − baseScore) / pdo); bad_probability = 1 / (1 + odds).
 * - **Reason codes**: per row, each characteristic's shortfall is its highest
 *   attainable points minus the points the row got; the `reasons.count`
 *   characteristics with the largest shortfall (> 0; ties in document order)
 *   give their `reasonCode`, largest first.
 *
 * Outputs a version may declare: `score`, `odds`, `bad_probability` (float or
 * double) and `reasons` (string, the codes joined by `;`).
 */

export const SCORECARD_FORMAT = 'steward-scorecard/v1';

/** The outputs a scorecard produces, with the types a version may declare for them. */
export const SCORECARD_OUTPUTS = {
  score: ['float', 'double'],
  odds: ['float', 'double'],
  bad_probability: ['float', 'double'],
  reasons: ['string'],
} as const satisfies Record<string, readonly string[]>;

const Points = z.number().describe('points; may be negative or fractional');
const Label = z.string().max(200).optional().describe('shown in reports, e.g. "25–35"');

export const NumericBin = z.strictObject({
  min: z.number().optional().describe('inclusive lower bound; absent: no lower bound'),
  max: z.number().optional().describe('exclusive upper bound; absent: no upper bound'),
  points: Points,
  label: Label,
});
export type NumericBin = z.infer<typeof NumericBin>;

export const CategoryBin = z.strictObject({
  values: z.array(z.string().min(1).max(200)).min(1).max(10_000).describe('the values that fall in this bin; bools as "true" / "false"'),
  points: Points,
  label: Label,
});
export type CategoryBin = z.infer<typeof CategoryBin>;

export const SpecialBin = z.strictObject({ points: Points, label: Label });

export const Characteristic = z.strictObject({
  field: FieldName,
  /** Returned when this characteristic costs the row points. @default the field name */
  reasonCode: z.string().min(1).max(100).optional(),
  description: z.string().max(2000).optional(),
  bins: z
    .array(z.union([NumericBin, CategoryBin]))
    .min(1)
    .max(1000),
  /** Points for a missing value; without it a missing value is refused. */
  missing: SpecialBin.optional(),
  /** Points for a value in no bin; without it such a value is refused. */
  other: SpecialBin.optional(),
});
export type Characteristic = z.infer<typeof Characteristic>;

export const Scaling = z.strictObject({
  pdo: z.number().positive().describe('points to double the odds'),
  baseScore: z.number().describe('the score at which the odds are baseOdds'),
  baseOdds: z.number().positive().describe('good:bad odds at baseScore, e.g. 50 for 50:1'),
});

export const ScorecardDocument = z.strictObject({
  format: z.literal(SCORECARD_FORMAT),
  description: z.string().max(2000).optional(),
  inputs: z.array(Field).min(1).max(1000),
  basePoints: z.number().default(0),
  scaling: Scaling,
  characteristics: z.array(Characteristic).min(1).max(1000),
  reasons: z.strictObject({ count: z.number().int().min(0).max(20).default(3) }).default({ count: 3 }),
});
export type ScorecardDocument = z.infer<typeof ScorecardDocument>;

const names = z.registry<{ id: string; title?: string; description?: string }>();
names.add(Field, { id: 'Field', description: 'A typed input; scorecard fields are one value per row (no shape).' });
names.add(NumericBin, { id: 'NumericBin', description: 'min ≤ value < max; an absent end is open.' });
names.add(CategoryBin, { id: 'CategoryBin', description: 'The value is one of values.' });
names.add(SpecialBin, { id: 'SpecialBin' });
names.add(Characteristic, { id: 'Characteristic' });
names.add(Scaling, { id: 'Scaling', description: 'odds = baseOdds · 2^((score − baseScore) / pdo)' });

/** The JSON Schema (draft 2020-12) of a scorecard document; the cross-checks are {@link validateScorecardDocument}'s. */
export const SCORECARD_DOCUMENT_JSON_SCHEMA: Record<string, unknown> = {
  ...z.toJSONSchema(ScorecardDocument, { metadata: names, target: 'draft-2020-12', io: 'input' }),
  title: 'Steward scorecard document (steward-scorecard/v1)',
};

// ---------------------------------------------------------------------------
// Validation

function binProblems(c: Characteristic, field: Field, path: string): InvalidField[] {
  const problems: InvalidField[] = [];
  const numeric = isNumericType(field.type);
  const numericBins: { bin: NumericBin; index: number }[] = [];
  const seen = new Map<string, number>();
  c.bins.forEach((bin, index) => {
    const at = `${path}.bins.${index}`;
    if ('values' in bin) {
      if (numeric) return problems.push({ field: `${at}.values`, problem: `'${field.name}' is ${field.type}: give numeric ranges (min/max), not values` });
      bin.values.forEach((value, v) => {
        const earlier = seen.get(value);
        if (earlier !== undefined) problems.push({ field: `${at}.values.${v}`, problem: `'${value}' is already in bins.${earlier}` });
        seen.set(value, index);
        if (field.type === 'bool' && value !== 'true' && value !== 'false')
          problems.push({ field: `${at}.values.${v}`, problem: `'${field.name}' is bool: values are "true" or "false"` });
        if (field.type === 'category' && field.allowed && !field.allowed.includes(value)) {
          problems.push({ field: `${at}.values.${v}`, problem: `'${value}' is not an allowed value of '${field.name}' (${field.allowed.join(', ')})` });
        }
      });
    } else {
      if (!numeric) return problems.push({ field: at, problem: `'${field.name}' is ${field.type}: give values, not a numeric range` });
      if (bin.min !== undefined && bin.max !== undefined && !(bin.min < bin.max))
        problems.push({ field: at, problem: `min ${bin.min} is not below max ${bin.max}` });
      else numericBins.push({ bin, index });
    }
  });
  const sorted = [...numericBins].sort((a, b) => (a.bin.min ?? -Infinity) - (b.bin.min ?? -Infinity));
  for (let i = 1; i < sorted.length; i++) {
    const before = sorted[i - 1];
    const after = sorted[i];
    if ((before.bin.max ?? Infinity) > (after.bin.min ?? -Infinity)) {
      problems.push({ field: `${path}.bins.${after.index}`, problem: `overlaps bins.${before.index}: bins must not overlap (min inclusive, max exclusive)` });
    }
  }
  return problems;
}

/** Cross-checks of a structurally valid document against itself and the version's schema. */
export function scorecardDocumentProblems(doc: ScorecardDocument, io: IoSchema): InvalidField[] {
  const problems: InvalidField[] = [];
  const inputs = new Map<string, Field>();
  doc.inputs.forEach((field, i) => {
    if (inputs.has(field.name)) problems.push({ field: `${ARTIFACT_FIELD}.inputs.${i}.name`, problem: `field '${field.name}' is declared twice` });
    if (field.shape)
      problems.push({ field: `${ARTIFACT_FIELD}.inputs.${i}.shape`, problem: `'${field.name}': scorecard fields are one value per row; remove the shape` });
    inputs.set(field.name, field);
  });
  const used = new Map<string, number>();
  doc.characteristics.forEach((c, i) => {
    const path = `${ARTIFACT_FIELD}.characteristics.${i}`;
    const field = inputs.get(c.field);
    if (!field)
      return problems.push({
        field: `${path}.field`,
        problem: `unknown field '${c.field}': not among the document's inputs (${[...inputs.keys()].join(', ')})`,
      });
    const earlier = used.get(c.field);
    if (earlier !== undefined)
      problems.push({ field: `${path}.field`, problem: `'${c.field}' already has characteristics.${earlier}; give each field one characteristic` });
    used.set(c.field, i);
    problems.push(...binProblems(c, field, path));
  });
  const declared = new Map(io.inputs.map((f) => [f.name, f]));
  doc.inputs.forEach((field, i) => {
    const other = declared.get(field.name);
    if (!other) problems.push({ field: `${ARTIFACT_FIELD}.inputs.${i}.name`, problem: `input '${field.name}' is not among the version's declared inputs` });
    else if (other.type !== field.type)
      problems.push({
        field: `${ARTIFACT_FIELD}.inputs.${i}.type`,
        problem: `input '${field.name}' is ${field.type} here but ${other.type} in the version's schema`,
      });
  });
  io.outputs.forEach((output, i) => {
    const types = (SCORECARD_OUTPUTS as Record<string, readonly string[]>)[output.name];
    if (!types)
      problems.push({
        field: `ioSchema.outputs.${i}.name`,
        problem: `a scorecard produces ${Object.keys(SCORECARD_OUTPUTS).join(', ')}; not '${output.name}'`,
      });
    else if (!types.includes(output.type))
      problems.push({ field: `ioSchema.outputs.${i}.type`, problem: `'${output.name}' is ${types.join(' or ')} for a scorecard, not ${output.type}` });
  });
  return problems;
}

/**
 * Parses and checks an uploaded scorecard against the version's schema.
 * Throws ValidationFailed listing every problem with its JSON path
 * (`artifact.characteristics.2.bins.1`).
 *
 * @example
 * const card = validateScorecardDocument(bytes, version.ioSchema);
 * scoreRow(compileScorecard(card), { age: 41, income: 72000, home: 'own' }); // { score: 612, … }
 */
export function validateScorecardDocument(bytes: Uint8Array, io: IoSchema): ScorecardDocument {
  const raw = parseJsonArtifact(bytes, 'the scorecard');
  const parsed = ScorecardDocument.safeParse(raw);
  if (!parsed.success) failIfAny(zodProblems(parsed.error, ARTIFACT_FIELD), 'the scorecard is not valid');
  const doc = parsed.data as ScorecardDocument;
  failIfAny(scorecardDocumentProblems(doc, io), 'the scorecard is not valid');
  return doc;
}

// ---------------------------------------------------------------------------
// Scoring

export interface ScorecardResult {
  readonly score: number;
  readonly odds: number;
  readonly bad_probability: number;
  /** Reason codes, largest shortfall first. */
  readonly reasons: readonly string[];
  /** Points per characteristic (by field). */
  readonly points: Readonly<Record<string, number>>;
}

export interface ScorecardRefusal {
  readonly field: string;
  readonly problem: string;
}

interface CompiledCharacteristic {
  readonly field: string;
  readonly reasonCode: string;
  readonly maxPoints: number;
  pointsFor(value: FieldValue | null | undefined): number | string;
}

export interface CompiledScorecard {
  readonly doc: ScorecardDocument;
  readonly characteristics: readonly CompiledCharacteristic[];
}

function compileCharacteristic(c: Characteristic, field: Field): CompiledCharacteristic {
  const candidates = [...c.bins.map((b) => b.points), ...(c.missing ? [c.missing.points] : []), ...(c.other ? [c.other.points] : [])];
  const numericBins = c.bins.filter((b): b is NumericBin => !('values' in b));
  const byValue = new Map<string, number>();
  for (const bin of c.bins) if ('values' in bin) for (const v of bin.values) byValue.set(v, bin.points);
  const numeric = isNumericType(field.type);
  return {
    field: c.field,
    reasonCode: c.reasonCode ?? c.field,
    maxPoints: Math.max(...candidates),
    pointsFor(value) {
      if (value === null || value === undefined || value === '') return c.missing ? c.missing.points : 'missing, and the characteristic has no missing bin';
      let points: number | undefined;
      if (numeric) {
        if (typeof value !== 'number') return `expected a number, got ${JSON.stringify(value)}`;
        points = numericBins.find((b) => (b.min === undefined || value >= b.min) && (b.max === undefined || value < b.max))?.points;
      } else {
        points = byValue.get(String(value));
      }
      if (points !== undefined) return points;
      return c.other ? c.other.points : `${JSON.stringify(value)} falls in no bin, and the characteristic has no 'other' bin`;
    },
  };
}

/** Prepares a validated document for scoring many rows. */
export function compileScorecard(doc: ScorecardDocument): CompiledScorecard {
  const fields = new Map(doc.inputs.map((f) => [f.name, f]));
  return { doc, characteristics: doc.characteristics.map((c) => compileCharacteristic(c, fields.get(c.field)!)) };
}

/** odds (good:bad) at a score, per the document's scaling. */
export function oddsAt(scaling: ScorecardDocument['scaling'], score: number): number {
  return scaling.baseOdds * 2 ** ((score - scaling.baseScore) / scaling.pdo);
}

/** Scores one row (field → value; null or absent is missing), or says which field it cannot score and why. */
export function scoreRow(card: CompiledScorecard, row: Readonly<Record<string, FieldValue | null | undefined>>): ScorecardResult | ScorecardRefusal {
  const points: Record<string, number> = {};
  const shortfalls: { code: string; shortfall: number; order: number }[] = [];
  let score = card.doc.basePoints;
  for (let order = 0; order < card.characteristics.length; order++) {
    const c = card.characteristics[order];
    const got = c.pointsFor(row[c.field]);
    if (typeof got === 'string') return { field: c.field, problem: got };
    points[c.field] = got;
    score += got;
    if (c.maxPoints - got > 0) shortfalls.push({ code: c.reasonCode, shortfall: c.maxPoints - got, order });
  }
  const odds = oddsAt(card.doc.scaling, score);
  shortfalls.sort((a, b) => b.shortfall - a.shortfall || a.order - b.order);
  return { score, odds, bad_probability: 1 / (1 + odds), reasons: shortfalls.slice(0, card.doc.reasons.count).map((s) => s.code), points };
}
