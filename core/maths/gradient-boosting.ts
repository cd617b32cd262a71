import { sigmoid } from './linear-model';
import { growTree, type RegressionTree, sortColumns, treeValue } from './regression-tree';
import { seededRandom, shuffled } from './seeded-random';
import { TrainingFailed } from './training-failed';

export type GradientBoostingLoss = 'log-loss' | 'squared-error';

export interface GradientBoostingOptions {
  readonly loss: GradientBoostingLoss;
  /** Number of trees. @default 100 */
  readonly nEstimators: number;
  /** @default 3 */
  readonly maxDepth: number;
  /** Shrinkage of every tree's contribution. @default 0.1 */
  readonly learningRate: number;
  /** @default 1 */
  readonly minSamplesLeaf: number;
  /** Fraction of the rows each tree is grown on (drawn without replacement, from the seed); 1 = all rows. @default 1 */
  readonly subsample: number;
  readonly seed: number;
  readonly signal?: AbortSignal;
}

export const DEFAULT_GRADIENT_BOOSTING = { nEstimators: 100, maxDepth: 3, learningRate: 0.1, minSamplesLeaf: 1, subsample: 1 } as const;

/**
 * A gradient-boosted ensemble: `F(x) = baseScore + Σ tree(x)` (the learning
 * rate is already applied to the leaves); for log loss P(class 1) = σ(F(x)).
 */
export interface GradientBoostedTrees {
  readonly loss: GradientBoostingLoss;
  readonly baseScore: number;
  readonly trees: readonly RegressionTree[];
  readonly featureCount: number;
}

/**
 * Gradient boosting of regression trees (Friedman 2001), with scikit-learn's
 * choices: the initial score is the mean (squared error) or the log-odds of
 * the positive rate (log loss); each tree fits the negative gradient by least
 * squares; a log-loss leaf holds one Newton step `Σ(y − p) / Σ p(1 − p)`.
 * Seeded: the same rows, options and seed give the same trees.
 */
export function fitGradientBoosting(x: readonly (readonly number[])[], y: readonly number[], options: GradientBoostingOptions): GradientBoostedTrees {
  const n = x.length;
  if (n === 0) throw new TrainingFailed('no training rows');
  if (y.length !== n) throw new TrainingFailed(`${n} rows and ${y.length} targets`);
  if (options.loss === 'log-loss' && y.some((v) => v !== 0 && v !== 1)) throw new TrainingFailed('gradient boosting with log loss needs a 0/1 target');
  checkOptions(options);
  const featureCount = x[0].length;
  const sorted = sortColumns(x);
  const mean = y.reduce((s, v) => s + v, 0) / n;
  let baseScore: number;
  if (options.loss === 'squared-error') baseScore = mean;
  else {
    if (mean === 0 || mean === 1) throw new TrainingFailed('gradient boosting with log loss needs rows of both classes');
    baseScore = Math.log(mean / (1 - mean));
  }
  const rate = options.learningRate;
  const leafValue =
    options.loss === 'squared-error'
      ? (gradientSum: number, _h: number, count: number) => (rate * gradientSum) / count
      : (gradientSum: number, hessianSum: number) => (Math.abs(hessianSum) < 1e-150 ? 0 : (rate * gradientSum) / hessianSum);
  const score = new Float64Array(n).fill(baseScore);
  const gradient = new Float64Array(n);
  const hessian = new Float64Array(n);
  const random = seededRandom(options.seed);
  const all = Array.from({ length: n }, (_, i) => i);
  const sampleSize = Math.max(1, Math.round(n * options.subsample));
  const trees: RegressionTree[] = [];
  for (let t = 0; t < options.nEstimators; t++) {
    options.signal?.throwIfAborted();
    for (let i = 0; i < n; i++) {
      if (options.loss === 'squared-error') {
        gradient[i] = y[i] - score[i];
        hessian[i] = 1;
      } else {
        const p = sigmoid(score[i]);
        gradient[i] = y[i] - p;
        hessian[i] = p * (1 - p);
      }
    }
    const rows = sampleSize < n ? shuffled(all, random).slice(0, sampleSize) : all;
    const tree = growTree(sorted, rows, gradient, hessian, { maxDepth: options.maxDepth, minSamplesLeaf: options.minSamplesLeaf, leafValue });
    trees.push(tree);
    for (let i = 0; i < n; i++) score[i] += treeValue(tree, x[i]);
    if (!score.every(Number.isFinite)) throw new TrainingFailed('gradient boosting diverged (lower the learning rate)');
  }
  return { loss: options.loss, baseScore, trees, featureCount };
}

/** F(x): the raw score (log-odds for log loss, the prediction for squared error). */
export function boostedMargin(model: GradientBoostedTrees, row: readonly number[]): number {
  let sum = 0;
  for (const tree of model.trees) sum += treeValue(tree, row);
  return model.baseScore + sum;
}

/** P(class 1) for log loss, the prediction for squared error. */
export function boostedPrediction(model: GradientBoostedTrees, row: readonly number[]): number {
  const margin = boostedMargin(model, row);
  return model.loss === 'log-loss' ? sigmoid(margin) : margin;
}

function checkOptions(o: GradientBoostingOptions): void {
  const problems: string[] = [];
  if (!Number.isInteger(o.nEstimators) || o.nEstimators < 1) problems.push(`nEstimators ${o.nEstimators} is not a positive integer`);
  if (!Number.isInteger(o.maxDepth) || o.maxDepth < 1) problems.push(`maxDepth ${o.maxDepth} is not a positive integer`);
  if (!(o.learningRate > 0)) problems.push(`learningRate ${o.learningRate} is not positive`);
  if (!Number.isInteger(o.minSamplesLeaf) || o.minSamplesLeaf < 1) problems.push(`minSamplesLeaf ${o.minSamplesLeaf} is not a positive integer`);
  if (!(o.subsample > 0 && o.subsample <= 1)) problems.push(`subsample ${o.subsample} is not in (0, 1]`);
  if (problems.length > 0) throw new TrainingFailed(`gradient boosting: ${problems.join('; ')}`);
}
