import type { FeatureScaling } from './feature-scaling';
import { applyScaling } from './feature-scaling';

/**
 * A linear model over standardised features, as both built-in trainers
 * produce it: `z = intercept + Σ coefficients[j] · (x[j] − center[j]) / scale[j]`;
 * logistic regression reports `1 / (1 + e^−z)`, least squares reports `z`.
 */
export interface LinearModelFit {
  readonly intercept: number;
  readonly coefficients: number[];
  readonly scaling: FeatureScaling;
  readonly iterations: number;
  readonly converged: boolean;
}

export function linearScore(fit: Pick<LinearModelFit, 'intercept' | 'coefficients' | 'scaling'>, row: readonly number[]): number {
  const z = applyScaling(row, fit.scaling);
  let sum = fit.intercept;
  for (let j = 0; j < z.length; j++) sum += fit.coefficients[j] * z[j];
  return sum;
}

export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/** The same model with coefficients in the features' own units, for people reading the artifact. */
export function unscaledCoefficients(fit: Pick<LinearModelFit, 'intercept' | 'coefficients' | 'scaling'>): { intercept: number; coefficients: number[] } {
  const coefficients = fit.coefficients.map((c, j) => c / fit.scaling.scale[j]);
  const intercept = fit.intercept - coefficients.reduce((sum, c, j) => sum + c * fit.scaling.center[j], 0);
  return { intercept, coefficients };
}
