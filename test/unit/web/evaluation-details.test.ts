import { evaluationDetailsSchema } from '../../../core/evaluation/evaluation-details';
import {
  calibrationPoints,
  type Comparison,
  comparisonTable,
  fairnessRows,
  formatDelta,
  importanceBars,
  overlaidCurves,
  precisionRecallPoints,
  rocCurvePoints,
} from '../../../web/src/lib/evaluation-details';

// Details as the platform stores them on an evaluation record, checked against the domain's own schema so the console reads the real shape.
const details = evaluationDetailsSchema.parse({
  task: 'binary',
  rows: 114,
  confusion: { threshold: 0.5, truePositive: 70, falsePositive: 2, trueNegative: 40, falseNegative: 2 },
  rocCurve: [
    { fpr: 0.5, tpr: 0.98, threshold: 0.2 },
    { fpr: 0.05, tpr: 0.9, threshold: 0.6 },
    { fpr: 0.05, tpr: 0.9, threshold: 0.61 },
  ],
  precisionRecallCurve: [
    { precision: 0.9, recall: 1, threshold: 0.1 },
    { precision: 1, recall: 0.5, threshold: 0.9 },
    { precision: 0.97, recall: 0.9, threshold: 0.5 },
  ],
  calibration: {
    strategy: 'uniform',
    bins: [
      { lower: 0, upper: 0.5, count: 40, meanPredicted: 0.1, fractionPositive: 0.05 },
      { lower: 0.5, upper: 0.8, count: 0, meanPredicted: null, fractionPositive: null },
      { lower: 0.8, upper: 1, count: 74, meanPredicted: 0.93, fractionPositive: 0.96 },
    ],
  },
  featureImportance: {
    metric: 'auc',
    higherIsBetter: true,
    repeats: 5,
    seed: 42,
    baseline: 0.99,
    features: [
      { feature: 'radius', mean: -0.12, std: 0.01 },
      { feature: 'noise', mean: 0.003, std: 0.002 },
      { feature: 'texture', mean: -0.04, std: 0.005 },
    ],
  },
  fairness: [
    {
      attribute: 'sex',
      reference: 'f',
      referenceRule: 'given',
      threshold: 0.5,
      groups: [
        {
          value: 'f',
          count: 60,
          positives: 30,
          selectionRate: 0.5,
          truePositiveRate: 0.95,
          falsePositiveRate: 0.05,
          selectionRateRatio: 1,
          selectionRateDifference: 0,
          truePositiveRateDifference: 0,
        },
        {
          value: 'm',
          count: 54,
          positives: 20,
          selectionRate: 0.35,
          truePositiveRate: 0.9,
          falsePositiveRate: 0.04,
          selectionRateRatio: 0.7,
          selectionRateDifference: -0.15,
          truePositiveRateDifference: -0.05,
        },
      ],
      demographicParityDifference: 0.15,
      disparateImpactRatio: 0.7,
      equalOpportunityDifference: 0.05,
    },
  ],
});

