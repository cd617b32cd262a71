import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ValidationFailed } from '../../../core/errors';
import { evaluateModel } from '../../../core/pipelines/evaluate-model';
import { modelArtifactSchema, predict } from '../../../core/pipelines/model-artifact';
import { trainModel } from '../../../core/pipelines/train-model';
import { trainEvaluateInputSchema, type TrainEvaluateInput } from '../../../core/pipelines/training-request';
import { validateTrainingInput } from '../../../core/pipelines/validate-training-input';
import { memoryObjects } from '../../fixtures/pipelines/memory-objects';

const BREAST_CANCER = readFileSync(join(__dirname, '..', '..', 'fixtures', 'pipelines', 'breast-cancer-sample.csv'), 'utf8');
const now = () => new Date('2025-01-01T00:00:00Z');
const request = (overrides: Partial<TrainEvaluateInput> = {}): TrainEvaluateInput =>
  trainEvaluateInputSchema.parse({ model: { name: 'bc' }, dataset: { key: 'datasets/bc.csv' }, target: 'benign', ...overrides });

describe('validateTrainingInput', () => {
  it('resolves a binary plan with defaults from the dataset', async () => {
    const plan = await validateTrainingInput(memoryObjects({ 'datasets/bc.csv': BREAST_CANCER }), request());
    expect(plan).toMatchObject({
      task: 'binary',
      algorithm: 'logistic-regression',
      rowCount: 190,
      hyperparameters: { l2: 1, maxIterations: 100, tolerance: 1e-8 },
      evaluation: { holdoutFraction: 0.25, seed: 42 },
      policy: { metric: 'auc', autoApprove: false },
    });
    expect(plan.features).toHaveLength(30);
    expect(plan.features).not.toContain('benign');
  });

  it('detects a numeric target as regression', async () => {
    const rows = Array.from({ length: 20 }, (_, i) => `${i},${i % 3},${2 * i + 1}`).join('\n');
    const plan = await validateTrainingInput(memoryObjects({ 'datasets/bc.csv': `a,b,y\n${rows}\n` }), request({ target: 'y' }));
    expect(plan).toMatchObject({ task: 'regression', algorithm: 'least-squares', policy: { metric: 'r2' }, hyperparameters: { l2: 0 } });
  });

  it.each([
    [{ dataset: { key: 'datasets/missing.csv' } }, "dataset 'datasets/missing.csv' was not found in this tenant's storage"],
    [{ target: 'malignant' }, "target column 'malignant' is not in the header of dataset 'datasets/bc.csv'"],
    [{ task: 'regression' as const, policy: { metric: 'auc' as const, autoApprove: false } }, "metric 'auc' does not apply to regression models"],
    [{ target: 'mean_radius', task: 'binary' as const }, "binary classification needs a 0/1 target; column 'mean_radius' has other values"],
  ])('refuses %j', async (overrides, message) => {
    const objects = memoryObjects({ 'datasets/bc.csv': BREAST_CANCER });
    await expect(validateTrainingInput(objects, request(overrides))).rejects.toThrow(new ValidationFailed(message));
  });

  it('refuses a dataset with too few rows', async () => {
    const objects = memoryObjects({ 'datasets/bc.csv': 'x,y\n1,0\n2,1\n' });
    await expect(validateTrainingInput(objects, request({ target: 'y' }))).rejects.toThrow('has 2 rows; at least 10 are needed');
  });
});

describe('trainModel + evaluateModel (built-in logistic regression)', () => {
  it('separates the breast-cancer sample well on the hold-out set, deterministically', async () => {
    const objects = memoryObjects({ 'datasets/bc.csv': BREAST_CANCER });
    const plan = await validateTrainingInput(objects, request());
    const training = await trainModel(objects, plan, { runId: 'run-1', now });
    expect(training).toMatchObject({ artifactKey: 'models/bc/runs/run-1/model.json', rowCount: 190, converged: true });
    expect(training.trainRows + training.holdoutRows).toBe(190);
    const artifact = modelArtifactSchema.parse(JSON.parse(new TextDecoder().decode(objects.stored.get(training.artifactKey)!)));
    expect(artifact.training.dataset.sha256).toBe(training.dataset.sha256);

    const evaluation = await evaluateModel(objects, plan, training, { now });
    expect(evaluation.metrics.auc).toBeGreaterThan(0.9);
    expect(evaluation.metrics.accuracy).toBeGreaterThan(0.9);
    expect(evaluation.metrics.logLoss).toBeLessThan(0.3);
    expect(evaluation.holdoutRows).toBe(training.holdoutRows);
    const report = JSON.parse(new TextDecoder().decode(objects.stored.get(evaluation.reportKey)!));
    expect(report.rocCurve[0]).toMatchObject({ fpr: 0, tpr: 0 });

    const again = await trainModel(objects, plan, { runId: 'run-2', now });
    const artifact2 = modelArtifactSchema.parse(JSON.parse(new TextDecoder().decode(objects.stored.get(again.artifactKey)!)));
    expect(artifact2.coefficients).toEqual(artifact.coefficients);
    expect(predict(artifact, artifact.scaling.center)).toBeCloseTo(1 / (1 + Math.exp(-artifact.intercept)), 12);
  });

  it('evaluates regression with RMSE, MAE and R²', async () => {
    const rows = Array.from({ length: 40 }, (_, i) => `${i},${(i * 7) % 5},${3 + 2 * i - (i * 7) % 5}`).join('\n');
    const objects = memoryObjects({ 'datasets/bc.csv': `a,b,y\n${rows}\n` });
    const plan = await validateTrainingInput(objects, request({ target: 'y' }));
    const training = await trainModel(objects, plan, { runId: 'r', now });
    const evaluation = await evaluateModel(objects, plan, training, { now });
    expect(evaluation.metrics.rmse).toBeLessThan(1e-9);
    expect(evaluation.metrics.r2).toBeCloseTo(1, 12);
  });

  it('refuses to evaluate when the dataset changed after training', async () => {
    const objects = memoryObjects({ 'datasets/bc.csv': BREAST_CANCER });
    const plan = await validateTrainingInput(objects, request());
    const training = await trainModel(objects, plan, { runId: 'r', now });
    await objects.put('datasets/bc.csv', BREAST_CANCER.replace(/\n$/, '\n' + BREAST_CANCER.split('\n')[1] + '\n'));
    await expect(evaluateModel(objects, plan, training, { now })).rejects.toThrow("dataset 'datasets/bc.csv' changed between training and evaluation");
  });
});
