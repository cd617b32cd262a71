import { createHash } from 'node:crypto';
import type { IoSchema } from '../../../core/catalog/artifacts/io-schema';
import { validateArtifact } from '../../../core/catalog/artifacts/validate-artifact';
import type { Model } from '../../../core/catalog/models';
import { ValidationFailed } from '../../../core/errors';
import { evaluateArtifact } from '../../../core/pipelines/evaluate-model';
import { SERVING_LINEAR_MODEL_FORMAT } from '../../../core/pipelines/model-artifact';
import { scoreWithOnnx } from '../../../core/pipelines/onnx-scoring';
import { trainModel } from '../../../core/pipelines/train-model';
import { loadCsvDataset } from '../../../core/pipelines/training-dataset';
import { trainEvaluateInputSchema, type TrainEvaluateInput } from '../../../core/pipelines/training-request';
import { buildTrainingPlan, resolveModelIo, type ResolvedDataset } from '../../../core/pipelines/validate-training-input';
import { LINEAR_MODEL_FORMAT, linearModelArtifactSchema } from '../../../serving/runtimes/linear-model-artifact';
import { LinearModel } from '../../../serving/runtimes/linear-runtime';
import { BREAST_CANCER_CSV, BREAST_CANCER_FEATURES, breastCancerSchema } from '../../fixtures/pipelines/breast-cancer';
import { memoryObjects } from '../../fixtures/pipelines/memory-objects';

const MODEL_ID = '01jcmde10000000000000000zz';
const now = () => new Date('2025-01-01T00:00:00Z');
const request = (overrides: Partial<Record<keyof TrainEvaluateInput, unknown>> = {}): TrainEvaluateInput =>
  trainEvaluateInputSchema.parse({ modelId: MODEL_ID, dataset: { key: 'datasets/bc.csv' }, target: 'benign', ...overrides });
const model = (schema: IoSchema = breastCancerSchema({ label: true }), type: Model['type'] = 'ml') => ({
  modelId: MODEL_ID,
  name: 'breast-cancer',
  type,
  schema,
});

async function plan(
  options: { csv?: string; schema?: IoSchema; request?: Partial<Record<keyof TrainEvaluateInput, unknown>>; dataset?: ResolvedDataset } = {},
) {
  const objects = memoryObjects({ 'datasets/bc.csv': options.csv ?? BREAST_CANCER_CSV });
  const dataset = options.dataset ?? { key: 'datasets/bc.csv' };
  const loaded = await loadCsvDataset(objects, dataset.key);
  return { objects, plan: buildTrainingPlan({ model: model(options.schema), dataset, loaded, request: request(options.request) }) };
}

const regressionCsv = (rows = 40) => `a,b,y\n${Array.from({ length: rows }, (_, i) => `${i},${(i * 7) % 5},${3 + 2 * i - ((i * 7) % 5)}`).join('\n')}\n`;
const regressionSchema: IoSchema = {
  inputs: [
    { name: 'a', type: 'double' },
    { name: 'b', type: 'int' },
  ],
  outputs: [{ name: 'prediction', type: 'double' }],
};

describe('the train-evaluate input', () => {
  it('names a catalog model and a dataset version or a raw key; nothing else', () => {
    expect(
      trainEvaluateInputSchema.safeParse({ modelId: MODEL_ID, dataset: { datasetId: '01jdataset0000000000000000', version: 2 }, target: 'y' }).success,
    ).toBe(true);
    expect(trainEvaluateInputSchema.safeParse({ modelId: MODEL_ID, dataset: { key: 'datasets/x.csv' }, target: 'y' }).success).toBe(true);
    expect(trainEvaluateInputSchema.safeParse({ model: { name: 'churn' }, dataset: { key: 'datasets/x.csv' }, target: 'y' }).success).toBe(false);
    expect(
      trainEvaluateInputSchema.safeParse({ modelId: MODEL_ID, dataset: { key: 'x.csv', datasetId: '01jdataset0000000000000000', version: 1 }, target: 'y' })
        .success,
    ).toBe(false);
    // The champion comes from the catalog, never from the caller.
    expect(trainEvaluateInputSchema.safeParse({ modelId: MODEL_ID, dataset: { key: 'x.csv' }, target: 'y', champion: { value: 0.5 } }).success).toBe(false);
    expect(trainEvaluateInputSchema.safeParse({ modelId: 'Not-An-Id', dataset: { key: 'x.csv' }, target: 'y' }).success).toBe(false);
  });
});