describe('evaluation details shaped for the version page', () => {
  it('draws the ROC curve across the unit square, sorted by false-positive rate, without repeated points', () => {
    expect(rocCurvePoints(details.rocCurve)).toEqual([
      { x: 0, y: 0 },
      { x: 0.05, y: 0.9 },
      { x: 0.5, y: 0.98 },
      { x: 1, y: 1 },
    ]);
    expect(rocCurvePoints(undefined)).toEqual([]);
  });

  it('draws precision against recall, sorted by recall', () => {
    expect(precisionRecallPoints(details.precisionRecallCurve)).toEqual([
      { x: 0.5, y: 1 },
      { x: 0.9, y: 0.97 },
      { x: 1, y: 0.9 },
    ]);
  });

  it('plots calibration bins that hold rows and skips empty ones (no mean to draw)', () => {
    const points = calibrationPoints(details.calibration);
    expect(points.map((p) => [p.bin, p.meanPredicted, p.fractionPositive, p.count])).toEqual([
      ['0.00–0.50', 0.1, 0.05, 40],
      ['0.80–1.00', 0.93, 0.96, 74],
    ]);
    expect(calibrationPoints(undefined)).toEqual([]);
  });

  it('orders permutation importance so the feature whose shuffling hurts the metric most comes first, whichever way the metric points', () => {
    expect(importanceBars(details.featureImportance).map((b) => [b.feature, b.importance])).toEqual([
      ['radius', 0.12],
      ['texture', 0.04],
      ['noise', -0.003],
    ]);
    const lowerIsBetter = {
      ...details.featureImportance!,
      metric: 'logLoss',
      higherIsBetter: false,
      features: [
        { feature: 'a', mean: 0.2, std: 0 },
        { feature: 'b', mean: 0.5, std: 0 },
      ],
    };
    expect(importanceBars(lowerIsBetter).map((b) => b.feature)).toEqual(['b', 'a']);
    expect(importanceBars(details.featureImportance, 1)).toHaveLength(1);
  });

  it('lists fairness per attribute and group, marking the reference and flagging ratios under four fifths', () => {
    expect(fairnessRows(details.fairness).map((r) => [r.attribute, r.group, r.isReference, r.flagged])).toEqual([
      ['sex', 'f', true, false],
      ['sex', 'm', false, true],
    ]);
  });
});

const comparison: Comparison = {
  modelId: 'm1',
  modelName: 'churn',
  sources: ['platform'],
  champion: { version: 1, metrics: { auc: 0.9, logLoss: 0.3 } },
  metrics: [
    { name: 'auc', higherIsBetter: true },
    { name: 'logLoss', higherIsBetter: false },
  ],
  versions: [
    {
      version: 1,
      status: 'deployed',
      stage: 'champion',
      isChampion: true,
      metrics: { auc: 0.9, logLoss: 0.3 },
      deltas: { auc: 0, logLoss: 0 },
      betterThanChampion: {},
      evaluations: [],
      curves: { rocCurve: [{ fpr: 0.1, tpr: 0.8, threshold: 0.5 }] },
    },
    {
      version: 2,
      status: 'approved',
      isChampion: false,
      metrics: { auc: 0.93 },
      deltas: { auc: 0.03 },
      betterThanChampion: { auc: true },
      evaluations: [],
      curves: { precisionRecallCurve: [{ precision: 0.9, recall: 0.8, threshold: null }] },
    },
    { version: 3, status: 'evaluated', isChampion: false, metrics: {}, deltas: {}, betterThanChampion: {}, evaluations: [] },
  ],
};

describe('version comparison shaped for the compare page', () => {
  it('puts one row per metric and one cell per version, with the delta against the champion (none on the champion itself)', () => {
    const table = comparisonTable(comparison);
    expect(table.map((r) => r.metric)).toEqual(['auc', 'logLoss']);
    expect(table[0].cells).toEqual([
      { value: 0.9, delta: undefined, better: undefined },
      { value: 0.93, delta: 0.03, better: true },
      { value: undefined, delta: undefined, better: undefined },
    ]);
    expect(table[1].cells[1]).toEqual({ value: undefined, delta: undefined, better: undefined });
  });

  it('overlays one curve per version that has it', () => {
    const roc = overlaidCurves(comparison, 'roc');
    expect(roc.map((s) => [s.version, s.isChampion, s.points.length])).toEqual([[1, true, 3]]);
    const pr = overlaidCurves(comparison, 'precision-recall');
    expect(pr).toEqual([{ version: 2, isChampion: false, points: [{ x: 0.8, y: 0.9 }] }]);
  });

  it('formats a delta as a signed change', () => {
    expect(formatDelta(0.03)).toBe('+0.0300');
    expect(formatDelta(-0.0012)).toBe('-0.0012');
    expect(formatDelta(undefined)).toBe('');
  });
});
