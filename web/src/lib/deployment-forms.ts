import type { JsonSchema } from './schema-form';

/**
 * Pure helpers of the Deployments pages: the test-scoring form from a model's input
 * schema (handed to schema-form, which builds every other form), the split of traffic
 * between variants, and what a canary is doing.
 */
export interface IoField {
  readonly name: string;
  readonly type: 'float' | 'double' | 'int' | 'long' | 'bool' | 'string' | 'category';
  readonly description?: string;
  readonly allowed?: readonly string[];
}

/** The input schema of a model as a JSON Schema of one record: every input required, typed for its form field. */
export function scoringRecordSchema(inputs: readonly IoField[]): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  for (const input of inputs) {
    const base: JsonSchema =
      input.type === 'int' || input.type === 'long'
        ? { type: 'integer' }
        : input.type === 'float' || input.type === 'double'
          ? { type: 'number' }
          : input.type === 'bool'
            ? { type: 'boolean' }
            : input.allowed && input.allowed.length > 0
              ? { type: 'string', enum: [...input.allowed] }
              : { type: 'string' };
    properties[input.name] = input.description ? { ...base, description: input.description } : base;
  }
  return { type: 'object', properties, required: inputs.map((i) => i.name) };
}

export interface SplitRow {
  readonly modelId: string;
  readonly version: string;
  readonly weight: string;
}

export interface ParsedSplit {
  readonly variants: { modelId: string; version: number; weight: number }[];
  /** Field → what is wrong, keyed `variants.<i>.<field>` like the API's invalid fields. */
  readonly errors: Record<string, string>;
  /** Each variant's share of traffic, in percent, rounded to one decimal. */
  readonly shares: number[];
}

/** The variants of a deployment from the rows typed, with errors in place before anything is sent. */
export function parseSplit(rows: readonly SplitRow[]): ParsedSplit {
  const errors: Record<string, string> = {};
  const variants: ParsedSplit['variants'] = [];
  rows.forEach((row, i) => {
    if (!row.modelId) errors[`variants.${i}.modelId`] = 'Pick a model.';
    const version = Number(row.version);
    if (!row.version || !Number.isInteger(version) || version < 1) errors[`variants.${i}.version`] = 'Pick an approved version.';
    const weight = Number(row.weight);
    if (row.weight.trim() === '' || !Number.isFinite(weight) || weight <= 0) errors[`variants.${i}.weight`] = 'A weight is a number above 0, e.g. 90 and 10.';
    variants.push({ modelId: row.modelId, version, weight });
  });
  const total = variants.reduce((sum, v) => sum + (Number.isFinite(v.weight) && v.weight > 0 ? v.weight : 0), 0);
  const shares = variants.map((v) => (total > 0 && v.weight > 0 ? Math.round((v.weight / total) * 1000) / 10 : 0));
  return { variants, errors, shares };
}

export interface CanaryLike {
  readonly variantName: string;
  readonly steps: readonly number[];
  readonly stepIndex: number;
  readonly stepStartedAt: string;
  readonly bakeSeconds: number;
}

/** "Canary v3 at 10 % (step 1 of 3), next step after 14:05" — or that it is fully promoted. */
export function canaryStatus(canary: CanaryLike, deploymentStatus: string): string {
  const step = canary.steps[canary.stepIndex];
  const position = `step ${canary.stepIndex + 1} of ${canary.steps.length}`;
  if (deploymentStatus === 'rolled-back') return `Canary ${canary.variantName} rolled back at ${step ?? 0} % (${position}).`;
  if (deploymentStatus !== 'live' && deploymentStatus !== 'deploying') return `Canary ${canary.variantName} ended at ${step ?? 0} % (${position}).`;
  if (canary.stepIndex >= canary.steps.length - 1 && step === 100) return `Canary ${canary.variantName} promoted: it takes all traffic.`;
  const next = new Date(Date.parse(canary.stepStartedAt) + canary.bakeSeconds * 1000).toISOString();
  return `Canary ${canary.variantName} at ${step} % (${position}); next step after ${next.slice(11, 16)} UTC if its errors and latency stay within bounds.`;
}

/** A batch job's progress bar: partitions done of total, and a label; before the job is split, 0 of unknown. */
export function batchProgress(totals: { partitionsTotal: number; partitionsDone: number } | undefined, partitionsTotal?: number): { done: number; total: number; label: string } {
  const total = totals?.partitionsTotal ?? partitionsTotal ?? 0;
  const done = Math.min(totals?.partitionsDone ?? 0, total || Infinity);
  if (!total) return { done: 0, total: 0, label: 'not split yet' };
  return { done, total, label: `${done} of ${total} partitions (${Math.round((done / total) * 100)} %)` };
}
