import jsep from 'jsep';
import { canonicalMetric, type GateMetric, knownMetricNames } from './gate-metrics';

// Word operators as policies are written (`auc >= 0.8 and brier <= 0.1`), besides && || !.
jsep.addBinaryOp('and', 2);
jsep.addBinaryOp('or', 1);
jsep.addUnaryOp('not');

export const MAX_GATE_LENGTH = 500;

/** Why a gate cannot be accepted: the expression's index in the policy and the problem, in words. */
export class GateProblem extends Error {
  constructor(readonly problem: string) {
    super(problem);
    this.name = 'GateProblem';
  }
}

/**
 * A parsed gate: jsep's tree reduced to the only things a gate may contain —
 * numbers, metrics of the candidate, `champion.<metric>`, arithmetic,
 * comparisons and and/or/not. Nothing is ever evaluated as code.
 */
export type GateNode =
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'metric'; readonly of: 'candidate' | 'champion'; readonly metric: GateMetric; readonly written: string }
  | { readonly kind: 'arithmetic'; readonly op: '+' | '-' | '*' | '/'; readonly left: GateNode; readonly right: GateNode }
  | { readonly kind: 'negate'; readonly argument: GateNode }
  | { readonly kind: 'compare'; readonly op: '>=' | '<=' | '>' | '<' | '==' | '!='; readonly left: GateNode; readonly right: GateNode }
  | { readonly kind: 'logic'; readonly op: 'and' | 'or'; readonly left: GateNode; readonly right: GateNode }
  | { readonly kind: 'not'; readonly argument: GateNode };

const COMPARISONS = new Set(['>=', '<=', '>', '<', '==', '!=']);
const ARITHMETIC = new Set(['+', '-', '*', '/']);
const LOGIC: Readonly<Record<string, 'and' | 'or'>> = { and: 'and', '&&': 'and', or: 'or', '||': 'or' };

export interface ParsedGate {
  readonly expression: string;
  readonly root: GateNode;
  /** Every metric the gate reads, candidate's and champion's. */
  readonly metrics: readonly GateMetric[];
}

/**
 * Parses one gate with jsep and checks it: a boolean condition over known
 * metrics. Throws GateProblem naming what is wrong (syntax and where, an
 * unknown metric, a construct gates do not allow, a number where a condition
 * belongs).
 *
 * @example
 * parseGate('auc >= 0.80 and auc >= champion.auc - 0.01')
 */
export function parseGate(expression: string): ParsedGate {
  if (expression.trim().length === 0) throw new GateProblem('the expression is empty');
  if (expression.length > MAX_GATE_LENGTH) throw new GateProblem(`the expression is longer than ${MAX_GATE_LENGTH} characters`);
  let tree: jsep.Expression;
  try {
    tree = jsep(expression);
  } catch (error) {
    throw new GateProblem(`malformed expression: ${(error as Error).message}`);
  }
  const metrics = new Set<GateMetric>();
  const root = reduce(tree, metrics);
  if (typeOf(root) !== 'condition') throw new GateProblem('the expression is a number, not a condition (compare it: `auc >= 0.8`)');
  return { expression, root, metrics: [...metrics] };
}

