/**
 * The metrics a gate expression may name, and which way is better. The
 * names are those evaluations record (core/evaluation: camelCase); the
 * snake_case spellings people write in policies (`disparate_impact`,
 * `log_loss`) are accepted as aliases of the same metric.
 */
export const GATE_METRICS = {
  auc: { higherIsBetter: true },
  averagePrecision: { higherIsBetter: true },
  accuracy: { higherIsBetter: true },
  precision: { higherIsBetter: true },
  recall: { higherIsBetter: true },
  f1: { higherIsBetter: true },
  logLoss: { higherIsBetter: false },
  brier: { higherIsBetter: false },
  rmse: { higherIsBetter: false },
  mae: { higherIsBetter: false },
  r2: { higherIsBetter: true },
  disparateImpact: { higherIsBetter: true },
  demographicParityDifference: { higherIsBetter: false },
  equalOpportunityDifference: { higherIsBetter: false },
} as const;

export type GateMetric = keyof typeof GATE_METRICS;

const ALIASES: Readonly<Record<string, GateMetric>> = {
  roc_auc: 'auc',
  average_precision: 'averagePrecision',
  log_loss: 'logLoss',
  brier_score: 'brier',
  disparate_impact: 'disparateImpact',
  disparate_impact_ratio: 'disparateImpact',
  demographic_parity_difference: 'demographicParityDifference',
  equal_opportunity_difference: 'equalOpportunityDifference',
};

/** The recorded name of a metric as written in a gate, or undefined when no such metric exists. */
export function canonicalMetric(name: string): GateMetric | undefined {
  if (Object.hasOwn(GATE_METRICS, name)) return name as GateMetric;
  return Object.hasOwn(ALIASES, name) ? ALIASES[name] : undefined;
}

export function knownMetricNames(): string[] {
  return [...Object.keys(GATE_METRICS), ...Object.keys(ALIASES)];
}
