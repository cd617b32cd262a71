import { z } from 'zod';
import { CatalogIdSchema } from '../catalog/identifiers';
import { PolicyTighteningSchema } from '../governance/policy-tightening';
import { type LearningTask, metricNameSchema } from './metric-catalog';
import { containerAlgorithmSchema, containerTemplateNameSchema } from '../training/container-templates';
import { hyperparameterValueSchema } from '../training/training-contract';
import { builtInAlgorithmSchema } from './training-templates';

const objectKeySchema = z.string().min(1).max(1024);

/**
 * Where the training data comes from: a registered dataset version of the
 * catalog (its immutable object, recorded in the version's lineage), or a raw
 * object in the tenant's storage (recorded by key and hash only).
 */
export const datasetRefSchema = z.union([
  z.object({ datasetId: CatalogIdSchema, version: z.number().int().min(1) }).strict(),
  z.object({ key: objectKeySchema }).strict(),
]);
export type DatasetRef = z.infer<typeof datasetRefSchema>;

export const approvalPolicySchema = z
  .object({
    /** Defaults to the task's primary metric (auc for binary targets, r2 for numeric ones). */
    metric: metricNameSchema.optional(),
    minimum: z.number().finite().optional(),
    maximum: z.number().finite().optional(),
    /**
     * `false` keeps this run's version for people even where the policy approves automatically;
     * `true` is accepted only where the governing policy already approves automatically (a run cannot loosen it).
     */
    autoApprove: z.boolean().optional(),
    /** Gates this run adds to the governing policy's (core/governance/gate-expression.ts). */
    gates: z.array(z.string().trim().min(1).max(500)).max(20).optional(),
    /** Narrows whose evaluations the gates read; never widens the policy's. */
    evaluationSources: z
      .array(z.enum(['platform', 'person']))
      .min(1)
      .max(2)
      .optional(),
  })
  .strict();

export const hyperparametersSchema = z
  .object({
    l2: z.number().finite().min(0).optional(),
    maxIterations: z.number().int().min(1).max(1000).optional(),
    tolerance: z.number().positive().max(1).optional(),
    /** Gradient-boosting templates: trees, their depth, shrinkage, rows per leaf, row fraction per tree, and the seed of the row draws. */
    nEstimators: z.number().int().min(1).max(2000).optional(),
    maxDepth: z.number().int().min(1).max(12).optional(),
    learningRate: z.number().gt(0).max(1).optional(),
    minSamplesLeaf: z.number().int().min(1).optional(),
    subsample: z.number().gt(0).max(1).optional(),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1)
      .optional(),
  })
  .strict();

/**
 * The input of a `train-evaluate` execution, as a caller (API, CLI, monitor)
 * gives it: a catalog model to train a new version of. `context` is added by
 * the runner, never by the caller. The champion to beat is read from the
 * catalog (the model's champion alias), never from the input.
 *
 * @example
 * { "modelId": "01jc…", "dataset": { "datasetId": "01jd…", "version": 3 }, "target": "benign",
 *   "hyperparameters": { "l2": 1 }, "policy": { "metric": "auc", "minimum": 0.9, "autoApprove": true } }
 */
export const trainEvaluateInputSchema = z
  .object({
    modelId: CatalogIdSchema,
    dataset: datasetRefSchema,
    target: z.string().min(1).max(200),
    /**
     * The feature columns. Defaults to the model schema's inputs (scalar
     * numeric fields, in their declared order); required when the schema
     * declares one `[batch, n]` tensor input, whose n columns they name.
     */
    features: z.array(z.string().min(1).max(200)).min(1).max(500).optional(),
    /** `auto`: a 0/1 target is binary classification, any other numeric target is regression. */
    task: z.enum(['auto', 'binary', 'regression']).default('auto'),
    /** A built-in training template (core/pipelines/training-templates.ts); default: the task's linear model. */
    algorithm: builtInAlgorithmSchema.optional(),
    hyperparameters: hyperparametersSchema.optional(),
    /**
     * Train with a shipped training container (core/training/container-templates.ts)
     * through the SageMaker training contract instead of a built-in template;
     * excludes `algorithm` and `hyperparameters`.
     */
    container: z
      .object({
        template: containerTemplateNameSchema,
        hyperparameters: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_.-]{0,127}$/, 'a hyper-parameter name'), hyperparameterValueSchema).optional(),
      })
      .strict()
      .optional(),
    evaluation: z
      .object({
        holdoutFraction: z.number().gt(0).lt(1).optional(),
        seed: z
          .number()
          .int()
          .min(0)
          .max(2 ** 31 - 1)
          .optional(),
      })
      .strict()
      .optional(),
    policy: approvalPolicySchema.optional(),
    /** The revision of the code that asked for this run (a CI commit), kept in the version's lineage. */
    codeRevision: z.string().trim().min(1).max(200).optional(),
    /** The new version's description. */
    description: z.string().trim().max(4000).optional(),
  })
  .strict()
  .superRefine((request, ctx) => {
    if (!request.container) return;
    for (const field of ['algorithm', 'hyperparameters'] as const) {
      if (request[field] !== undefined)
        ctx.addIssue({
          code: 'custom',
          path: [field],
          message: `'${field}' is for the built-in templates; a container trainer takes its hyper-parameters in 'container.hyperparameters'`,
        });
    }
  });