describe('resolveModelIo', () => {
  it('takes the schema’s scalar inputs as the features, packed in declared order, and maps outputs to score and label', () => {
    const io = resolveModelIo(model(), { target: 'benign' });
    expect(io.features).toEqual(BREAST_CANCER_FEATURES);
    expect(io.input).toEqual({ binding: 'packed', name: 'features' });
    expect(io.outputs).toEqual([
      { name: 'probability', role: 'score', elementType: 'float32', rank: 2 },
      { name: 'label', role: 'label', elementType: 'int64', rank: 2 },
    ]);
    // Listing the same features in another order is fine; the schema's order is kept.
    expect(resolveModelIo(model(), { target: 'benign', features: [...BREAST_CANCER_FEATURES].reverse() }).features).toEqual(BREAST_CANCER_FEATURES);
  });

  it('picks an ONNX input name no declared field uses, so the binding stays packed', () => {
    const schema: IoSchema = {
      inputs: [
        { name: 'features', type: 'float' },
        { name: 'x', type: 'float' },
      ],
      outputs: [{ name: 'features_2', type: 'float' }],
    };
    expect(resolveModelIo(model(schema), { target: 'y' }).input).toEqual({ binding: 'packed', name: 'features_3' });
  });

  it('fills a declared [batch, n] tensor from the listed columns', () => {
    const schema: IoSchema = { inputs: [{ name: 'x', type: 'float', shape: [-1, 2] }], outputs: [{ name: 'p', type: 'double', shape: [-1] }] };
    expect(resolveModelIo(model(schema), { target: 'y', features: ['a', 'b'] })).toEqual({
      features: ['a', 'b'],
      input: { binding: 'tensor', name: 'x' },
      outputs: [{ name: 'p', role: 'score', elementType: 'float64', rank: 1 }],
    });
  });

  it.each([
    [model(undefined, 'rules'), {}, "model 'breast-cancer' is a rules model; the built-in trainers produce ONNX models"],
    [
      model({ inputs: [{ name: 'region', type: 'category', allowed: ['n'] }], outputs: [{ name: 'p', type: 'float' }] }),
      {},
      "the built-in trainers read numeric columns; model 'breast-cancer' declares 'region' (category)",
    ],
    [model(), { features: ['mean_radius'] }, `the features must be the model's declared inputs; not listed: ${BREAST_CANCER_FEATURES.slice(1).join(', ')}`],
    [model(), { features: [...BREAST_CANCER_FEATURES, 'extra'] }, "the features must be the model's declared inputs; not declared: extra"],
    [
      model({ inputs: [{ name: 'x', type: 'float', shape: [-1, 2] }], outputs: [{ name: 'p', type: 'float' }] }),
      {},
      "model 'breast-cancer' takes one tensor 'x'; list the columns that fill it in 'features'",
    ],
    [
      model({ inputs: [{ name: 'x', type: 'float', shape: [-1, 2] }], outputs: [{ name: 'p', type: 'float' }] }),
      { features: ['a'] },
      "input 'x' is 2 wide; 1 features are listed",
    ],
    [
      model({ inputs: [{ name: 'a', type: 'float' }], outputs: [{ name: 'label', type: 'long' }] }),
      {},
      "model 'breast-cancer' declares no float or double output for the score (probability or prediction)",
    ],
    [
      model({ inputs: [{ name: 'a', type: 'float' }], outputs: [{ name: 'p', type: 'float', shape: [-1, 2] }] }),
      {},
      "output 'p' has shape [-1, 2]; a built-in model gives one value per row",
    ],
    [model({ inputs: [{ name: 'a', type: 'float' }], outputs: [{ name: 'p', type: 'string' }] }), {}, "output 'p' is string; a built-in model gives numbers"],
    [model({ inputs: [{ name: 'benign', type: 'float' }], outputs: [{ name: 'p', type: 'float' }] }), {}, "the target 'benign' is one of the model's inputs"],
  ])('refuses model %# (%j)', (m, extra, message) => {
    expect(() => resolveModelIo(m, { target: 'benign', ...extra })).toThrow(new ValidationFailed(message));
  });
});

