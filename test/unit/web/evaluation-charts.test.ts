import { confusionHeatmap, confusionOf, histogramBars, metricsOverTime, rocPoints } from '../../../web/src/lib/evaluation-charts';

// Notes as core/pipelines/pipeline-versions.ts writes them on a pipeline evaluation.
const NOTES =
  'hold-out of 114 rows (fraction 0.2, seed 42) of dataset k (sha256 ab); confusion matrix TP 70, FP 2, TN 40, FN 2; full report (ROC points): models/m/runs/r/evaluation.json';

describe('evaluation chart data', () => {
  it('reads the confusion matrix from a pipeline evaluation’s notes, or from metrics recorded by hand, else none', () => {
    expect(confusionOf({ evaluationId: 'e', createdAt: '', metrics: { auc: 0.99 }, notes: NOTES })).toEqual({
      truePositive: 70,
      falsePositive: 2,
      trueNegative: 40,
      falseNegative: 2,
    });
    expect(confusionOf({ evaluationId: 'e', createdAt: '', metrics: { truePositive: 5, falsePositive: 1, trueNegative: 3, falseNegative: 0 } })).toEqual({
      truePositive: 5,
      falsePositive: 1,
      trueNegative: 3,
      falseNegative: 0,
    });
    expect(confusionOf({ evaluationId: 'e', createdAt: '', metrics: { rmse: 3 }, notes: 'regression' })).toBeUndefined();
  });

  it('lays the confusion matrix out as a heatmap: actual × predicted, shares of all rows, intensity relative to the largest cell', () => {
    const cells = confusionHeatmap({ truePositive: 70, falsePositive: 2, trueNegative: 40, falseNegative: 2 });
    expect(cells.map((c) => [c.actual, c.predicted, c.count, c.correct])).toEqual([
      ['positive', 'positive', 70, true],
      ['positive', 'negative', 2, false],
      ['negative', 'positive', 2, false],
      ['negative', 'negative', 40, true],
    ]);
    expect(cells[0].share).toBeCloseTo(70 / 114);
    expect(cells[0].intensity).toBe(1);
    expect(cells[3].intensity).toBeCloseTo(40 / 70);
    expect(confusionHeatmap({ truePositive: 0, falsePositive: 0, trueNegative: 0, falseNegative: 0 }).every((c) => c.share === 0 && c.intensity === 0)).toBe(
      true,
    );
  });

  it('draws ROC from the operating point when only the confusion matrix is known: (0,0) → (FPR, TPR) → (1,1)', () => {
    const roc = rocPoints({ confusion: { truePositive: 70, falsePositive: 2, trueNegative: 40, falseNegative: 2 } });
    expect(roc.source).toBe('operating-point');
    expect(roc.points).toEqual([
      { fpr: 0, tpr: 0 },
      { fpr: 2 / 42, tpr: 70 / 72 },
      { fpr: 1, tpr: 1 },
    ]);
    expect(roc.operatingPoint).toEqual({ fpr: 2 / 42, tpr: 70 / 72 });
  });

  it('draws a full ROC curve sorted by false-positive rate, with both corners once', () => {
    const roc = rocPoints({
      curve: [
        { fpr: 0.5, tpr: 0.9 },
        { fpr: 0, tpr: 0 },
        { fpr: 0.1, tpr: 0.6 },
      ],
    });
    expect(roc.source).toBe('curve');
    expect(roc.points).toEqual([
      { fpr: 0, tpr: 0 },
      { fpr: 0.1, tpr: 0.6 },
      { fpr: 0.5, tpr: 0.9 },
      { fpr: 1, tpr: 1 },
    ]);
  });

  it('has no ROC without data, or when a class is absent from the hold-out set', () => {
    expect(rocPoints({}).source).toBe('none');
    expect(rocPoints({ confusion: { truePositive: 3, falsePositive: 0, trueNegative: 0, falseNegative: 1 } }).source).toBe('none');
  });

  it('puts metrics over time oldest first, one column per metric, skipping non-finite values', () => {
    const { rows, metrics } = metricsOverTime([
      { evaluationId: 'b', createdAt: '2026-12-02T00:00:00Z', metrics: { auc: 0.95, f1: 0.9 } },
      { evaluationId: 'a', createdAt: '2026-12-01T00:00:00Z', metrics: { auc: 0.93, logLoss: Number.NaN } },
    ]);
    expect(metrics).toEqual(['auc', 'f1']);
    expect(rows).toEqual([
      { at: '2026-12-01T00:00:00Z', evaluationId: 'a', auc: 0.93 },
      { at: '2026-12-02T00:00:00Z', evaluationId: 'b', auc: 0.95, f1: 0.9 },
    ]);
    expect(metricsOverTime([{ evaluationId: 'a', createdAt: 'x', metrics: { auc: 1, f1: 1 } }], ['auc']).metrics).toEqual(['auc']);
  });

  it('turns a profile histogram into labelled bars, one per bin', () => {
    expect(histogramBars({ edges: [0, 0.5, 1, 1500], counts: [3, 4, 5] })).toEqual([
      { label: '0–0.5', from: 0, to: 0.5, count: 3 },
      { label: '0.5–1', from: 0.5, to: 1, count: 4 },
      { label: '1–1.5e+3', from: 1, to: 1500, count: 5 },
    ]);
  });
});
