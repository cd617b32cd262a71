import { Engine, type RuleProperties, type TopLevelCondition } from 'json-rules-engine';
import { z } from 'zod';
import type { InvalidField } from '../../errors';
import { ARTIFACT_FIELD, failIfAny, parseJsonArtifact, zodProblems } from './artifact-problems';
import { Field, FieldName, isNumericType, valueProblem, type FieldValue, type IoSchema } from './io-schema';

/**
 * The `rules` artifact format: a decision table as JSON, published as a JSON
 * Schema ({@link RULES_DOCUMENT_JSON_SCHEMA}) so authors and tools can check a
 * document before uploading it.
 *
 * Conditions are json-rules-engine's (`all` / `any` / `not`, nested, around
 * `{ field, operator, value }` leaves), with `field` where json-rules-engine
 * says `fact`, and one operator it lacks, `between` (inclusive at both ends).
 * {@link toEngineRules} makes the 1:1 translation, and {@link evaluateRules}
 * runs it, so the serving runtime evaluates exactly what was validated.
 *
 * Hit policies: `first` — the first matching rule in document order decides;
 * `priority` — the matching rule with the highest `priority` decides (ties go
 * to document order), so every rule must set one; `collect` — every matching
 * rule contributes one output row, in document order. A rule's outputs are its
 * `then` over `default`; when nothing matches, `default` alone is the answer
 * (or there is none).
 */

export const RULES_FORMAT = 'steward-rules/v1';

const EQUALITY_OPERATORS = ['equal', 'notEqual'] as const;
const ORDERING_OPERATORS = ['lessThan', 'lessThanInclusive', 'greaterThan', 'greaterThanInclusive'] as const;
const MEMBERSHIP_OPERATORS = ['in', 'notIn'] as const;
export const RULE_OPERATORS = [...EQUALITY_OPERATORS, ...ORDERING_OPERATORS, ...MEMBERSHIP_OPERATORS, 'between'] as const;
export type RuleOperator = (typeof RULE_OPERATORS)[number];

const Scalar = z.union([z.string().max(1000), z.number(), z.boolean()]);

export const FieldCondition = z.discriminatedUnion('operator', [
  z.strictObject({ field: FieldName, operator: z.enum(EQUALITY_OPERATORS), value: Scalar }),
  z.strictObject({ field: FieldName, operator: z.enum(ORDERING_OPERATORS), value: z.number() }),
  z.strictObject({
    field: FieldName,
    operator: z.enum(MEMBERSHIP_OPERATORS),
    value: z
      .array(z.union([z.string().max(1000), z.number()]))
      .min(1)
      .max(10_000),
  }),
  z.strictObject({ field: FieldName, operator: z.literal('between'), value: z.tuple([z.number(), z.number()]).describe('[low, high], both inclusive') }),
]);
export type FieldCondition = z.infer<typeof FieldCondition>;

export type AllCondition = { all: Condition[] };
export type AnyCondition = { any: Condition[] };
export type NotCondition = { not: Condition };
export type Condition = FieldCondition | AllCondition | AnyCondition | NotCondition;
export type TopCondition = AllCondition | AnyCondition | NotCondition;

// Recursive schemas through getters (zod 4's way); the casts give them their declared types.
export const AllCondition = z.strictObject({
  get all() {
    return z.array(Condition).min(1).max(1000);
  },
}) as unknown as z.ZodType<AllCondition>;
export const AnyCondition = z.strictObject({
  get any() {
    return z.array(Condition).min(1).max(1000);
  },
}) as unknown as z.ZodType<AnyCondition>;
export const NotCondition = z.strictObject({
  get not() {
    return Condition;
  },
}) as unknown as z.ZodType<NotCondition>;
export const Condition: z.ZodType<Condition> = z.union([FieldCondition, AllCondition, AnyCondition, NotCondition]);
/** json-rules-engine needs a boolean at the top of every rule: `all`, `any` or `not`. */
export const TopCondition: z.ZodType<TopCondition> = z.union([AllCondition, AnyCondition, NotCondition]);

const Outputs = z.record(FieldName, Scalar);

