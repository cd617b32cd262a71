import { z } from 'zod';
import { DEFAULT_GRADIENT_BOOSTING } from '../maths/gradient-boosting';
import type { LearningTask } from './metric-catalog';

/**
 * The built-in training templates a `train-evaluate` run can ask for by name
 * (`algorithm`), each for one task, with the hyper-parameters it reads and
 * their defaults (scikit-learn's, where it has the same model). A request
 * that names none gets the task's linear template. Training your own code
 * follows the container contract instead (templates/README.md).
 */
export const BUILT_IN_ALGORITHMS = ['logistic-regression', 'least-squares', 'gradient-boosting-classifier', 'gradient-boosting-regressor'] as const;
export const builtInAlgorithmSchema = z.enum(BUILT_IN_ALGORITHMS);
export type BuiltInAlgorithm = z.infer<typeof builtInAlgorithmSchema>;

const boosting = { ...DEFAULT_GRADIENT_BOOSTING };

export const TRAINING_TEMPLATES: Record<
  BuiltInAlgorithm,
  { readonly task: LearningTask; readonly defaults: Readonly<Record<string, number>>; readonly description: string }
> = {
  'logistic-regression': {
    task: 'binary',
    defaults: { l2: 1, maxIterations: 100, tolerance: 1e-8 },
    description: 'L2-penalised logistic regression (Newton), standardised features',
  },
  'least-squares': { task: 'regression', defaults: { l2: 0, maxIterations: 1, tolerance: 1e-8 }, description: '(ridge) least squares, standardised features' },
  'gradient-boosting-classifier': {
    task: 'binary',
    defaults: boosting,
    description: 'gradient-boosted regression trees on log loss; ONNX TreeEnsembleClassifier',
  },
  'gradient-boosting-regressor': {
    task: 'regression',
    defaults: boosting,
    description: 'gradient-boosted regression trees on squared error; ONNX TreeEnsembleRegressor',
  },
};

/** The template a task gets when the request names none. */
export function defaultAlgorithm(task: LearningTask): BuiltInAlgorithm {
  return task === 'binary' ? 'logistic-regression' : 'least-squares';
}

export function isGradientBoosting(algorithm: BuiltInAlgorithm): algorithm is 'gradient-boosting-classifier' | 'gradient-boosting-regressor' {
  return algorithm === 'gradient-boosting-classifier' || algorithm === 'gradient-boosting-regressor';
}