describe('buildTrainingPlan', () => {
  it('resolves a binary plan with defaults from the model and the dataset', async () => {
    const { plan: p } = await plan({ request: { hyperparameters: { l2: 2 }, codeRevision: 'abc123' } });
    expect(p).toMatchObject({
      modelId: MODEL_ID,
      modelName: 'breast-cancer',
      dataset: { key: 'datasets/bc.csv', size: Buffer.byteLength(BREAST_CANCER_CSV), sha256: createHash('sha256').update(BREAST_CANCER_CSV).digest('hex') },
      task: 'binary',
      algorithm: 'logistic-regression',
      rowCount: 190,
      hyperparameters: { l2: 2, maxIterations: 100, tolerance: 1e-8 },
      evaluation: { holdoutFraction: 0.25, seed: 42 },
      policy: { metric: 'auc', autoApprove: false },
      codeRevision: 'abc123',
    });
    expect(p.features).toEqual(BREAST_CANCER_FEATURES);
  });

  it('detects a numeric target as regression', async () => {
    const { plan: p } = await plan({ csv: regressionCsv(), schema: regressionSchema, request: { target: 'y' } });
    expect(p).toMatchObject({ task: 'regression', algorithm: 'least-squares', policy: { metric: 'r2' }, hyperparameters: { l2: 0 }, features: ['a', 'b'] });
  });

  it('keeps the catalog dataset version and refuses data that does not hash to what the catalog recorded', async () => {
    const sha256 = createHash('sha256').update(BREAST_CANCER_CSV).digest('hex');
    const { plan: p } = await plan({ dataset: { key: 'datasets/bc.csv', sha256, datasetId: '01jdataset0000000000000000', version: 3 } });
    expect(p.dataset).toMatchObject({ datasetId: '01jdataset0000000000000000', version: 3, sha256 });
    await expect(plan({ dataset: { key: 'datasets/bc.csv', sha256: '0'.repeat(64), datasetId: '01jdataset0000000000000000', version: 3 } })).rejects.toThrow(
      'dataset 01jdataset0000000000000000 version 3 does not match its recorded hash',
    );
  });

  it.each([
    [{ request: { target: 'malignant' } }, "target column 'malignant' is not in the header of dataset 'datasets/bc.csv'"],
    [{ request: { task: 'regression', policy: { metric: 'auc' } }, schema: breastCancerSchema() }, "metric 'auc' does not apply to regression models"],
    [{ request: { task: 'regression' } }, "model 'breast-cancer' declares label output(s) 'label', but 'benign' is a regression target"],
    [
      { schema: { inputs: [{ name: 'benign', type: 'float' }], outputs: [{ name: 'p', type: 'float' }] }, request: { target: 'mean_radius', task: 'binary' } },
      "binary classification needs a 0/1 target; column 'mean_radius' has other values",
    ],
    [{ csv: 'a,b,y\n1,2,0\n2,3,1\n', schema: regressionSchema, request: { target: 'y' } }, "dataset 'datasets/bc.csv' has 2 rows; at least 10 are needed"],
    [{ csv: 'x,benign\n1,0\n', schema: breastCancerSchema() }, 'feature column(s) not in the dataset header'],
  ])('refuses %j', async (options, message) => {
    await expect(plan(options as Parameters<typeof plan>[0])).rejects.toThrow(message);
  });
});

