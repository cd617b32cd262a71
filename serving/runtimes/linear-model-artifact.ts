import { z } from 'zod';

/** The `format` tag of a linear model artifact; bumped when the shape changes incompatibly. */
export const LINEAR_MODEL_FORMAT = 'steward-linear-model/v1';

/** The file name of a linear model inside a model directory or model.tar.gz. */
export const LINEAR_MODEL_FILE = 'model.json';

const label = z.union([z.string().min(1), z.number()]);

/**
 * The JSON the built-in trainer writes to `$SM_MODEL_DIR/model.json` and the
 * `linear` runtime scores. zod 4's number() already refuses NaN and ±Infinity.
 *
 * score = intercept + Σ coefficients[i] · x'[i], where x'[i] = (x[i] − mean[i]) / scale[i]
 * when `standardization` is present and x[i] otherwise. For `logistic` the
 * score is σ(score), the probability of `labels[1]`, and the label is
 * `labels[1]` when score ≥ threshold.
 *
 * @example
 * {
 *   "format": "steward-linear-model/v1",
 *   "kind": "logistic",
 *   "features": ["age", "income"],
 *   "coefficients": [0.8, -1.2],
 *   "intercept": 0.1,
 *   "standardization": { "mean": [41.2, 52000], "scale": [12.5, 18000] },
 *   "threshold": 0.5,
 *   "labels": ["stay", "churn"],
 *   "target": "churned",
 *   "metadata": { "trainedAt": "2025-01-01T00:00:00Z" }
 * }
 */
export const linearModelArtifactSchema = z
  .object({
    format: z.literal(LINEAR_MODEL_FORMAT),
    kind: z.enum(['linear', 'logistic']),
    /** Feature names, in the order of `coefficients` and of CSV columns. */
    features: z.array(z.string().min(1)).min(1),
    coefficients: z.array(z.number()).min(1),
    intercept: z.number(),
    /** Applied to raw inputs before the coefficients, if the trainer standardized. */
    standardization: z
      .object({
        mean: z.array(z.number()),
        scale: z.array(z.number().positive()),
      })
      .optional(),
    /** logistic only: the probability from which `labels[1]` is predicted. @default 0.5 */
    threshold: z.number().gt(0).lt(1).optional(),
    /** logistic only: [negative, positive] class labels. @default [0, 1] */
    labels: z.tuple([label, label]).optional(),
    /** Name of the column the model predicts; informative. */
    target: z.string().optional(),
    /** Anything else the trainer wants to keep with the model (metrics, hyperparameters). */
    metadata: z.record(z.string(), z.unknown()).optional(),
  })
  .superRefine((model, ctx) => {
    const n = model.features.length;
    if (model.coefficients.length !== n) {
      ctx.addIssue({ code: 'custom', path: ['coefficients'], message: `has ${model.coefficients.length} values for ${n} features` });
    }
    const duplicates = model.features.filter((f, i) => model.features.indexOf(f) !== i);
    if (duplicates.length) ctx.addIssue({ code: 'custom', path: ['features'], message: `duplicate feature(s) ${[...new Set(duplicates)].join(', ')}` });
    if (model.standardization) {
      for (const part of ['mean', 'scale'] as const) {
        if (model.standardization[part].length !== n) {
          ctx.addIssue({ code: 'custom', path: ['standardization', part], message: `has ${model.standardization[part].length} values for ${n} features` });
        }
      }
    }
    if (model.kind === 'linear') {
      for (const field of ['threshold', 'labels'] as const) {
        if (model[field] !== undefined) ctx.addIssue({ code: 'custom', path: [field], message: 'only applies to kind logistic' });
      }
    }
  });

export type LinearModelArtifact = z.infer<typeof linearModelArtifactSchema>;
