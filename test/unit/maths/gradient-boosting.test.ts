import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IoSchema } from '../../../core/catalog/artifacts/io-schema';
import { validateArtifact } from '../../../core/catalog/artifacts/validate-artifact';
import { rocAuc } from '../../../core/evaluation/classification-metrics';
import { regressionMetrics } from '../../../core/evaluation/regression-metrics';
import { boostedPrediction, fitGradientBoosting, type GradientBoostingOptions } from '../../../core/maths/gradient-boosting';
import { holdoutSplit } from '../../../core/maths/holdout-split';
import { exportTreeEnsembleToOnnx } from '../../../core/maths/onnx/tree-ensemble-onnx';
import { isLeaf } from '../../../core/maths/regression-tree';
import { TrainingFailed } from '../../../core/maths/training-failed';
import { numericTable, parseCsv } from '../../../core/pipelines/csv-table';
import { scoreWithOnnx } from '../../../core/pipelines/onnx-scoring';

const datasets = join(__dirname, '../../../../shared/datasets');
const table = (file: string, target: string) => numericTable(parseCsv(readFileSync(join(datasets, file), 'utf8')), { target });
const cancer = table('breast-cancer.csv', 'benign');
const diabetes = table('diabetes.csv', 'progression');

const defaults = { nEstimators: 100, maxDepth: 3, learningRate: 0.1, minSamplesLeaf: 1, subsample: 1, seed: 42 } as const;

function trainTest(data: ReturnType<typeof table>, options: GradientBoostingOptions, strata?: boolean) {
  const split = holdoutSplit(data.y.length, { fraction: 0.25, seed: 42, strata: strata ? data.y : undefined });
  const pick = (rows: number[]) => ({ x: rows.map((i) => data.x[i]), y: rows.map((i) => data.y[i]) });
  const train = pick(split.train);
  const test = pick(split.holdout);
  return { model: fitGradientBoosting(train.x, train.y, options), train, test };
}