function reduce(node: jsep.Expression, metrics: Set<GateMetric>): GateNode {
  switch (node.type) {
    case 'Literal': {
      const value = (node as jsep.Literal).value;
      if (typeof value !== 'number' || !Number.isFinite(value)) throw new GateProblem(`only numbers are allowed as values, not ${(node as jsep.Literal).raw}`);
      return { kind: 'number', value };
    }
    case 'Identifier':
      return metric((node as jsep.Identifier).name, 'candidate', metrics);
    case 'MemberExpression': {
      const member = node as jsep.MemberExpression;
      if (
        member.computed ||
        member.object.type !== 'Identifier' ||
        member.property.type !== 'Identifier' ||
        (member.object as jsep.Identifier).name !== 'champion'
      ) {
        throw new GateProblem('the only dotted name allowed is champion.<metric>');
      }
      return metric((member.property as jsep.Identifier).name, 'champion', metrics);
    }
    case 'UnaryExpression': {
      const unary = node as jsep.UnaryExpression;
      const argument = reduce(unary.argument, metrics);
      if (unary.operator === '-') return expect(argument, 'number', `'-'`) && { kind: 'negate', argument };
      if (unary.operator === '+') return expect(argument, 'number', `'+'`) && argument;
      if (unary.operator === 'not' || unary.operator === '!') return expect(argument, 'condition', `'${unary.operator}'`) && { kind: 'not', argument };
      throw new GateProblem(`operator '${unary.operator}' is not allowed`);
    }
    case 'BinaryExpression': {
      const binary = node as jsep.BinaryExpression;
      const left = reduce(binary.left, metrics);
      const right = reduce(binary.right, metrics);
      const op = binary.operator;
      if (ARITHMETIC.has(op)) {
        expect(left, 'number', `'${op}'`);
        expect(right, 'number', `'${op}'`);
        return { kind: 'arithmetic', op: op as '+' | '-' | '*' | '/', left, right };
      }
      if (COMPARISONS.has(op)) {
        expect(left, 'number', `'${op}'`);
        expect(right, 'number', `'${op}'`);
        return { kind: 'compare', op: op as '>=' | '<=' | '>' | '<' | '==' | '!=', left, right };
      }
      if (Object.hasOwn(LOGIC, op)) {
        expect(left, 'condition', `'${op}'`);
        expect(right, 'condition', `'${op}'`);
        return { kind: 'logic', op: LOGIC[op], left, right };
      }
      throw new GateProblem(`operator '${op}' is not allowed (use >=, <=, >, <, ==, !=, + - * /, and, or, not)`);
    }
    case 'CallExpression':
      throw new GateProblem('function calls are not allowed');
    case 'Compound':
    case 'SequenceExpression':
      throw new GateProblem(
        'malformed expression: two expressions side by side (a missing operator, or a dangling and/or?); write one condition per gate, combined with and/or',
      );
    default:
      throw new GateProblem(`${node.type} is not allowed in a gate`);
  }
}

function metric(written: string, of: 'candidate' | 'champion', metrics: Set<GateMetric>): GateNode {
  if (of === 'candidate' && written === 'champion') throw new GateProblem("'champion' alone is not a value; name its metric: champion.auc");
  const name = canonicalMetric(written);
  if (!name) throw new GateProblem(`unknown metric '${of === 'champion' ? `champion.${written}` : written}'; known metrics: ${knownMetricNames().join(', ')}`);
  metrics.add(name);
  return { kind: 'metric', of, metric: name, written: of === 'champion' ? `champion.${written}` : written };
}

function typeOf(node: GateNode): 'number' | 'condition' {
  return node.kind === 'compare' || node.kind === 'logic' || node.kind === 'not' ? 'condition' : 'number';
}

function expect(node: GateNode, type: 'number' | 'condition', where: string): true {
  if (typeOf(node) !== type)
    throw new GateProblem(`${where} takes ${type === 'number' ? 'numbers' : 'conditions'}, not ${type === 'number' ? 'a condition' : 'a number'}`);
  return true;
}

/** What a gate reads: the candidate's counted metrics, and the champion's if there is one. */
export interface GateFacts {
  readonly candidate: Readonly<Record<string, number>>;
  /** Absent: the model has no champion (a comparison with it holds, as the first version has nothing to beat). */
  readonly champion?: { readonly version: number; readonly metrics: Readonly<Record<string, number>> };
}

/** passed / failed, or undecided when a champion exists but lacks a metric the gate compares with (a person judges). */
export type GateOutcome = 'passed' | 'failed' | 'undecided';

export interface GateResult {
  readonly expression: string;
  readonly outcome: GateOutcome;
  readonly reason: string;
}

type Value = { readonly value: number; readonly text: string } | { readonly missing: 'candidate' | 'no-champion' | 'champion'; readonly text: string };
type Truth = { readonly truth: boolean | 'unknown'; readonly notes: string[] };

/**
 * Evaluates a parsed gate (Kleene logic: an undecidable comparison stays
 * unknown unless and/or settle it). A metric the candidate's counted
 * evaluations lack fails its comparison; a comparison with a champion that
 * does not exist holds; with a champion lacking the metric it is unknown.
 */
