import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { calibrationBins } from '../../../core/evaluation/calibration-bins';
import { averagePrecision, precisionRecallCurve, rocCurvePoints } from '../../../core/evaluation/classification-curves';
import { binaryClassificationMetrics } from '../../../core/evaluation/classification-metrics';
import { attributeFairness } from '../../../core/evaluation/fairness-metrics';
import { importanceMetric } from '../../../core/evaluation/model-evaluation';
import { permutationImportance } from '../../../core/evaluation/permutation-importance';
import { regressionMetrics } from '../../../core/evaluation/regression-metrics';
import { residualHistogram } from '../../../core/evaluation/residual-histogram';
import { sigmoid } from '../../../core/maths/linear-model';

/**
 * Our metrics against scikit-learn's on the same inputs, to 1e-9.
 * The reference values were produced once by test/fixtures/evaluation/generate.py.
 */
interface Fixtures {
  generatedWith: Record<string, string>;
  classification: {
    name: string;
    labels: number[];
    scores: number[];
    threshold: number;
    expected: {
      accuracy: number;
      precision: number;
      recall: number;
      f1: number;
      auc: number;
      logLoss: number;
      brier: number;
      averagePrecision: number;
      confusion: { truePositive: number; falsePositive: number; trueNegative: number; falseNegative: number };
      roc: { fpr: number[]; tpr: number[]; thresholds: number[] };
      precisionRecall: { precision: number[]; recall: number[]; thresholds: number[] };
      calibration: { bins: number; fractionPositive: number[]; meanPredicted: number[] };
    };
  }[];
  regression: {
    name: string;
    truth: number[];
    predicted: number[];
    expected: { rmse: number; mae: number; r2: number; residualHistogram: { bins: number; edges: number[]; counts: number[] } };
  }[];
  permutationImportance: {
    name: string;
    metric: string;
    x: number[][];
    y: number[];
    model: { coefficients: number[]; intercept: number; logistic: boolean };
    repeats: number;
    permutations: number[][];
    expected: { mean: number[]; std: number[]; importances: number[][] };
  }[];
  fairness: {
    name: string;
    labels: number[];
    scores: number[];
    groups: string[];
    threshold: number;
    expected: {
      groups: Record<string, { count: number; selectionRate: number; truePositiveRate: number | null; falsePositiveRate: number | null }>;
      demographicParityDifference: number;
      disparateImpactRatio: number;
      equalOpportunityDifference: number;
    };
  }[];
}

const fixtures = JSON.parse(readFileSync(join(__dirname, '../../fixtures/evaluation/sklearn-reference.json'), 'utf8')) as Fixtures;
const TOLERANCE = 1e-9;

function expectClose(actual: number | null | undefined, expected: number, what: string): void {
  if (typeof actual !== 'number' || !(Math.abs(actual - expected) <= TOLERANCE * Math.max(1, Math.abs(expected)))) {
    throw new Error(`${what}: ${actual} differs from scikit-learn's ${expected} by more than ${TOLERANCE}`);
  }
}

function expectAllClose(actual: readonly (number | null)[], expected: readonly number[], what: string): void {
  expect(actual).toHaveLength(expected.length);
  expected.forEach((e, i) => expectClose(actual[i], e, `${what}[${i}]`));
}

describe.each(fixtures.classification)('binary classification: $name', (c) => {
  const { labels, scores, expected } = c;

  it('accuracy, precision, recall, F1, ROC AUC, log loss, Brier and the confusion matrix', () => {
    const m = binaryClassificationMetrics(labels, scores, c.threshold);
    for (const name of ['accuracy', 'precision', 'recall', 'f1', 'auc', 'logLoss', 'brier'] as const) expectClose(m[name], expected[name], name);
    expect(m.confusion).toEqual(expected.confusion);
  });

  it('ROC curve points (every threshold)', () => {
    const points = rocCurvePoints(labels, scores);
    expectAllClose(
      points.map((p) => p.fpr),
      expected.roc.fpr,
      'fpr',
    );
    expectAllClose(
      points.map((p) => p.tpr),
      expected.roc.tpr,
      'tpr',
    );
    expectAllClose(
      points.slice(1).map((p) => p.threshold),
      expected.roc.thresholds,
      'threshold',
    );
  });

  it('precision-recall curve and average precision', () => {
    const points = precisionRecallCurve(labels, scores);
    expectAllClose(
      points.map((p) => p.precision),
      expected.precisionRecall.precision,
      'precision',
    );
    expectAllClose(
      points.map((p) => p.recall),
      expected.precisionRecall.recall,
      'recall',
    );
    expectAllClose(
      points.slice(0, -1).map((p) => p.threshold),
      expected.precisionRecall.thresholds,
      'threshold',
    );
    expect(points.at(-1)?.threshold).toBeNull();
    expectClose(averagePrecision(labels, scores), expected.averagePrecision, 'average precision');
  });

  it('calibration bins (uniform strategy; scikit-learn lists the non-empty bins)', () => {
    const bins = calibrationBins(labels, scores, expected.calibration.bins).filter((b) => b.count > 0);
    expectAllClose(
      bins.map((b) => b.fractionPositive),
      expected.calibration.fractionPositive,
      'fraction positive',
    );
    expectAllClose(
      bins.map((b) => b.meanPredicted),
      expected.calibration.meanPredicted,
      'mean predicted',
    );
  });
});

