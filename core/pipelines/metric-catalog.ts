import { z } from 'zod';

/**
 * The metrics a policy or a champion comparison may name, and which way is
 * better. Kept in one place so the approval gate and the comparison agree.
 */
export const METRICS = {
  auc: { task: 'binary', higherIsBetter: true },
  accuracy: { task: 'binary', higherIsBetter: true },
  logLoss: { task: 'binary', higherIsBetter: false },
  precision: { task: 'binary', higherIsBetter: true },
  recall: { task: 'binary', higherIsBetter: true },
  f1: { task: 'binary', higherIsBetter: true },
  brier: { task: 'binary', higherIsBetter: false },
  averagePrecision: { task: 'binary', higherIsBetter: true },
  /** Fairness, worst case over the dataset's protected attributes (core/evaluation/fairness-metrics.ts). */
  disparateImpact: { task: 'binary', higherIsBetter: true },
  demographicParityDifference: { task: 'binary', higherIsBetter: false },
  equalOpportunityDifference: { task: 'binary', higherIsBetter: false },
  rmse: { task: 'regression', higherIsBetter: false },
  mae: { task: 'regression', higherIsBetter: false },
  r2: { task: 'regression', higherIsBetter: true },
} as const;

export type MetricName = keyof typeof METRICS;
export const metricNameSchema = z.enum(Object.keys(METRICS) as [MetricName, ...MetricName[]]);

export type LearningTask = 'binary' | 'regression';

/** The metric a task is judged by when the policy names none. */
export function primaryMetric(task: LearningTask): MetricName {
  return task === 'binary' ? 'auc' : 'r2';
}

/** Whether `candidate` is strictly better than `reference` on `metric`. */
export function isBetter(metric: MetricName, candidate: number, reference: number): boolean {
  return METRICS[metric].higherIsBetter ? candidate > reference : candidate < reference;
}