export const Rule = z.strictObject({
  id: z
    .string()
    .min(1)
    .max(100)
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'use letters, digits, dot, dash or underscore, starting with a letter or digit'),
  description: z.string().max(2000).optional(),
  /** Higher wins under hitPolicy `priority`; json-rules-engine also evaluates higher first. */
  priority: z.number().int().min(1).max(1_000_000).optional(),
  when: TopCondition,
  then: Outputs,
});
export type Rule = z.infer<typeof Rule>;

export const RulesDocument = z.strictObject({
  format: z.literal(RULES_FORMAT),
  description: z.string().max(2000).optional(),
  hitPolicy: z.enum(['first', 'collect', 'priority']),
  inputs: z.array(Field).min(1).max(1000),
  outputs: z.array(Field).min(1).max(1000),
  rules: z.array(Rule).min(1).max(10_000),
  default: Outputs.optional(),
});
export type RulesDocument = z.infer<typeof RulesDocument>;

const names = z.registry<{ id: string; title?: string; description?: string }>();
names.add(Field, { id: 'Field', description: 'A typed input or output; rules fields are one value per row (no shape).' });
names.add(FieldCondition, { id: 'FieldCondition', description: "Compares one input field with a value. 'between' takes [low, high], inclusive." });
names.add(AllCondition, { id: 'AllCondition', description: 'Holds when every condition holds.' });
names.add(AnyCondition, { id: 'AnyCondition', description: 'Holds when at least one condition holds.' });
names.add(NotCondition, { id: 'NotCondition', description: 'Holds when its condition does not.' });
names.add(Condition, { id: 'Condition' });
names.add(Rule, { id: 'Rule' });

/**
 * The JSON Schema (draft 2020-12) of a rules document, for the API to publish.
 * It states the structure; the cross-checks (fields referenced exist, values
 * fit their field's type, ids unique) are {@link validateRulesDocument}'s.
 */
export const RULES_DOCUMENT_JSON_SCHEMA: Record<string, unknown> = {
  ...z.toJSONSchema(RulesDocument, { metadata: names, target: 'draft-2020-12' }),
  title: 'Steward rules document (steward-rules/v1)',
};

// ---------------------------------------------------------------------------
// Validation

interface Scope {
  readonly inputs: ReadonlyMap<string, Field>;
  readonly problems: InvalidField[];
}

function checkCondition(condition: Condition, path: string, scope: Scope): void {
  if ('all' in condition) return condition.all.forEach((c, i) => checkCondition(c, `${path}.all.${i}`, scope));
  if ('any' in condition) return condition.any.forEach((c, i) => checkCondition(c, `${path}.any.${i}`, scope));
  if ('not' in condition) return checkCondition(condition.not, `${path}.not`, scope);
  const field = scope.inputs.get(condition.field);
  if (!field) {
    scope.problems.push({
      field: `${path}.field`,
      problem: `unknown field '${condition.field}': not among the document's inputs (${[...scope.inputs.keys()].join(', ')})`,
    });
    return;
  }
  const at = `${path}.value`;
  const say = (problem: string) => scope.problems.push({ field: at, problem: `'${field.name}' ${condition.operator}: ${problem}` });
  switch (condition.operator) {
    case 'equal':
    case 'notEqual': {
      const problem = valueProblem(field, condition.value);
      if (problem) say(`${problem}, got ${JSON.stringify(condition.value)}`);
      break;
    }
    case 'in':
    case 'notIn':
      condition.value.forEach((v, i) => {
        const problem = valueProblem(field, v);
        if (problem) scope.problems.push({ field: `${at}.${i}`, problem: `'${field.name}' ${condition.operator}: ${problem}, got ${JSON.stringify(v)}` });
      });
      break;
    case 'between':
      if (!isNumericType(field.type)) say(`compares numbers, but '${field.name}' is ${field.type}`);
      else if (condition.value[0] > condition.value[1]) say(`low ${condition.value[0]} is above high ${condition.value[1]}`);
      break;
    default:
      if (!isNumericType(field.type)) say(`compares numbers, but '${field.name}' is ${field.type}`);
  }
}