describe.each(fixtures.regression)('regression: $name', (c) => {
  it('RMSE, MAE and R²', () => {
    const m = regressionMetrics(c.truth, c.predicted);
    expectClose(m.rmse, c.expected.rmse, 'rmse');
    expectClose(m.mae, c.expected.mae, 'mae');
    expectClose(m.r2, c.expected.r2, 'r2');
  });

  it('residual histogram (numpy.histogram edges and counts)', () => {
    const h = residualHistogram(c.truth, c.predicted, c.expected.residualHistogram.bins);
    expectAllClose(h.edges, c.expected.residualHistogram.edges, 'edge');
    expect(h.counts).toEqual(c.expected.residualHistogram.counts);
  });
});

describe.each(fixtures.permutationImportance)('permutation importance: $name', (c) => {
  it('reproduces scikit-learn permutation_importance given its row orders: every drop, the mean and the std', async () => {
    const linear = (row: readonly number[]) => row.reduce((s, v, j) => s + v * c.model.coefficients[j], c.model.intercept);
    const predict = (rows: readonly (readonly number[])[]) => rows.map((row) => (c.model.logistic ? sigmoid(linear(row)) : linear(row)));
    const result = await permutationImportance(predict, c.x, c.y, {
      features: c.x[0].map((_, j) => `x${j}`),
      metric: importanceMetric(c.model.logistic ? 'binary' : 'regression', c.metric),
      repeats: c.repeats,
      seed: 0,
      permutations: c.permutations,
    });
    result.features.forEach((f, j) => {
      expectAllClose(f.drops, c.expected.importances[j], `${f.feature} drops`);
      expectClose(f.mean, c.expected.mean[j], `${f.feature} mean`);
      expectClose(f.std, c.expected.std[j], `${f.feature} std`);
    });
    // The feature the model ignores (coefficient 0) is exactly unimportant.
    expect(result.features[3].mean).toBe(0);
  });
});

describe.each(fixtures.fairness)('fairness: $name', (c) => {
  it('per-group selection, true- and false-positive rates, and the three summary figures', () => {
    const f = attributeFairness('group', c.labels, c.scores, c.groups, { threshold: c.threshold });
    expect(f.groups.map((g) => g.value)).toEqual(Object.keys(c.expected.groups));
    for (const g of f.groups) {
      const e = c.expected.groups[g.value];
      expect(g.count).toBe(e.count);
      expectClose(g.selectionRate, e.selectionRate, `${g.value} selection rate`);
      expectClose(g.truePositiveRate, e.truePositiveRate as number, `${g.value} TPR`);
      expectClose(g.falsePositiveRate, e.falsePositiveRate as number, `${g.value} FPR`);
    }
    expectClose(f.demographicParityDifference, c.expected.demographicParityDifference, 'demographic parity difference');
    expectClose(f.disparateImpactRatio, c.expected.disparateImpactRatio, 'disparate impact ratio');
    expectClose(f.equalOpportunityDifference, c.expected.equalOpportunityDifference, 'equal-opportunity difference');
    // The reference is the most favoured group; its own ratio is 1.
    const reference = f.groups.find((g) => g.value === f.reference);
    expect(reference?.selectionRate).toBe(Math.max(...f.groups.map((g) => g.selectionRate)));
    expect(reference?.selectionRateRatio).toBe(1);
  });
});

it('fixtures were produced by scikit-learn', () => {
  expect(fixtures.generatedWith['scikit-learn']).toMatch(/^1\./);
});
