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
export function batchProgress(
  totals: { partitionsTotal: number; partitionsDone: number } | undefined,
  partitionsTotal?: number,
): { done: number; total: number; label: string } {
  const total = totals?.partitionsTotal ?? partitionsTotal ?? 0;
  const done = Math.min(totals?.partitionsDone ?? 0, total || Infinity);
  if (!total) return { done: 0, total: 0, label: 'not split yet' };
  return { done, total, label: `${done} of ${total} partitions (${Math.round((done / total) * 100)} %)` };
}

/** The canary settings as typed (strings), with the API's defaults as initial values. */
export interface CanaryForm {
  readonly variantName: string;
  /** "10, 50, 100": percent of traffic at each step. */
  readonly steps: string;
  readonly bakeMinutes: string;
  /** Percent (5 means 0.05 of requests). */
  readonly maxErrorPercent: string;
  readonly maxLatencyMs: string;
  readonly minRequests: string;
}

export const CANARY_DEFAULTS: CanaryForm = {
  variantName: '',
  steps: '10, 50, 100',
  bakeMinutes: '5',
  maxErrorPercent: '5',
  maxLatencyMs: '1000',
  minRequests: '50',
};

export interface CanarySettings {
  readonly variantName?: string;
  readonly steps: number[];
  readonly bakeSeconds: number;
  readonly maxErrorRate: number;
  readonly maxLatencyMs: number;
  readonly minRequests: number;
}

/**
 * Every canary setting the deployments API takes, from the form, checked as the
 * API checks them (steps rising within 1–100, bake up to a day, error rate a
 * percentage, latency above 0 up to a minute), errors keyed `canary.<field>` like
 * the API's invalid fields so both show in the same place.
 */
export function parseCanary(form: CanaryForm): { settings?: CanarySettings; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const number = (text: string) => (text.trim() === '' ? Number.NaN : Number(text));
  const steps = form.steps
    .split(/[,\s]+/)
    .filter(Boolean)
    .map(Number);
  if (steps.length === 0 || steps.length > 10 || steps.some((s) => !Number.isFinite(s) || s <= 0 || s > 100))
    errors['canary.steps'] = 'Give 1 to 10 percentages above 0 and at most 100, e.g. 10, 50, 100.';
  else if (steps.some((s, i) => i > 0 && s <= steps[i - 1])) errors['canary.steps'] = 'Each step must give the canary more traffic than the one before.';
  const bakeMinutes = number(form.bakeMinutes);
  if (!Number.isFinite(bakeMinutes) || bakeMinutes < 0 || bakeMinutes > 1440 || !Number.isInteger(bakeMinutes * 60))
    errors['canary.bakeSeconds'] = 'Minutes between steps, 0 to 1440 (a day).';
  const errorPercent = number(form.maxErrorPercent);
  if (!Number.isFinite(errorPercent) || errorPercent < 0 || errorPercent > 100) errors['canary.maxErrorRate'] = 'A percentage from 0 to 100.';
  const latency = number(form.maxLatencyMs);
  if (!Number.isFinite(latency) || latency <= 0 || latency > 60_000) errors['canary.maxLatencyMs'] = 'Milliseconds above 0, at most 60000.';
  const minRequests = number(form.minRequests);
  if (!Number.isInteger(minRequests) || minRequests < 1 || minRequests > 1_000_000) errors['canary.minRequests'] = 'A whole number of requests, 1 or more.';
  const variantName = form.variantName.trim();
  if (variantName && !/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,30}$/.test(variantName))
    errors['canary.variantName'] = 'Letters, digits and hyphens (at most 31), starting and ending with a letter or digit.';
  if (Object.keys(errors).length) return { errors };
  return {
    errors,
    settings: {
      ...(variantName ? { variantName } : {}),
      steps,
      bakeSeconds: Math.round(bakeMinutes * 60),
      maxErrorRate: Math.round(errorPercent * 1000) / 100_000,
      maxLatencyMs: latency,
      minRequests,
    },
  };
}

export interface CanaryPlanLike extends CanaryLike {
  readonly maxErrorRate: number;
  readonly maxLatencyMs: number;
  readonly minRequests: number;
}

export interface CanaryStats {
  readonly requests: number;
  readonly errorRate: number;
  readonly p99Ms: number;
}

export type CanaryVerdict =
  | { readonly verdict: 'gathering'; readonly text: string; readonly nextAt: string }
  | { readonly verdict: 'healthy'; readonly text: string; readonly nextAt: string }
  | { readonly verdict: 'failing'; readonly text: string };

/**
 * What the canary's numbers say now, as the platform judges them after each
 * request (core/deployments/canary-watch.ts): too few requests to judge yet;
 * over a threshold (it will be rolled back); or within bounds, moving to the next
 * step once the bake period has passed.
 */
export function canaryVerdict(canary: CanaryPlanLike, stats: CanaryStats | undefined): CanaryVerdict {
  const requests = stats?.requests ?? 0;
  const nextAt = new Date(Date.parse(canary.stepStartedAt) + canary.bakeSeconds * 1000).toISOString();
  if (!stats || requests < canary.minRequests) {
    return { verdict: 'gathering', text: `Gathering evidence: ${requests} of ${canary.minRequests} requests needed before the canary is judged.`, nextAt };
  }
  if (stats.errorRate > canary.maxErrorRate) {
    return {
      verdict: 'failing',
      text: `Failing: error rate ${(stats.errorRate * 100).toFixed(1)} % is over the ${(canary.maxErrorRate * 100).toFixed(1)} % limit; it will be rolled back.`,
    };
  }
  if (stats.p99Ms > canary.maxLatencyMs) {
    return {
      verdict: 'failing',
      text: `Failing: p99 latency ${stats.p99Ms.toFixed(0)} ms is over the ${canary.maxLatencyMs} ms limit; it will be rolled back.`,
    };
  }
  return {
    verdict: 'healthy',
    text: `Healthy: error rate ${(stats.errorRate * 100).toFixed(1)} % and p99 ${stats.p99Ms.toFixed(0)} ms are within bounds over ${requests} requests.`,
    nextAt,
  };
}