export function evaluateGate(gate: ParsedGate, facts: GateFacts): GateResult {
  const result = truthOf(gate.root, facts);
  const outcome: GateOutcome = result.truth === 'unknown' ? 'undecided' : result.truth ? 'passed' : 'failed';
  return { expression: gate.expression, outcome, reason: result.notes.join('; ') };
}

function truthOf(node: GateNode, facts: GateFacts): Truth {
  switch (node.kind) {
    case 'compare': {
      const left = valueOf(node.left, facts);
      const right = valueOf(node.right, facts);
      const said = `${left.text} ${node.op} ${right.text}`;
      const missing = [left, right].filter((v): v is Extract<Value, { missing: string }> => 'missing' in v);
      if (missing.some((m) => m.missing === 'candidate'))
        return { truth: false, notes: [`${said}: the counted evaluations record no ${missing.find((m) => m.missing === 'candidate')!.text}`] };
      if (missing.some((m) => m.missing === 'no-champion')) return { truth: true, notes: [`${said}: no champion to compare with`] };
      if (missing.length > 0) return { truth: 'unknown', notes: [`${said}: the champion has no counted ${missing[0].text.replace(/^champion\./, '')}`] };
      const a = (left as { value: number }).value;
      const b = (right as { value: number }).value;
      const holds = compare(node.op, a, b);
      return { truth: holds, notes: [`${said} ${holds ? 'holds' : 'does not hold'}`] };
    }
    case 'not': {
      const inner = truthOf(node.argument, facts);
      return { truth: inner.truth === 'unknown' ? 'unknown' : !inner.truth, notes: inner.notes.map((n) => `not (${n})`) };
    }
    case 'logic': {
      const left = truthOf(node.left, facts);
      const right = truthOf(node.right, facts);
      const settle = node.op === 'and' ? false : true;
      if (left.truth === settle || right.truth === settle) {
        return { truth: settle, notes: [...(left.truth === settle ? left.notes : []), ...(right.truth === settle ? right.notes : [])] };
      }
      if (left.truth === 'unknown' || right.truth === 'unknown') return { truth: 'unknown', notes: [...left.notes, ...right.notes] };
      return { truth: !settle, notes: [...left.notes, ...right.notes] };
    }
    default:
      throw new Error(`a ${node.kind} is not a condition`);
  }
}

function valueOf(node: GateNode, facts: GateFacts): Value {
  switch (node.kind) {
    case 'number':
      return { value: node.value, text: String(node.value) };
    case 'metric': {
      if (node.of === 'candidate') {
        const value = facts.candidate[node.metric];
        return typeof value === 'number' ? { value, text: `${node.written} ${fmt(value)}` } : { missing: 'candidate', text: node.written };
      }
      if (!facts.champion) return { missing: 'no-champion', text: node.written };
      const value = facts.champion.metrics[node.metric];
      return typeof value === 'number'
        ? { value, text: `${node.written} ${fmt(value)} (v${facts.champion.version})` }
        : { missing: 'champion', text: node.written };
    }
    case 'negate': {
      const inner = valueOf(node.argument, facts);
      return 'missing' in inner ? inner : { value: -inner.value, text: `-${inner.text}` };
    }
    case 'arithmetic': {
      const left = valueOf(node.left, facts);
      const right = valueOf(node.right, facts);
      if ('missing' in left) return left;
      if ('missing' in right) return right;
      const value =
        node.op === '+'
          ? left.value + right.value
          : node.op === '-'
            ? left.value - right.value
            : node.op === '*'
              ? left.value * right.value
              : left.value / right.value;
      return { value, text: `(${left.text} ${node.op} ${right.text} = ${fmt(value)})` };
    }
    default:
      throw new Error(`a ${node.kind} is not a number`);
  }
}

function compare(op: Extract<GateNode, { kind: 'compare' }>['op'], a: number, b: number): boolean {
  switch (op) {
    case '>=':
      return a >= b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '<':
      return a < b;
    case '==':
      return a === b;
    case '!=':
      return a !== b;
  }
}

function fmt(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(4)));
}
