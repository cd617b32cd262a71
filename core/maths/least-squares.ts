import { activeColumns, applyScaling, fitScaling } from './feature-scaling';
import type { LinearModelFit } from './linear-model';
import { solveSymmetricPositiveDefinite } from './linear-system';
import { TrainingFailed } from './training-failed';

export interface LeastSquaresOptions {
  /** Ridge penalty on the standardised coefficients; 0 = ordinary least squares. */
  readonly l2: number;
}

/**
 * (Ridge) least squares on standardised features, by the normal equations:
 * `(ZᵀZ + l2·I)·β = Zᵀ(y − ȳ)`, intercept ȳ. Exact on noise-free linear data.
 */
export function fitLeastSquares(x: readonly (readonly number[])[], y: readonly number[], options: LeastSquaresOptions): LinearModelFit {
  if (x.length === 0) throw new TrainingFailed('no training rows');
  const scaling = fitScaling(x);
  const z = x.map((row) => applyScaling(row, scaling));
  const active = activeColumns(z);
  const p = z[0].length;
  const mean = y.reduce((s, v) => s + v, 0) / y.length;
  const k = active.length;
  const gram = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  const moment = new Array<number>(k).fill(0);
  for (let i = 0; i < z.length; i++) {
    const row = z[i];
    const residual = y[i] - mean;
    for (let a = 0; a < k; a++) {
      const va = row[active[a]];
      moment[a] += va * residual;
      for (let b = 0; b <= a; b++) gram[a][b] += va * row[active[b]];
    }
  }
  for (let a = 0; a < k; a++) {
    gram[a][a] += options.l2;
    for (let b = 0; b < a; b++) gram[b][a] = gram[a][b];
  }
  const beta = k === 0 ? [] : solveSymmetricPositiveDefinite(gram, moment);
  if (!beta) throw new TrainingFailed('least squares could not be solved: the features are collinear (drop a feature or set hyperparameters.l2 > 0)');
  const coefficients = new Array<number>(p).fill(0);
  active.forEach((j, index) => (coefficients[j] = beta[index]));
  return { intercept: mean, coefficients, scaling, iterations: 1, converged: true };
}
