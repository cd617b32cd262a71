import type { LinearModelFit } from '../maths/linear-model';
import type { TrainingPlan } from './training-request';

/**
 * What a training run leaves in the tenant's storage, under
 * `models/<modelId>/runs/<runId>/`:
 * - `model.onnx`: the model as ONNX, the artifact the catalog version holds
 *   (copied to the version's artifact key and verified there);
 * - `model.json`: the same model as the serving gateway's `linear` runtime
 *   reads it (`steward-linear-model/v1`, serving/runtimes/linear-model-artifact.ts),
 *   until the serving side runs ONNX;
 * - `evaluation.json`: the full evaluation report (ROC points, confusion matrix).
 */
export function runFolder(modelId: string, runId: string): string {
  return `models/${modelId}/runs/${runId}/`;
}

export const onnxArtifactKey = (modelId: string, runId: string) => `${runFolder(modelId, runId)}model.onnx`;
export const linearModelKey = (modelId: string, runId: string) => `${runFolder(modelId, runId)}model.json`;
export const evaluationReportKey = (modelId: string, runId: string) => `${runFolder(modelId, runId)}evaluation.json`;

/** The `format` of serving/runtimes/linear-model-artifact.ts (core does not import serving; a unit test checks they agree). */
export const SERVING_LINEAR_MODEL_FORMAT = 'steward-linear-model/v1';

export interface ServingLinearModel {
  readonly format: typeof SERVING_LINEAR_MODEL_FORMAT;
  readonly kind: 'linear' | 'logistic';
  readonly features: readonly string[];
  readonly coefficients: readonly number[];
  readonly intercept: number;
  readonly standardization: { readonly mean: readonly number[]; readonly scale: readonly number[] };
  readonly threshold?: number;
  readonly labels?: readonly [number, number];
  readonly target: string;
  readonly metadata: Record<string, unknown>;
}

/** The trained model as the `linear` serving runtime scores it. */
export function servingLinearModel(plan: TrainingPlan, fit: LinearModelFit, metadata: Record<string, unknown>): ServingLinearModel {
  return {
    format: SERVING_LINEAR_MODEL_FORMAT,
    kind: plan.algorithm === 'logistic-regression' ? 'logistic' : 'linear',
    features: plan.features,
    coefficients: fit.coefficients,
    intercept: fit.intercept,
    standardization: { mean: fit.scaling.center, scale: fit.scaling.scale },
    ...(plan.algorithm === 'logistic-regression' ? { threshold: 0.5, labels: [0, 1] as const } : {}),
    target: plan.target,
    metadata,
  };
}
