import { z } from 'zod';
import { CatalogIdSchema } from '../catalog/identifiers';

/**
 * The input of an `evaluate` execution: one catalog model version, trained
 * or imported, and a held-out catalog dataset version to score it on. The
 * platform scores the rows with the version's own runtime (the serving
 * runtime of its artifact format) and records the evaluation as the
 * platform's (`source: platform`), which governance policies that count
 * platform evaluations only will read.
 *
 * @example
 * { "modelId": "01jc…", "version": 2, "dataset": { "datasetId": "01jd…", "version": 1 } }
 */
export const evaluateInputSchema = z
  .object({
    modelId: CatalogIdSchema,
    version: z.number().int().min(1),
    dataset: z.object({ datasetId: CatalogIdSchema, version: z.number().int().min(1) }).strict(),
    /** The label column; default: the dataset version's `targetColumn`. */
    target: z.string().min(1).max(200).optional(),
    /** `auto`: a target of 0/1 (or true/false, or a `positiveClass` given) is binary, any other numeric target regression. */
    task: z.enum(['auto', 'binary', 'regression']).default('auto'),
    /**
     * The class counted as positive (the target cell's text, e.g. `yes`) — and, for a classifier's
     * probabilities, the class whose probability is the score. Default: `1` / `true`, or a two-class model's second class.
     */
    positiveClass: z.string().min(1).max(200).optional(),
    /** The prediction field that carries the score when the model answers several (a scorecard's `bad_probability`). */
    scoreOutput: z.string().min(1).max(200).optional(),
    /** Decision threshold for the confusion matrix, accuracy, precision, recall, F1 and fairness. */
    threshold: z.number().finite().optional(),
    /** `false` skips permutation feature importance (its cost is features × 5 scorings of the rows). */
    importance: z.boolean().optional(),
  })
  .strict();

export type EvaluateInput = z.infer<typeof evaluateInputSchema>;

/** What the plan step resolved: the version's artifact as the catalog verified it, the dataset file, the defaults. */
export const evaluationPlanSchema = z.object({
  modelId: CatalogIdSchema,
  version: z.number().int().min(1),
  artifact: z.object({ format: z.string(), key: z.string().min(1), sha256: z.string().regex(/^[0-9a-f]{64}$/) }),
  runtime: z.enum(['linear', 'onnx', 'rules', 'scorecard']),
  dataset: z.object({
    datasetId: CatalogIdSchema,
    version: z.number().int().min(1),
    key: z.string().min(1),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    protectedAttributes: z.array(z.string()),
  }),
  target: z.string(),
  task: z.enum(['auto', 'binary', 'regression']),
  positiveClass: z.string().optional(),
  scoreOutput: z.string().optional(),
  threshold: z.number(),
  importance: z.boolean(),
});

export type EvaluationPlan = z.infer<typeof evaluationPlanSchema>;

export const versionEvaluationResultSchema = z.object({
  modelId: z.string(),
  version: z.number().int(),
  evaluationId: z.string(),
  task: z.enum(['binary', 'regression']),
  rows: z.number().int(),
  metrics: z.record(z.string(), z.number().nullable()),
  reportKey: z.string(),
  status: z.string(),
});
export type VersionEvaluationResult = z.infer<typeof versionEvaluationResultSchema>;
