import type { IoSchema } from '../../../core/catalog/artifacts/io-schema';
import { validateArtifact } from '../../../core/catalog/artifacts/validate-artifact';
import { evaluationDetailsSchema } from '../../../core/evaluation/evaluation-details';
import { evaluateArtifact, type EvaluationReport } from '../../../core/pipelines/evaluate-model';
import { scoreWithOnnx } from '../../../core/pipelines/onnx-scoring';
import { trainModel } from '../../../core/pipelines/train-model';
import { loadCsvDataset } from '../../../core/pipelines/training-dataset';
import { trainEvaluateInputSchema } from '../../../core/pipelines/training-request';
import { buildTrainingPlan, type ResolvedDataset } from '../../../core/pipelines/validate-training-input';
import { BREAST_CANCER_CSV, BREAST_CANCER_FEATURES, breastCancerSchema } from '../../fixtures/pipelines/breast-cancer';
import { memoryObjects } from '../../fixtures/pipelines/memory-objects';

/**
 * The platform's evaluation step on trained versions: the template named in
 * the request is trained and exported, and the evaluation of its artifact
 * carries every section (curves, confusion, calibration, importance,
 * fairness per protected attribute of the dataset).
 */
const MODEL_ID = '01jcmde10000000000000000zz';
const now = () => new Date('2025-01-01T00:00:00Z');

/** The breast-cancer sample with a protected attribute column that is not a feature. */
const withSizeGroup = (() => {
  const [header, ...lines] = BREAST_CANCER_CSV.trim().split('\n');
  return `${header},size_group\n${lines.map((line) => `${line},${Number(line.split(',')[0]) > 14 ? 'large' : 'small'}`).join('\n')}\n`;
})();

async function planFor(options: { csv: string; schema: IoSchema; target: string; request?: Record<string, unknown>; dataset?: Partial<ResolvedDataset> }) {
  const objects = memoryObjects({ 'datasets/data.csv': options.csv });
  const dataset: ResolvedDataset = { key: 'datasets/data.csv', ...options.dataset };
  const loaded = await loadCsvDataset(objects, dataset.key);
  const request = trainEvaluateInputSchema.parse({ modelId: MODEL_ID, dataset: { key: dataset.key }, target: options.target, ...options.request });
  return { objects, plan: buildTrainingPlan({ model: { modelId: MODEL_ID, name: 'm', type: 'ml', schema: options.schema }, dataset, loaded, request }) };
}

const regressionCsv = `a,b,y\n${Array.from({ length: 80 }, (_, i) => `${i % 17},${(i * 7) % 5},${(i % 17 > 8 ? 30 : 10) + ((i * 7) % 5)}`).join('\n')}\n`;
const regressionSchema: IoSchema = {
  inputs: [
    { name: 'a', type: 'double' },
    { name: 'b', type: 'int' },
  ],
  outputs: [{ name: 'prediction', type: 'double' }],
};

describe('gradient-boosting templates in train-evaluate', () => {
  it('trains the classifier the request names, with its hyper-parameters and defaults recorded', async () => {
    const { plan } = await planFor({
      csv: BREAST_CANCER_CSV,
      schema: breastCancerSchema({ label: true }),
      target: 'benign',
      request: { algorithm: 'gradient-boosting-classifier', hyperparameters: { nEstimators: 40 } },
    });
    expect(plan).toMatchObject({
      algorithm: 'gradient-boosting-classifier',
      task: 'binary',
      hyperparameters: { nEstimators: 40, maxDepth: 3, learningRate: 0.1, minSamplesLeaf: 1, subsample: 1, seed: 42 },
    });
    expect(plan.hyperparameters).not.toHaveProperty('l2');
  });

  it.each([
    [
      { algorithm: 'gradient-boosting-regressor' },
      'algorithm',
      "algorithm 'gradient-boosting-regressor' trains regression models; 'benign' is a binary target",
    ],
    [{ algorithm: 'least-squares' }, 'algorithm', "algorithm 'least-squares' trains regression models; 'benign' is a binary target"],
    [{ hyperparameters: { nEstimators: 10 } }, 'hyperparameters.nEstimators', "algorithm 'logistic-regression' does not read hyper-parameter(s) nEstimators"],
    [
      { algorithm: 'gradient-boosting-classifier', hyperparameters: { l2: 1 } },
      'hyperparameters.l2',
      "algorithm 'gradient-boosting-classifier' does not read hyper-parameter(s) l2",
    ],
  ])('refuses %j naming the field', async (request, field, message) => {
    const attempt = planFor({ csv: BREAST_CANCER_CSV, schema: breastCancerSchema(), target: 'benign', request });
    await expect(attempt).rejects.toThrow(message);
    await expect(attempt).rejects.toMatchObject({ fields: [expect.objectContaining({ field })] });
  });

  it('refuses an unknown algorithm at the input edge', () => {
    expect(trainEvaluateInputSchema.safeParse({ modelId: MODEL_ID, dataset: { key: 'x.csv' }, target: 'y', algorithm: 'random-forest' }).success).toBe(false);
    expect(trainEvaluateInputSchema.safeParse({ modelId: MODEL_ID, dataset: { key: 'x.csv' }, target: 'y', hyperparameters: { subsample: 1.5 } }).success).toBe(
      false,
    );
  });
});

