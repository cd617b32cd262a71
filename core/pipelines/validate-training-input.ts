import type { TenantObjects } from '../adapters/s3/tenant-objects';
import { ValidationFailed } from '../errors';
import { datasetTable, loadCsvDataset } from './training-dataset';
import { METRICS, type LearningTask, primaryMetric } from './metric-catalog';
import {
  DEFAULT_HOLDOUT_FRACTION,
  DEFAULT_SEED,
  defaultHyperparameters,
  type TrainEvaluateInput,
  type TrainingPlan,
} from './training-request';

const MIN_ROWS = 10;

/**
 * The first step of `train-evaluate`: checks what can be checked before any
 * compute is spent (the dataset exists in the tenant's storage, parses, holds
 * the target and numeric features, the target suits the task, the policy's
 * metric suits the task) and resolves every default into a TrainingPlan.
 */
export async function validateTrainingInput(objects: TenantObjects, request: TrainEvaluateInput): Promise<TrainingPlan> {
  const dataset = await loadCsvDataset(objects, request.dataset.key);
  if (!dataset.csv.header.includes(request.target)) {
    throw new ValidationFailed(`target column '${request.target}' is not in the header of dataset '${request.dataset.key}'`, [
      { field: 'target', problem: `not one of: ${dataset.csv.header.slice(0, 50).join(', ')}` },
    ]);
  }
  const table = datasetTable(dataset, { target: request.target, features: request.features });
  if (table.y.length < MIN_ROWS) {
    throw new ValidationFailed(`dataset '${request.dataset.key}' has ${table.y.length} rows; at least ${MIN_ROWS} are needed`, [
      { field: 'dataset.key', problem: 'too few rows' },
    ]);
  }
  const binaryTarget = table.y.every((v) => v === 0 || v === 1);
  const task: LearningTask = request.task === 'auto' ? (binaryTarget ? 'binary' : 'regression') : request.task;
  if (task === 'binary') {
    if (!binaryTarget) {
      throw new ValidationFailed(`binary classification needs a 0/1 target; column '${request.target}' has other values`, [
        { field: 'target', problem: 'not 0/1' },
      ]);
    }
    const positives = table.y.filter((v) => v === 1).length;
    if (positives < 2 || table.y.length - positives < 2) {
      throw new ValidationFailed(`column '${request.target}' needs at least two rows of each class`, [{ field: 'target', problem: 'a class is (almost) absent' }]);
    }
  }
  const policyMetric = request.policy?.metric ?? primaryMetric(task);
  for (const [field, metric] of [
    ['policy.metric', policyMetric],
    ['champion.metric', request.champion?.metric],
  ] as const) {
    if (metric && METRICS[metric].task !== task) {
      throw new ValidationFailed(`metric '${metric}' does not apply to ${task} models`, [{ field, problem: `not a ${task} metric` }]);
    }
  }
  const hyperparameters = { ...defaultHyperparameters(task), ...request.hyperparameters };
  return {
    modelName: request.model.name,
    dataset: { key: request.dataset.key, size: dataset.size },
    target: request.target,
    features: table.features,
    task,
    algorithm: task === 'binary' ? 'logistic-regression' : 'least-squares',
    hyperparameters,
    evaluation: {
      holdoutFraction: request.evaluation?.holdoutFraction ?? DEFAULT_HOLDOUT_FRACTION,
      seed: request.evaluation?.seed ?? DEFAULT_SEED,
    },
    rowCount: table.y.length,
    ...(request.champion ? { champion: request.champion } : {}),
    policy: {
      metric: policyMetric,
      ...(request.policy?.minimum !== undefined ? { minimum: request.policy.minimum } : {}),
      ...(request.policy?.maximum !== undefined ? { maximum: request.policy.maximum } : {}),
      autoApprove: request.policy?.autoApprove ?? false,
    },
  };
}
