import { z } from 'zod';
import { isBetter, metricNameSchema, type MetricName } from './metric-catalog';
import type { MetricValues } from './evaluate-model';
import type { TrainingPlan } from './training-request';

export const comparisonSchema = z.object({
  metric: metricNameSchema,
  candidate: z.number().nullable(),
  champion: z.number().nullable(),
  championVersionId: z.string().optional(),
  candidateWins: z.boolean(),
  reason: z.string(),
});

export type ChampionComparison = z.infer<typeof comparisonSchema>;

/**
 * Challenger against champion on one metric. Without a champion the candidate
 * wins (first version of a model); a candidate without a value for the metric
 * loses; a tie keeps the champion.
 */
export function compareWithChampion(input: {
  metrics: MetricValues;
  champion?: TrainingPlan['champion'];
  policyMetric: MetricName;
}): ChampionComparison {
  const metric = input.champion?.metric ?? input.policyMetric;
  const candidate = input.metrics[metric] ?? null;
  const championVersionId = input.champion?.versionId;
  const base = { metric, candidate, ...(championVersionId ? { championVersionId } : {}) };
  if (!input.champion) return { ...base, champion: null, candidateWins: true, reason: 'no champion to beat' };
  const champion = input.champion.value;
  if (candidate === null) return { ...base, champion, candidateWins: false, reason: `the candidate has no ${metric}` };
  const wins = isBetter(metric, candidate, champion);
  return {
    ...base,
    champion,
    candidateWins: wins,
    reason: wins ? `${metric} ${fmt(candidate)} beats the champion's ${fmt(champion)}` : `${metric} ${fmt(candidate)} does not beat the champion's ${fmt(champion)}`,
  };
}

export function fmt(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toPrecision(4);
}