describe('gradient-boosted trees', () => {
  const classifier = trainTest(cancer, { ...defaults, loss: 'log-loss' }, true);
  const regressor = trainTest(diabetes, { ...defaults, loss: 'squared-error', learningRate: 0.05, minSamplesLeaf: 5, subsample: 0.8 });

  it('classifies breast cancer well on held-out rows (ROC AUC > 0.95)', () => {
    const auc = rocAuc(
      classifier.test.y,
      classifier.test.x.map((row) => boostedPrediction(classifier.model, row)),
    );
    expect(auc).toBeGreaterThan(0.95);
    expect(classifier.model.trees).toHaveLength(100);
    expect(classifier.model.trees.every((t) => t.nodes.length <= 15)).toBe(true); // depth 3: at most 15 nodes
  });

  it('predicts diabetes progression better than the mean on held-out rows', () => {
    const { r2 } = regressionMetrics(
      regressor.test.y,
      regressor.test.x.map((row) => boostedPrediction(regressor.model, row)),
    );
    expect(r2).toBeGreaterThan(0.3);
  });

  it('exports a TreeEnsembleClassifier that onnxruntime scores as the TS model predicts (1e-6)', async () => {
    const bytes = exportTreeEnsembleToOnnx({
      model: classifier.model,
      inputName: 'features',
      outputs: [
        { name: 'probability', role: 'score', elementType: 'float32', rank: 2 },
        { name: 'label', role: 'label', elementType: 'int64', rank: 1 },
      ],
    });
    const rows = [...classifier.train.x, ...classifier.test.x];
    const expected = rows.map((row) => boostedPrediction(classifier.model, row));
    const probability = await scoreWithOnnx(bytes, rows, { inputName: 'features', outputName: 'probability' });
    const label = await scoreWithOnnx(bytes, rows, { inputName: 'features', outputName: 'label' });
    const worst = Math.max(...probability.map((p, i) => Math.abs(p - expected[i])));
    expect(worst).toBeLessThan(1e-6);
    const labelsAgree = label.filter((l, i) => l === (probability[i] >= 0.5 ? 1 : 0)).length;
    expect(labelsAgree).toBe(rows.length);
  });

  it('exports a TreeEnsembleRegressor that onnxruntime scores as the TS model predicts (1e-6, relative: the runtime sums in float32)', async () => {
    const bytes = exportTreeEnsembleToOnnx({
      model: regressor.model,
      inputName: 'x',
      outputs: [{ name: 'y', role: 'score', elementType: 'float64', rank: 1 }],
    });
    const rows = [...regressor.train.x, ...regressor.test.x];
    const predicted = await scoreWithOnnx(bytes, rows, { inputName: 'x', outputName: 'y' });
    predicted.forEach((p, i) => {
      const own = boostedPrediction(regressor.model, rows[i]);
      expect(Math.abs(p - own)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(own)));
    });
  });

  it('passes the catalog’s artifact check (loads, matches the schema, runs)', async () => {
    const io: IoSchema = {
      inputs: cancer.features.map((name) => ({ name, type: 'float' as const })),
      outputs: [
        { name: 'probability', type: 'float' },
        { name: 'label', type: 'long' },
      ],
    };
    const bytes = exportTreeEnsembleToOnnx({
      model: classifier.model,
      inputName: 'features',
      outputs: [
        { name: 'probability', role: 'score', elementType: 'float32', rank: 2 },
        { name: 'label', role: 'label', elementType: 'int64', rank: 2 },
      ],
    });
    const validated = await validateArtifact({ format: 'onnx', bytes, ioSchema: io });
    expect(validated.format).toBe('onnx');
  });

  it('is reproduced exactly from its seed; another seed gives other trees when rows are subsampled', () => {
    const rows = diabetes.x.slice(0, 200);
    const y = diabetes.y.slice(0, 200);
    const options = { ...defaults, nEstimators: 10, loss: 'squared-error' as const, subsample: 0.5 };
    expect(fitGradientBoosting(rows, y, options)).toEqual(fitGradientBoosting(rows, y, options));
    expect(fitGradientBoosting(rows, y, { ...options, seed: 7 })).not.toEqual(fitGradientBoosting(rows, y, options));
  });

  it('respects max depth and min samples per leaf', () => {
    const model = fitGradientBoosting(diabetes.x, diabetes.y, { ...defaults, loss: 'squared-error', nEstimators: 5, maxDepth: 2, minSamplesLeaf: 60 });
    for (const tree of model.trees) {
      expect(tree.nodes.length).toBeLessThanOrEqual(7);
      const counts = new Map<number, number>();
      for (const row of diabetes.x) {
        let id = 0;
        let node = tree.nodes[0];
        while (!isLeaf(node)) {
          id = Math.fround(row[node.feature]) <= node.threshold ? node.left : node.right;
          node = tree.nodes[id];
        }
        counts.set(id, (counts.get(id) ?? 0) + 1);
      }
      for (const count of counts.values()) expect(count).toBeGreaterThanOrEqual(60);
    }
  });

  it('fits a step function exactly (squared error, enough trees)', () => {
    const x = Array.from({ length: 40 }, (_, i) => [i]);
    const y = x.map(([v]) => (v < 17 ? 2 : 5));
    const model = fitGradientBoosting(x, y, { ...defaults, loss: 'squared-error', nEstimators: 200, learningRate: 0.5, maxDepth: 1 });
    x.forEach((row, i) => expect(boostedPrediction(model, row)).toBeCloseTo(y[i], 6));
  });

  it('refuses bad hyper-parameters and targets with a reason', () => {
    expect(() => fitGradientBoosting([[1], [2]], [0, 1], { ...defaults, loss: 'log-loss', subsample: 0 })).toThrow(/subsample/);
    expect(() => fitGradientBoosting([[1], [2]], [0, 2], { ...defaults, loss: 'log-loss' })).toThrow(TrainingFailed);
    expect(() => fitGradientBoosting([[1], [2]], [1, 1], { ...defaults, loss: 'log-loss' })).toThrow(/both classes/);
  });
});
