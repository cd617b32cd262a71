import type { LinearModelArtifact } from '../../../serving/runtimes/linear-model-artifact';

/** A logistic model small enough to check by hand: z = 0.5 + 1·a − 2·b. */
export const LOGISTIC: LinearModelArtifact = {
  format: 'steward-linear-model/v1',
  kind: 'logistic',
  features: ['a', 'b'],
  coefficients: [1, -2],
  intercept: 0.5,
  labels: ['stay', 'churn'],
};

/** y = 10 + 3·(x − 2)/4 − 1·(w − 0)/1, standardized. */
export const LINEAR: LinearModelArtifact = {
  format: 'steward-linear-model/v1',
  kind: 'linear',
  features: ['x', 'w'],
  coefficients: [3, -1],
  intercept: 10,
  standardization: { mean: [2, 0], scale: [4, 1] },
};

export function sigmoidByHand(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

export function bytes(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

export function text(data: Uint8Array): string {
  return new TextDecoder().decode(data);
}
