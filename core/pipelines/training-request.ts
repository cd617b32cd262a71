import { z } from 'zod';
import { type LearningTask, metricNameSchema } from './metric-catalog';

/** Model names become key segments and object-key folders, so they are kept to a safe alphabet. */
export const modelNameSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lower-case letters, digits and hyphens, at most 63, starting with a letter or digit');

const objectKeySchema = z.string().min(1).max(1024);

export const championSchema = z.object({
  /** The champion version, for the record; the comparison uses only its metric. */
  versionId: z.string().min(1).max(200).optional(),
  /** Defaults to the policy's metric, else the task's primary metric. */
  metric: metricNameSchema.optional(),
  value: z.number().finite(),
});

export const approvalPolicySchema = z
  .object({
    /** Defaults to the task's primary metric (auc for binary targets, r2 for numeric ones). */
    metric: metricNameSchema.optional(),
    minimum: z.number().finite().optional(),
    maximum: z.number().finite().optional(),
    /** Approve without a person when every gate passes; otherwise the version waits in PENDING_APPROVAL. */
    autoApprove: z.boolean().default(false),
  })
  .strict();

export const hyperparametersSchema = z
  .object({
    l2: z.number().finite().min(0).optional(),
    maxIterations: z.number().int().min(1).max(1000).optional(),
    tolerance: z.number().positive().max(1).optional(),
  })
  .strict();

/**
 * The input of a `train-evaluate` execution, as a caller (API, CLI, monitor)
 * gives it. `context` is added by the runner, never by the caller.
 */
export const trainEvaluateInputSchema = z.object({
  model: z.object({ name: modelNameSchema }),
  /** A CSV with a header row in the tenant's storage, e.g. `datasets/churn.csv`. */
  dataset: z.object({ key: objectKeySchema }),
  target: z.string().min(1).max(200),
  /** Defaults to every column except the target. */
  features: z.array(z.string().min(1).max(200)).min(1).max(500).optional(),
  /** `auto`: a 0/1 target is binary classification, any other numeric target is regression. */
  task: z.enum(['auto', 'binary', 'regression']).default('auto'),
  hyperparameters: hyperparametersSchema.optional(),
  evaluation: z
    .object({
      holdoutFraction: z.number().gt(0).lt(1).optional(),
      seed: z.number().int().min(0).max(2 ** 31 - 1).optional(),
    })
    .strict()
    .optional(),
  champion: championSchema.optional(),
  policy: approvalPolicySchema.optional(),
});

export type TrainEvaluateInput = z.infer<typeof trainEvaluateInputSchema>;

/**
 * The validated, fully resolved request every later step works from: defaults
 * applied, task decided, features listed. It is what the version records as
 * its lineage, so a run can be repeated from it.
 */
export const trainingPlanSchema = z.object({
  modelName: modelNameSchema,
  dataset: z.object({ key: objectKeySchema, size: z.number().int().min(0), etag: z.string().optional() }),
  target: z.string(),
  features: z.array(z.string()).min(1),
  task: z.enum(['binary', 'regression']),
  algorithm: z.enum(['logistic-regression', 'least-squares']),
  hyperparameters: z.object({ l2: z.number().min(0), maxIterations: z.number().int().min(1), tolerance: z.number().positive() }),
  evaluation: z.object({ holdoutFraction: z.number().gt(0).lt(1), seed: z.number().int() }),
  rowCount: z.number().int().min(1),
  champion: championSchema.optional(),
  policy: z.object({
    metric: metricNameSchema,
    minimum: z.number().optional(),
    maximum: z.number().optional(),
    autoApprove: z.boolean(),
  }),
});

export type TrainingPlan = z.infer<typeof trainingPlanSchema>;

export const DEFAULT_HOLDOUT_FRACTION = 0.25;
export const DEFAULT_SEED = 42;

export function defaultHyperparameters(task: LearningTask): TrainingPlan['hyperparameters'] {
  return task === 'binary' ? { l2: 1, maxIterations: 100, tolerance: 1e-8 } : { l2: 0, maxIterations: 1, tolerance: 1e-8 };
}
