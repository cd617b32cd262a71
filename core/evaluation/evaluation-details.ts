import { z } from 'zod';

/**
 * The sections of a platform-computed evaluation beyond its headline
 * numbers, as stored on the catalog's evaluation record (`details`) and in
 * the run's full report. Curves are thinned to a bounded number of points so
 * a record stays far below DynamoDB's item limit; the report keeps them whole.
 */
const finite = z.number().finite();
const rate = z.number().min(0).max(1);

export const confusionMatrixSchema = z.object({
  threshold: finite,
  truePositive: z.number().int().min(0),
  falsePositive: z.number().int().min(0),
  trueNegative: z.number().int().min(0),
  falseNegative: z.number().int().min(0),
});

export const rocPointSchema = z.object({ fpr: rate, tpr: rate, threshold: finite.nullable() });
export const precisionRecallPointSchema = z.object({ precision: rate, recall: rate, threshold: finite.nullable() });

export const calibrationSchema = z.object({
  strategy: z.literal('uniform'),
  bins: z.array(z.object({ lower: rate, upper: rate, count: z.number().int().min(0), meanPredicted: rate.nullable(), fractionPositive: rate.nullable() })),
});

export const residualHistogramSchema = z
  .object({ edges: z.array(finite), counts: z.array(z.number().int().min(0)) })
  .refine((h) => h.counts.length === 0 || h.edges.length === h.counts.length + 1, 'a histogram has one more edge than bins');

export const featureImportanceSchema = z.object({
  metric: z.string(),
  higherIsBetter: z.boolean(),
  repeats: z.number().int().min(1),
  seed: z.number().int(),
  baseline: finite.nullable(),
  features: z.array(z.object({ feature: z.string(), mean: finite, std: finite.min(0) })),
});

export const fairnessSchema = z.object({
  attribute: z.string(),
  reference: z.string(),
  referenceRule: z.enum(['given', 'highest-selection-rate']),
  threshold: finite,
  groups: z.array(
    z.object({
      value: z.string(),
      count: z.number().int().min(1),
      positives: z.number().int().min(0),
      selectionRate: rate,
      truePositiveRate: rate.nullable(),
      falsePositiveRate: rate.nullable(),
      selectionRateRatio: finite.min(0).nullable(),
      selectionRateDifference: finite,
      truePositiveRateDifference: finite.nullable(),
    }),
  ),
  demographicParityDifference: rate,
  disparateImpactRatio: rate.nullable(),
  equalOpportunityDifference: rate.nullable(),
});

/** Why a section is absent (e.g. a protected attribute with too many values): said, not silently dropped. */
export const skippedSectionSchema = z.object({ section: z.string(), reason: z.string() });

export const evaluationDetailsSchema = z.object({
  task: z.enum(['binary', 'regression']),
  rows: z.number().int().min(0),
  confusion: confusionMatrixSchema.optional(),
  rocCurve: z.array(rocPointSchema).optional(),
  precisionRecallCurve: z.array(precisionRecallPointSchema).optional(),
  calibration: calibrationSchema.optional(),
  residualHistogram: residualHistogramSchema.optional(),
  featureImportance: featureImportanceSchema.optional(),
  fairness: z.array(fairnessSchema).optional(),
  skipped: z.array(skippedSectionSchema).optional(),
});

export type EvaluationDetails = z.infer<typeof evaluationDetailsSchema>;
