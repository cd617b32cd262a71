import { binaryClassificationMetrics, logLoss, rocAuc, rocCurve } from '../../../core/evaluation/classification-metrics';

describe('rocAuc', () => {
  it('matches the textbook example (scikit-learn roc_auc_score docs): 0.75', () => {
    expect(rocAuc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])).toBeCloseTo(0.75, 12);
  });

  it('is 1 for a perfect ranking, 0 for an inverted one, whatever the score scale', () => {
    expect(rocAuc([0, 0, 1, 1, 1], [-3, 1, 2, 50, 51])).toBe(1);
    expect(rocAuc([1, 1, 0, 0], [0.1, 0.2, 0.8, 0.9])).toBe(0);
  });

  it('counts a positive–negative tie as one half', () => {
    expect(rocAuc([0, 1], [0.5, 0.5])).toBe(0.5);
    // pairs: (n0.2,p0.6) win, (n0.2,p0.2) tie, (n0.6,p0.6) tie, (n0.6,p0.2) loss → (1 + .5 + .5) / 4
    expect(rocAuc([0, 0, 1, 1], [0.2, 0.6, 0.6, 0.2])).toBe(0.5);
    expect(rocAuc([0, 1, 1], [0.3, 0.3, 0.9])).toBe(0.75);
  });

  it('is null when only one class is present', () => {
    expect(rocAuc([1, 1, 1], [0.1, 0.5, 0.9])).toBeNull();
    expect(rocAuc([], [])).toBeNull();
  });

  it('agrees with counting concordant pairs on random data', () => {
    let seed = 7;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const labels = Array.from({ length: 200 }, () => (random() < 0.4 ? 1 : 0));
    const scores = labels.map((l) => Math.round((random() + l * 0.3) * 20) / 20); // many ties
    let wins = 0;
    let pairs = 0;
    labels.forEach((li, i) =>
      labels.forEach((lj, j) => {
        if (li === 1 && lj === 0) {
          pairs++;
          wins += scores[i] > scores[j] ? 1 : scores[i] === scores[j] ? 0.5 : 0;
        }
      }),
    );
    expect(rocAuc(labels, scores)).toBeCloseTo(wins / pairs, 12);
  });
});

describe('logLoss', () => {
  it('matches scikit-learn log_loss docs example: 0.21616', () => {
    expect(logLoss([1, 0, 0, 1], [0.9, 0.1, 0.2, 0.65])).toBeCloseTo(0.21616187468057912, 12);
  });

  it('clips certain-and-wrong predictions at machine epsilon (scikit-learn eps="auto") instead of returning Infinity', () => {
    expect(logLoss([1], [0])).toBeCloseTo(-Math.log(Number.EPSILON), 9);
  });
});

describe('binaryClassificationMetrics', () => {
  it('computes the confusion matrix, accuracy, precision, recall and F1 at 0.5', () => {
    const m = binaryClassificationMetrics([1, 1, 1, 0, 0, 0, 0, 1], [0.9, 0.6, 0.4, 0.7, 0.2, 0.1, 0.3, 0.5]);
    expect(m.confusion).toEqual({ truePositive: 3, falsePositive: 1, trueNegative: 3, falseNegative: 1 });
    expect(m.accuracy).toBe(0.75);
    expect(m.precision).toBe(0.75);
    expect(m.recall).toBe(0.75);
    expect(m.f1).toBeCloseTo(0.75, 12);
  });

  it('reports undefined ratios as null, never NaN', () => {
    const m = binaryClassificationMetrics([0, 0], [0.1, 0.2]);
    expect(m).toMatchObject({ auc: null, precision: null, recall: null, f1: null, accuracy: 1 });
    expect(JSON.stringify(m)).not.toContain('NaN');
  });
});

describe('rocCurve', () => {
  it('runs from (0,0) to (1,1), one point per distinct score, monotone', () => {
    const points = rocCurve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]);
    expect(points.map(({ fpr, tpr }) => [fpr, tpr])).toEqual([
      [0, 0],
      [0, 0.5],
      [0.5, 0.5],
      [0.5, 1],
      [1, 1],
    ]);
  });

  it('thins long curves to the requested number of points, keeping both ends', () => {
    const labels = Array.from({ length: 1000 }, (_, i) => i % 2);
    const scores = labels.map((l, i) => i / 1000 + l * 0.1);
    const points = rocCurve(labels, scores, 11);
    expect(points).toHaveLength(11);
    expect(points[0]).toMatchObject({ fpr: 0, tpr: 0 });
    expect(points[10]).toMatchObject({ fpr: 1, tpr: 1 });
  });
});
