import { z } from 'zod';
import { listEvaluations } from '../catalog/evaluations';
import { loadModelRecord } from '../catalog/models';
import type { TenantScope } from '../tenancy/tenant-scope';
import type { MetricValues } from './evaluate-model';
import { isBetter, metricNameSchema, type MetricName } from './metric-catalog';

/** The champion as the catalog knows it: the model's `champion` alias and its latest evaluation naming the metric. */
export const championRecordSchema = z.object({
  version: z.number().int().min(1),
  /** Null when no evaluation of the champion recorded the metric. */
  value: z.number().nullable(),
  evaluationId: z.string().optional(),
  evaluatedAt: z.string().optional(),
  dataset: z.object({ datasetId: z.string(), version: z.number().int() }).optional(),
});
export type ChampionRecord = z.infer<typeof championRecordSchema>;

export const comparisonSchema = z.object({
  metric: metricNameSchema,
  candidate: z.number().nullable(),
  champion: z.number().nullable(),
  championVersion: z.number().int().optional(),
  championEvaluationId: z.string().optional(),
  /** False when there is a champion but no recorded value to compare with: a person must judge. */
  comparable: z.boolean(),
  candidateWins: z.boolean(),
  reason: z.string(),
});

export type ChampionComparison = z.infer<typeof comparisonSchema>;

/**
 * Reads the champion of `modelId` from the catalog: the version its
 * `champion` alias points at (not the candidate itself) and, of that
 * version's evaluations, the latest one recording `metric`.
 */
export async function readChampion(scope: TenantScope, modelId: string, metric: MetricName, candidateVersion: number): Promise<ChampionRecord | undefined> {
  const model = await loadModelRecord(scope.table, modelId);
  const version = model.aliases.champion;
  if (version === undefined || version === candidateVersion) return undefined;
  const evaluations = (await listEvaluations(scope, modelId, version)).filter((e) => typeof e.metrics[metric] === 'number');
  const latest = evaluations
    .sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.evaluationId.localeCompare(b.evaluationId)))
    .at(-1);
  if (!latest) return { version, value: null };
  return {
    version,
    value: latest.metrics[metric],
    evaluationId: latest.evaluationId,
    evaluatedAt: latest.createdAt,
    ...(latest.dataset ? { dataset: latest.dataset } : {}),
  };
}

/**
 * Challenger against champion on one metric. Without a champion the candidate
 * wins (first version of a model); a candidate without a value for the metric
 * loses; a champion without a recorded value cannot be compared (a person
 * decides); a tie keeps the champion.
 */
export function compareWithChampion(input: { metrics: MetricValues; metric: MetricName; champion?: ChampionRecord }): ChampionComparison {
  const { metric, champion } = input;
  const candidate = input.metrics[metric] ?? null;
  if (!champion) return { metric, candidate, champion: null, comparable: true, candidateWins: true, reason: 'no champion to beat' };
  const base = {
    metric,
    candidate,
    champion: champion.value,
    championVersion: champion.version,
    ...(champion.evaluationId ? { championEvaluationId: champion.evaluationId } : {}),
  };
  if (champion.value === null) {
    return { ...base, comparable: false, candidateWins: false, reason: `the champion (version ${champion.version}) has no recorded ${metric} to compare with` };
  }
  if (candidate === null) return { ...base, comparable: true, candidateWins: false, reason: `the candidate has no ${metric}` };
  const wins = isBetter(metric, candidate, champion.value);
  return {
    ...base,
    comparable: true,
    candidateWins: wins,
    reason: wins
      ? `${metric} ${fmt(candidate)} beats the champion's ${fmt(champion.value)} (version ${champion.version})`
      : `${metric} ${fmt(candidate)} does not beat the champion's ${fmt(champion.value)} (version ${champion.version})`,
  };
}

export function fmt(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toPrecision(4);
}