export type TrainEvaluateInput = z.infer<typeof trainEvaluateInputSchema>;

/** The scalar type of a declared output, reduced to what the ONNX export produces for it. */
export const outputRoleSchema = z.enum(['score', 'label']);

/**
 * The validated, fully resolved request every later step works from: the
 * catalog model, the dataset as resolved (immutable key and hash), defaults
 * applied, task decided, features listed in the order the model's ONNX input
 * takes them, and the outputs to export. A run can be repeated from it.
 */
export const trainingPlanSchema = z.object({
  modelId: CatalogIdSchema,
  modelName: z.string(),
  dataset: z.object({
    key: objectKeySchema,
    size: z.number().int().min(0),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    /** Set when the data is a catalog dataset version. */
    datasetId: CatalogIdSchema.optional(),
    version: z.number().int().min(1).optional(),
    /** The dataset version's protected attributes, for the evaluation's fairness section. */
    protectedAttributes: z.array(z.string()).optional(),
  }),
  target: z.string(),
  features: z.array(z.string()).min(1),
  /** How the model's declared inputs bind to the exported ONNX input (see core/catalog/artifacts/onnx-inspection.ts). */
  input: z.object({ binding: z.enum(['packed', 'tensor']), name: z.string().min(1) }),
  /** The model's declared outputs, each produced by the export: `score` (probability / prediction) or `label` (0/1). */
  outputs: z
    .array(
      z.object({
        name: z.string().min(1),
        role: outputRoleSchema,
        elementType: z.enum(['float32', 'float64', 'int32', 'int64', 'bool']),
        /** 1: `[batch]`; 2: `[batch, 1]`. */
        rank: z.union([z.literal(1), z.literal(2)]),
      }),
    )
    .min(1),
  task: z.enum(['binary', 'regression']),
  /** A built-in template, or `container:<template>` when `container` is set. */
  algorithm: z.union([builtInAlgorithmSchema, containerAlgorithmSchema]),
  /** Set when a training container trains the model (the ASL routes on it): its template and hyper-parameters as given. */
  container: z
    .object({
      template: containerTemplateNameSchema,
      hyperparameters: z.record(z.string(), hyperparameterValueSchema),
    })
    .optional(),
  /** The template's hyper-parameters, defaults applied: l2/maxIterations/tolerance (linear) or the gradient-boosting ones. */
  hyperparameters: z.object({
    l2: z.number().min(0).optional(),
    maxIterations: z.number().int().min(1).optional(),
    tolerance: z.number().positive().optional(),
    nEstimators: z.number().int().min(1).optional(),
    maxDepth: z.number().int().min(1).optional(),
    learningRate: z.number().gt(0).optional(),
    minSamplesLeaf: z.number().int().min(1).optional(),
    subsample: z.number().gt(0).max(1).optional(),
    seed: z.number().int().optional(),
  }),
  evaluation: z.object({ holdoutFraction: z.number().gt(0).lt(1), seed: z.number().int() }),
  rowCount: z.number().int().min(1),
  policy: z.object({
    metric: metricNameSchema,
    minimum: z.number().optional(),
    maximum: z.number().optional(),
    autoApprove: z.boolean(),
  }),
  codeRevision: z.string().optional(),
  description: z.string().optional(),
  /** What the run asked of the approval policy, as a tightening of the policy that governs the model (core/governance/policy-tightening.ts). */
  policyRequest: PolicyTighteningSchema.optional(),
});

export type TrainingPlan = z.infer<typeof trainingPlanSchema>;

export const DEFAULT_HOLDOUT_FRACTION = 0.25;
export const DEFAULT_SEED = 42;

/** The linear templates' defaults for a task (see TRAINING_TEMPLATES for every template's). */
export function defaultHyperparameters(task: LearningTask): Required<Pick<TrainingPlan['hyperparameters'], 'l2' | 'maxIterations' | 'tolerance'>> {
  return task === 'binary' ? { l2: 1, maxIterations: 100, tolerance: 1e-8 } : { l2: 0, maxIterations: 1, tolerance: 1e-8 };
}