describe('the platform evaluation of a trained version', () => {
  it('computes every classification section from the version’s own ONNX artifact, fairness per protected attribute', async () => {
    const { objects, plan } = await planFor({
      csv: withSizeGroup,
      schema: breastCancerSchema({ label: true }),
      target: 'benign',
      request: { algorithm: 'gradient-boosting-classifier', hyperparameters: { nEstimators: 60, maxDepth: 2 } },
      dataset: { protectedAttributes: ['size_group', 'no_such_column'] },
    });
    expect(plan.dataset.protectedAttributes).toEqual(['size_group', 'no_such_column']);
    const training = await trainModel(objects, plan, { runId: 'run-gb', now });
    expect(training).toMatchObject({ algorithm: 'gradient-boosting-classifier', iterations: 60, converged: true });
    expect(training.linearModelKey).toBeUndefined();
    expect(training.cpuMs).toEqual(expect.any(Number));
    expect(training.peakMemoryBytes).toBeGreaterThan(10 * 1024 * 1024);
    const bytes = objects.stored.get(training.artifact.key)!;
    await validateArtifact({ format: 'onnx', bytes, ioSchema: breastCancerSchema({ label: true }) });

    const evaluation = await evaluateArtifact(
      objects,
      plan,
      { runId: 'run-gb', version: 1, artifact: bytes, artifactSha256: training.artifact.sha256 },
      { now },
    );
    expect(evaluation.metrics.auc).toBeGreaterThan(0.9);
    for (const name of [
      'accuracy',
      'precision',
      'recall',
      'f1',
      'logLoss',
      'brier',
      'averagePrecision',
      'disparateImpact',
      'demographicParityDifference',
      'equalOpportunityDifference',
    ] as const) {
      expect(typeof evaluation.metrics[name]).toBe('number');
    }
    const details = evaluationDetailsSchema.parse(evaluation.details);
    expect(details.rows).toBe(training.holdoutRows);
    expect(details.confusion).toMatchObject({ threshold: 0.5 });
    expect(details.rocCurve?.[0]).toMatchObject({ fpr: 0, tpr: 0 });
    expect(details.precisionRecallCurve?.at(-1)).toEqual({ precision: 1, recall: 0, threshold: null });
    expect(details.calibration?.bins).toHaveLength(10);
    expect(details.calibration?.bins.reduce((s, b) => s + b.count, 0)).toBe(training.holdoutRows);
    expect(details.featureImportance).toMatchObject({ metric: 'auc', higherIsBetter: true, repeats: 5, seed: 42 });
    expect(details.featureImportance?.features.map((f) => f.feature)).toEqual(BREAST_CANCER_FEATURES);
    expect(Math.max(...details.featureImportance!.features.map((f) => f.mean))).toBeGreaterThan(0);
    expect(details.fairness).toHaveLength(1);
    const fairness = details.fairness![0];
    expect(fairness.attribute).toBe('size_group');
    expect(fairness.groups.map((g) => g.value)).toEqual(['large', 'small']);
    expect(fairness.groups.reduce((s, g) => s + g.count, 0)).toBe(training.holdoutRows);
    expect(evaluation.metrics.disparateImpact).toBe(fairness.disparateImpactRatio);
    expect(details.skipped).toEqual([{ section: 'fairness.no_such_column', reason: "no column 'no_such_column' in the evaluated data" }]);

    // The numbers are those of the artifact's own scores.
    const report = JSON.parse(new TextDecoder().decode(objects.stored.get(evaluation.reportKey))) as EvaluationReport;
    expect(report.details).toEqual(details);
    expect(report.rocCurve!.length).toBeGreaterThanOrEqual(details.rocCurve!.length);
    const rows = withSizeGroup
      .trim()
      .split('\n')
      .slice(1, 11)
      .map((line) => line.split(',').slice(0, 30).map(Number));
    const probability = await scoreWithOnnx(bytes, rows, { inputName: 'features', outputName: 'probability' });
    expect(probability.every((p) => p >= 0 && p <= 1)).toBe(true);
  });

  it('computes RMSE, MAE, R², the residual histogram and importance for a boosted regressor', async () => {
    const { objects, plan } = await planFor({
      csv: regressionCsv,
      schema: regressionSchema,
      target: 'y',
      request: { algorithm: 'gradient-boosting-regressor', hyperparameters: { nEstimators: 50, learningRate: 0.3 } },
    });
    const training = await trainModel(objects, plan, { runId: 'run-gbr', now });
    const bytes = objects.stored.get(training.artifact.key)!;
    await validateArtifact({ format: 'onnx', bytes, ioSchema: regressionSchema });
    const evaluation = await evaluateArtifact(
      objects,
      plan,
      { runId: 'run-gbr', version: 1, artifact: bytes, artifactSha256: training.artifact.sha256 },
      { now },
    );
    expect(evaluation.metrics.r2).toBeGreaterThan(0.9);
    expect(evaluation.details.residualHistogram?.counts.reduce((s, c) => s + c, 0)).toBe(training.holdoutRows);
    expect(evaluation.details.featureImportance).toMatchObject({ metric: 'r2', features: [{ feature: 'a' }, { feature: 'b' }] });
    const [a, b] = evaluation.details.featureImportance!.features;
    // y steps on a (by 20) and moves with b (by at most 4): a matters far more.
    expect(a.mean).toBeGreaterThan(b.mean);
    expect(evaluation.details.fairness).toBeUndefined();
    expect(evaluation.details.rocCurve).toBeUndefined();
  });
});