function checkOutputs(values: Readonly<Record<string, FieldValue>>, path: string, outputs: ReadonlyMap<string, Field>, problems: InvalidField[]): void {
  for (const [name, value] of Object.entries(values)) {
    const field = outputs.get(name);
    if (!field) {
      problems.push({ field: `${path}.${name}`, problem: `sets '${name}', which is not among the document's outputs (${[...outputs.keys()].join(', ')})` });
      continue;
    }
    const problem = valueProblem(field, value);
    if (problem) problems.push({ field: `${path}.${name}`, problem: `output '${name}': ${problem}, got ${JSON.stringify(value)}` });
  }
}

function checkFieldsAreScalar(fields: readonly Field[], list: 'inputs' | 'outputs', problems: InvalidField[]): void {
  fields.forEach((field, i) => {
    if (field.shape)
      problems.push({ field: `${ARTIFACT_FIELD}.${list}.${i}.shape`, problem: `'${field.name}': rules fields are one value per row; remove the shape` });
  });
}

/** The document's fields against the version's: it may read only declared inputs, and must produce every declared output. */
function checkAgainstIoSchema(doc: Pick<RulesDocument, 'inputs' | 'outputs'>, io: IoSchema, problems: InvalidField[]): void {
  const declaredInputs = new Map(io.inputs.map((f) => [f.name, f]));
  doc.inputs.forEach((field, i) => {
    const declared = declaredInputs.get(field.name);
    if (!declared) problems.push({ field: `${ARTIFACT_FIELD}.inputs.${i}.name`, problem: `input '${field.name}' is not among the version's declared inputs` });
    else if (declared.type !== field.type)
      problems.push({
        field: `${ARTIFACT_FIELD}.inputs.${i}.type`,
        problem: `input '${field.name}' is ${field.type} here but ${declared.type} in the version's schema`,
      });
  });
  const docOutputs = new Map(doc.outputs.map((f) => [f.name, f]));
  io.outputs.forEach((declared, i) => {
    const field = docOutputs.get(declared.name);
    if (!field)
      problems.push({
        field: `ioSchema.outputs.${i}.name`,
        problem: `output '${declared.name}' is declared for the version but the rules document has no such output`,
      });
    else if (declared.type !== field.type)
      problems.push({
        field: `ioSchema.outputs.${i}.type`,
        problem: `output '${declared.name}' is ${declared.type} in the version's schema but ${field.type} in the rules document`,
      });
  });
}

type DocumentFrame = Omit<RulesDocument, 'rules'>;

/** Checks of the document's own fields (inputs, outputs, default) against each other and the version's schema. */
function frameProblems(doc: DocumentFrame, io: IoSchema): InvalidField[] {
  const problems: InvalidField[] = [];
  for (const [list, fields] of [
    ['inputs', doc.inputs],
    ['outputs', doc.outputs],
  ] as const) {
    const seen = new Set<string>();
    fields.forEach((f, i) => {
      if (seen.has(f.name)) problems.push({ field: `${ARTIFACT_FIELD}.${list}.${i}.name`, problem: `field '${f.name}' is declared twice` });
      seen.add(f.name);
    });
  }
  checkFieldsAreScalar(doc.inputs, 'inputs', problems);
  checkFieldsAreScalar(doc.outputs, 'outputs', problems);
  checkAgainstIoSchema(doc, io, problems);
  if (doc.default) checkOutputs(doc.default, `${ARTIFACT_FIELD}.default`, new Map(doc.outputs.map((f) => [f.name, f])), problems);
  return problems;
}