describe('trainModel + evaluateArtifact (built-in logistic regression, exported as ONNX)', () => {
  it('writes an ONNX model the catalog accepts and that separates the hold-out set well, deterministically', async () => {
    const { objects, plan: p } = await plan();
    const training = await trainModel(objects, p, { runId: 'run-1', now });
    expect(training).toMatchObject({ artifact: { format: 'onnx', key: `models/${MODEL_ID}/runs/run-1/model.onnx` }, rowCount: 190, converged: true });
    expect(training.trainRows + training.holdoutRows).toBe(190);
    const bytes = objects.stored.get(training.artifact.key)!;
    expect(bytes.byteLength).toBe(training.artifact.size);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(training.artifact.sha256);

    // The catalog's own check (what finalizeArtifact runs): loads, binds packed to the 30 declared inputs, runs.
    const validated = await validateArtifact({ format: 'onnx', bytes, ioSchema: breastCancerSchema({ label: true }) });
    expect(validated.summary).toMatchObject({ binding: { kind: 'packed', onnxInput: 'features', fields: BREAST_CANCER_FEATURES } });

    const evaluation = await evaluateArtifact(objects, p, { runId: 'run-1', version: 1, artifact: bytes, artifactSha256: training.artifact.sha256 }, { now });
    expect(evaluation.metrics.auc).toBeGreaterThan(0.9);
    expect(evaluation.metrics.accuracy).toBeGreaterThan(0.9);
    expect(evaluation.metrics.logLoss).toBeLessThan(0.3);
    expect(evaluation.holdoutRows).toBe(training.holdoutRows);
    const { truePositive, falsePositive, trueNegative, falseNegative } = evaluation.confusion!;
    expect(truePositive + falsePositive + trueNegative + falseNegative).toBe(training.holdoutRows);
    const report = JSON.parse(new TextDecoder().decode(objects.stored.get(evaluation.reportKey)));
    expect(evaluation.reportKey).toBe(`models/${MODEL_ID}/runs/run-1/evaluation.json`);
    expect(report.rocCurve[0]).toMatchObject({ fpr: 0, tpr: 0 });
    expect(report).toMatchObject({ model: { modelId: MODEL_ID, version: 1, artifactSha256: training.artifact.sha256 }, scoredOutput: 'probability' });

    const again = await trainModel(objects, p, { runId: 'run-1', now });
    expect(again.artifact.sha256).toBe(training.artifact.sha256);
  });

  it('also writes the serving runtime’s JSON model, which scores like the ONNX one', async () => {
    const { objects, plan: p } = await plan();
    const training = await trainModel(objects, p, { runId: 'r', now });
    const json = JSON.parse(new TextDecoder().decode(objects.stored.get(training.linearModelKey!)));
    expect(SERVING_LINEAR_MODEL_FORMAT).toBe(LINEAR_MODEL_FORMAT);
    const served = new LinearModel(linearModelArtifactSchema.parse(json));
    expect(served.artifact).toMatchObject({ kind: 'logistic', target: 'benign', features: BREAST_CANCER_FEATURES });
    const rows = BREAST_CANCER_CSV.trim()
      .split('\n')
      .slice(1, 21)
      .map((line) => line.split(',').slice(0, 30).map(Number));
    const onnx = await scoreWithOnnx(objects.stored.get(training.artifact.key)!, rows, { inputName: 'features', outputName: 'probability' });
    served.predictNumbers(rows).forEach((prediction, i) => expect(onnx[i]).toBeCloseTo(prediction.score, 4));
  });

  it('evaluates regression with RMSE, MAE and R²', async () => {
    const { objects, plan: p } = await plan({ csv: regressionCsv(), schema: regressionSchema, request: { target: 'y' } });
    const training = await trainModel(objects, p, { runId: 'r', now });
    const bytes = objects.stored.get(training.artifact.key)!;
    await validateArtifact({ format: 'onnx', bytes, ioSchema: regressionSchema });
    const evaluation = await evaluateArtifact(objects, p, { runId: 'r', version: 1, artifact: bytes, artifactSha256: training.artifact.sha256 }, { now });
    // float32 inference: exact up to single precision.
    expect(evaluation.metrics.rmse).toBeLessThan(1e-3);
    expect(evaluation.metrics.r2).toBeCloseTo(1, 6);
  });

  it('refuses to train or evaluate on data that changed since validation', async () => {
    const { objects, plan: p } = await plan();
    const training = await trainModel(objects, p, { runId: 'r', now });
    await objects.put('datasets/bc.csv', `${BREAST_CANCER_CSV}${BREAST_CANCER_CSV.split('\n')[1]}\n`);
    const changed = "dataset 'datasets/bc.csv' changed since the run was validated";
    await expect(trainModel(objects, p, { runId: 'r2', now })).rejects.toThrow(changed);
    const bytes = objects.stored.get(training.artifact.key)!;
    await expect(evaluateArtifact(objects, p, { runId: 'r', version: 1, artifact: bytes, artifactSha256: training.artifact.sha256 }, { now })).rejects.toThrow(
      changed,
    );
  });
});
