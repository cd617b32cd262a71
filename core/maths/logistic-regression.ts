import { activeColumns, applyScaling, fitScaling } from './feature-scaling';
import { type LinearModelFit, sigmoid } from './linear-model';
import { solveSymmetricPositiveDefinite } from './linear-system';
import { TrainingFailed } from './training-failed';

export interface LogisticRegressionOptions {
  /** L2 penalty on the standardised coefficients (not the intercept); 1 matches scikit-learn's default C = 1. */
  readonly l2: number;
  readonly maxIterations: number;
  /** Stop when no coefficient moves by more than this in one Newton step. */
  readonly tolerance: number;
  readonly signal?: AbortSignal;
}

/**
 * Binary logistic regression by Newton's method (iteratively reweighted least
 * squares) on standardised features, minimising
 * `Σ log(1 + e^{z_i}) − y_i z_i + (l2 / 2)·‖w‖²`. Deterministic: no random
 * initialisation, no sampling; the same rows give the same model.
 */
export function fitLogisticRegression(x: readonly (readonly number[])[], y: readonly number[], options: LogisticRegressionOptions): LinearModelFit {
  if (x.length === 0) throw new TrainingFailed('no training rows');
  if (y.some((v) => v !== 0 && v !== 1)) throw new TrainingFailed('logistic regression needs a 0/1 target');
  const scaling = fitScaling(x);
  const z = x.map((row) => applyScaling(row, scaling));
  const active = activeColumns(z);
  const p = z[0].length;
  const k = active.length + 1; // intercept first
  const design = z.map((row) => [1, ...active.map((j) => row[j])]);
  let w = new Array<number>(k).fill(0);
  let loss = penalisedLoss(design, y, w, options.l2);
  let iterations = 0;
  let converged = false;
  while (iterations < options.maxIterations) {
    options.signal?.throwIfAborted();
    iterations++;
    const gradient = new Array<number>(k).fill(0);
    const hessian = Array.from({ length: k }, () => new Array<number>(k).fill(0));
    for (let i = 0; i < design.length; i++) {
      const row = design[i];
      const prob = sigmoid(dot(row, w));
      const weight = Math.max(prob * (1 - prob), 1e-12);
      for (let a = 0; a < k; a++) {
        gradient[a] += (prob - y[i]) * row[a];
        for (let b = 0; b <= a; b++) hessian[a][b] += weight * row[a] * row[b];
      }
    }
    for (let a = 1; a < k; a++) {
      gradient[a] += options.l2 * w[a];
      hessian[a][a] += options.l2;
    }
    for (let a = 0; a < k; a++) for (let b = 0; b < a; b++) hessian[b][a] = hessian[a][b];
    const step = solveSymmetricPositiveDefinite(hessian, gradient);
    if (!step)
      throw new TrainingFailed(
        'logistic regression could not solve its Newton step; the features may be collinear or the classes perfectly separated (raise hyperparameters.l2)',
      );
    // Step halving keeps Newton's method monotone when a full step overshoots.
    let factor = 1;
    let next = w.map((v, a) => v - step[a]);
    let nextLoss = penalisedLoss(design, y, next, options.l2);
    while (nextLoss > loss && factor > 1e-6) {
      factor /= 2;
      next = w.map((v, a) => v - factor * step[a]);
      nextLoss = penalisedLoss(design, y, next, options.l2);
    }
    const moved = Math.max(...step.map((s) => Math.abs(s * factor)));
    w = next;
    loss = nextLoss;
    if (!w.every(Number.isFinite)) throw new TrainingFailed('logistic regression diverged');
    if (moved < options.tolerance) {
      converged = true;
      break;
    }
  }
  const coefficients = new Array<number>(p).fill(0);
  active.forEach((j, index) => (coefficients[j] = w[index + 1]));
  return { intercept: w[0], coefficients, scaling, iterations, converged };
}

function penalisedLoss(design: readonly number[][], y: readonly number[], w: readonly number[], l2: number): number {
  let loss = 0;
  for (let i = 0; i < design.length; i++) {
    const z = dot(design[i], w);
    // log(1 + e^z) − y·z, computed without overflow.
    loss += (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z))) - y[i] * z;
  }
  let penalty = 0;
  for (let a = 1; a < w.length; a++) penalty += w[a] * w[a];
  return loss + (l2 / 2) * penalty;
}

function dot(a: readonly number[], b: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
}