/** Checks of each rule against the document's fields; `rules` carry their position in the document. */
function ruleProblems(doc: DocumentFrame, rules: readonly { readonly rule: Rule; readonly index: number }[]): InvalidField[] {
  const problems: InvalidField[] = [];
  const inputs = new Map(doc.inputs.map((f) => [f.name, f]));
  const outputs = new Map(doc.outputs.map((f) => [f.name, f]));
  const firstUse = new Map<string, number>();
  for (const { rule, index } of rules) {
    const path = `${ARTIFACT_FIELD}.rules.${index}`;
    const earlier = firstUse.get(rule.id);
    if (earlier !== undefined) problems.push({ field: `${path}.id`, problem: `duplicate rule id '${rule.id}' (first used by rules.${earlier})` });
    else firstUse.set(rule.id, index);
    if (doc.hitPolicy === 'priority' && rule.priority === undefined) {
      problems.push({ field: `${path}.priority`, problem: `rule '${rule.id}' needs a priority: the document's hitPolicy is 'priority'` });
    }
    checkCondition(rule.when, `${path}.when`, { inputs, problems });
    checkOutputs(rule.then, `${path}.then`, outputs, problems);
    const unset = doc.outputs.filter((f) => !(f.name in rule.then) && !(doc.default && f.name in doc.default)).map((f) => f.name);
    if (unset.length > 0) {
      problems.push({
        field: `${path}.then`,
        problem: `rule '${rule.id}' leaves ${unset.map((n) => `'${n}'`).join(', ')} unset and the document has no default for ${unset.length === 1 ? 'it' : 'them'}`,
      });
    }
  }
  return problems;
}

/** Cross-checks of a structurally valid document; every problem, with its path. */
export function rulesDocumentProblems(doc: RulesDocument, io: IoSchema): InvalidField[] {
  return [
    ...frameProblems(doc, io),
    ...ruleProblems(
      doc,
      doc.rules.map((rule, index) => ({ rule, index })),
    ),
  ];
}

/** The document with its rules left unparsed, so one malformed rule does not hide the other rules' problems. */
const DocumentShell = RulesDocument.extend({ rules: z.array(z.unknown()).min(1).max(10_000) });

/**
 * Parses and checks an uploaded rules document against the version's schema.
 * Throws ValidationFailed listing every problem with its JSON path
 * (`artifact.rules.3.when.all.0.field`): bad JSON, schema violations, fields
 * the conditions read that are not inputs, outputs set that are not declared,
 * duplicate rule ids, values that do not fit their field's type. Each rule is
 * parsed on its own, so a structural error in one still lets the others be
 * cross-checked.
 *
 * @example
 * const doc = validateRulesDocument(bytes, version.ioSchema);
 * const { outputs } = await evaluateRules(doc, { age: 41, income: 72000, employment: 'employed', has_defaults: false });
 */
export function validateRulesDocument(bytes: Uint8Array, io: IoSchema): RulesDocument {
  const raw = parseJsonArtifact(bytes, 'the rules document');
  const shell = DocumentShell.safeParse(raw);
  const problems: InvalidField[] = shell.success ? [] : zodProblems(shell.error, ARTIFACT_FIELD);
  const rawRules = (raw as { rules?: unknown } | null)?.rules;
  const parsedRules: { rule: Rule; index: number }[] = [];
  if (Array.isArray(rawRules)) {
    rawRules.forEach((candidate, index) => {
      if (isBareLeaf(candidate)) {
        // The commonest slip; zod alone would say "unrecognized keys" of every branch.
        problems.push({
          field: `${ARTIFACT_FIELD}.rules.${index}.when`,
          problem: 'a rule\'s condition must start with all, any or not (json-rules-engine needs a boolean at the top); wrap it: { "all": [ … ] }',
        });
        const { when: _when, ...others } = candidate as Record<string, unknown>;
        const rest = Rule.omit({ when: true }).safeParse(others);
        if (!rest.success) problems.push(...zodProblems(rest.error, `${ARTIFACT_FIELD}.rules.${index}`));
        return;
      }
      const rule = Rule.safeParse(candidate);
      if (rule.success) parsedRules.push({ rule: rule.data, index });
      else problems.push(...zodProblems(rule.error, `${ARTIFACT_FIELD}.rules.${index}`));
    });
  }
  if (shell.success) problems.push(...frameProblems(shell.data, io), ...ruleProblems(shell.data, parsedRules));
  problems.sort((a, b) => ruleIndexOf(a.field) - ruleIndexOf(b.field));
  failIfAny(problems, 'the rules document is not valid');
  return { ...(shell.data as DocumentFrame), rules: parsedRules.map((r) => r.rule) };
}

function isBareLeaf(candidate: unknown): boolean {
  const when = (candidate as { when?: unknown } | null)?.when;
  return typeof when === 'object' && when !== null && 'field' in when && !('all' in when || 'any' in when || 'not' in when);
}

