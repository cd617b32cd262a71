import { z } from 'zod';
import { ValidationFailed } from '../errors';
import type { TenantObjects } from '../adapters/s3/tenant-objects';
import { linearScore, sigmoid } from './linear-model';

/**
 * The built-in trainers' artifact: a linear model as JSON, stored under the
 * tenant's `models/<model>/runs/<run>/model.json`. Read back through this
 * schema (a file from storage is an edge).
 */
export const LINEAR_MODEL_FORMAT = 'steward.linear-model/v1';

export const modelArtifactSchema = z.object({
  format: z.literal(LINEAR_MODEL_FORMAT),
  algorithm: z.enum(['logistic-regression', 'least-squares']),
  task: z.enum(['binary', 'regression']),
  target: z.string(),
  features: z.array(z.string()).min(1),
  scaling: z.object({ center: z.array(z.number()), scale: z.array(z.number()) }),
  intercept: z.number(),
  coefficients: z.array(z.number()),
  /** The same model in the features' own units (documentation; scoring uses the scaled form). */
  unscaled: z.object({ intercept: z.number(), coefficients: z.array(z.number()) }),
  hyperparameters: z.record(z.string(), z.number()),
  training: z.object({
    rows: z.number().int(),
    iterations: z.number().int(),
    converged: z.boolean(),
    dataset: z.object({ key: z.string(), sha256: z.string() }),
    split: z.object({ holdoutFraction: z.number(), seed: z.number().int() }),
  }),
  createdAt: z.string(),
});

export type ModelArtifact = z.infer<typeof modelArtifactSchema>;

export function artifactKey(modelName: string, runId: string): string {
  return `models/${modelName}/runs/${runId}/model.json`;
}

export function evaluationReportKey(modelName: string, runId: string): string {
  return `models/${modelName}/runs/${runId}/evaluation.json`;
}

/** Probability of class 1 for binary models, the predicted value for regression models. */
export function predict(artifact: ModelArtifact, row: readonly number[]): number {
  const z = linearScore(artifact, row);
  return artifact.task === 'binary' ? sigmoid(z) : z;
}

export async function readModelArtifact(objects: TenantObjects, key: string): Promise<ModelArtifact> {
  const bytes = await objects.getBytes(key);
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw new ValidationFailed(`model artifact '${key}' is not JSON`, [{ field: 'artifactKey', problem: 'unreadable' }], { cause: error });
  }
  const parsed = modelArtifactSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ValidationFailed(`model artifact '${key}' is not a ${LINEAR_MODEL_FORMAT} document`, [
      { field: 'artifactKey', problem: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') },
    ]);
  }
  return parsed.data;
}