/** Problems of the document itself first, then each rule's in rule order (the sort is stable). */
function ruleIndexOf(field: string): number {
  const match = /^artifact\.rules\.(\d+)(?:\.|$)/.exec(field);
  return match ? Number(match[1]) : -1;
}

// ---------------------------------------------------------------------------
// Evaluation

const RULE_HIT = 'steward.rule-hit';

/** json-rules-engine's condition shape (its own nested type is not exported). */
type EngineCondition = TopLevelCondition | { fact: string; operator: string; value: unknown };

function toEngineCondition(condition: Condition): EngineCondition {
  if ('all' in condition) return { all: condition.all.map(toEngineCondition) };
  if ('any' in condition) return { any: condition.any.map(toEngineCondition) };
  if ('not' in condition) return { not: toEngineCondition(condition.not) };
  return { fact: condition.field, operator: condition.operator, value: condition.value };
}

/** The document's rules as json-rules-engine rules: `field` → `fact`; the event carries the rule's index. */
export function toEngineRules(doc: RulesDocument): RuleProperties[] {
  return doc.rules.map((rule, index) => ({
    name: rule.id,
    priority: rule.priority ?? 1,
    conditions: toEngineCondition(rule.when) as TopLevelCondition,
    event: { type: RULE_HIT, params: { index } },
  }));
}

/** Adds the one operator json-rules-engine lacks. */
function newEngine(doc: RulesDocument): Engine {
  const engine = new Engine(toEngineRules(doc), { allowUndefinedFacts: false });
  engine.addOperator<number, [number, number]>('between', (fact, [low, high]) => fact >= low && fact <= high);
  return engine;
}

// One engine per parsed document: building it costs more than running it.
const engines = new WeakMap<RulesDocument, Engine>();

export interface RulesEvaluation {
  /** Ids of every rule whose conditions held, in document order. */
  readonly matched: readonly string[];
  /** Ids of the rules whose outputs make the answer (the winner, or every hit under `collect`). */
  readonly applied: readonly string[];
  /** One row for `first`/`priority`; one per applied rule for `collect`; `default` alone when nothing matched; none if no default either. */
  readonly outputs: readonly Readonly<Record<string, FieldValue>>[];
}

function checkRow(doc: RulesDocument, row: Readonly<Record<string, unknown>>): Record<string, FieldValue> {
  const problems: InvalidField[] = [];
  const facts: Record<string, FieldValue> = {};
  for (const field of doc.inputs) {
    const value = row[field.name];
    if (value === undefined || value === null) {
      problems.push({ field: `row.${field.name}`, problem: 'missing' });
      continue;
    }
    const problem = valueProblem(field, value);
    if (problem) problems.push({ field: `row.${field.name}`, problem });
    else facts[field.name] = value as FieldValue;
  }
  failIfAny(problems, 'the row does not fit the rules document inputs');
  return facts;
}

/**
 * Evaluates one row with json-rules-engine and applies the hit policy.
 * A row missing an input, or with a value of the wrong type, is a ValidationFailed on `row.<field>`.
 */
export async function evaluateRules(doc: RulesDocument, row: Readonly<Record<string, unknown>>): Promise<RulesEvaluation> {
  const facts = checkRow(doc, row);
  let engine = engines.get(doc);
  if (!engine) {
    engine = newEngine(doc);
    engines.set(doc, engine);
  }
  const { results } = await engine.run(facts);
  const hits = results.map((r) => (r.event?.params as { index: number }).index).sort((a, b) => a - b);
  let applied: number[];
  if (hits.length === 0) applied = [];
  else if (doc.hitPolicy === 'collect') applied = hits;
  else if (doc.hitPolicy === 'first') applied = [hits[0]];
  else applied = [hits.reduce((best, i) => ((doc.rules[i].priority ?? 1) > (doc.rules[best].priority ?? 1) ? i : best))];
  const base = doc.default ?? {};
  const outputs = applied.length > 0 ? applied.map((i) => ({ ...base, ...doc.rules[i].then })) : doc.default ? [{ ...doc.default }] : [];
  return { matched: hits.map((i) => doc.rules[i].id), applied: applied.map((i) => doc.rules[i].id), outputs };
}
