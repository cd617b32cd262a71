import fc from 'fast-check';
import { calibrationBins } from '../../../core/evaluation/calibration-bins';
import { averagePrecision, precisionRecallCurve, rocCurvePoints } from '../../../core/evaluation/classification-curves';
import { brierScore, rocAuc } from '../../../core/evaluation/classification-metrics';
import { attributeFairness } from '../../../core/evaluation/fairness-metrics';
import { residualHistogram } from '../../../core/evaluation/residual-histogram';

/** Labelled rows with both classes present; scores on a coarse grid so ties are common. */
const labelledScores = fc
  .array(fc.record({ label: fc.integer({ min: 0, max: 1 }), score: fc.integer({ min: 0, max: 20 }).map((v) => v / 20) }), { minLength: 2, maxLength: 80 })
  .filter((rows) => rows.some((r) => r.label === 1) && rows.some((r) => r.label === 0));

const split = (rows: { label: number; score: number }[]) => ({ labels: rows.map((r) => r.label), scores: rows.map((r) => r.score) });

describe('metric invariants (fast-check)', () => {
  it('ROC AUC lies in [0, 1], and swapping the classes gives 1 − AUC', () => {
    fc.assert(
      fc.property(labelledScores, (rows) => {
        const { labels, scores } = split(rows);
        const auc = rocAuc(labels, scores) as number;
        expect(auc).toBeGreaterThanOrEqual(0);
        expect(auc).toBeLessThanOrEqual(1);
        expect(
          rocAuc(
            labels.map((l) => 1 - l),
            scores,
          ),
        ).toBeCloseTo(1 - auc, 12);
      }),
    );
  });

  it('negating the scores also gives 1 − AUC; a monotone transform of the scores leaves it unchanged', () => {
    fc.assert(
      fc.property(labelledScores, (rows) => {
        const { labels, scores } = split(rows);
        const auc = rocAuc(labels, scores) as number;
        expect(
          rocAuc(
            labels,
            scores.map((s) => -s),
          ),
        ).toBeCloseTo(1 - auc, 12);
        expect(
          rocAuc(
            labels,
            scores.map((s) => Math.exp(3 * s) + 7),
          ),
        ).toBeCloseTo(auc, 12);
      }),
    );
  });

  it('the ROC curve runs from (0, 0) to (1, 1), never decreasing, and its trapezoid area is the AUC', () => {
    fc.assert(
      fc.property(labelledScores, (rows) => {
        const { labels, scores } = split(rows);
        const points = rocCurvePoints(labels, scores);
        expect(points[0]).toMatchObject({ fpr: 0, tpr: 0 });
        expect(points.at(-1)).toMatchObject({ fpr: 1, tpr: 1 });
        let area = 0;
        for (let k = 1; k < points.length; k++) {
          expect(points[k].fpr).toBeGreaterThanOrEqual(points[k - 1].fpr);
          expect(points[k].tpr).toBeGreaterThanOrEqual(points[k - 1].tpr);
          area += ((points[k].fpr - points[k - 1].fpr) * (points[k].tpr + points[k - 1].tpr)) / 2;
        }
        expect(area).toBeCloseTo(rocAuc(labels, scores) as number, 12);
      }),
    );
  });

  it('precision-recall: recall never increases along the curve, ends at (recall 0, precision 1); average precision lies in [0, 1]', () => {
    fc.assert(
      fc.property(labelledScores, (rows) => {
        const { labels, scores } = split(rows);
        const points = precisionRecallCurve(labels, scores);
        for (let k = 1; k < points.length; k++) expect(points[k].recall).toBeLessThanOrEqual(points[k - 1].recall);
        expect(points[0].recall).toBe(1);
        expect(points.at(-1)).toEqual({ precision: 1, recall: 0, threshold: null });
        const ap = averagePrecision(labels, scores) as number;
        expect(ap).toBeGreaterThanOrEqual(0);
        expect(ap).toBeLessThanOrEqual(1 + 1e-12);
      }),
    );
  });

  it('a perfect ranking has AUC 1 and average precision 1', () => {
    fc.assert(
      fc.property(labelledScores, (rows) => {
        const { labels } = split(rows);
        const perfect = labels.map((l, i) => l + i * 1e-6);
        expect(rocAuc(labels, perfect)).toBe(1);
        expect(averagePrecision(labels, perfect)).toBeCloseTo(1, 12);
      }),
    );
  });

  it("calibration bins count every row once, and a bin's mean prediction lies within its edges", () => {
    fc.assert(
      fc.property(labelledScores, fc.integer({ min: 1, max: 15 }), (rows, n) => {
        const { labels, scores } = split(rows);
        const bins = calibrationBins(labels, scores, n);
        expect(bins).toHaveLength(n);
        expect(bins.reduce((s, b) => s + b.count, 0)).toBe(rows.length);
        for (const b of bins)
          if (b.meanPredicted !== null) {
            expect(b.meanPredicted).toBeGreaterThanOrEqual(b.lower - 1e-12);
            expect(b.meanPredicted).toBeLessThanOrEqual(b.upper + 1e-12);
          }
      }),
    );
  });

  it('Brier score lies in [0, 1] and is 0 only for certain, correct predictions', () => {
    fc.assert(
      fc.property(labelledScores, (rows) => {
        const { labels, scores } = split(rows);
        const brier = brierScore(labels, scores);
        expect(brier).toBeGreaterThanOrEqual(0);
        expect(brier).toBeLessThanOrEqual(1);
        expect(brierScore(labels, labels)).toBe(0);
      }),
    );
  });

  it('residual histogram counts residuals a few subnormals apart (fast-check found [0, -5e-324] uncounted)', () => {
    const h = residualHistogram([0, 0], [0, 5e-324], 1);
    expect(h.counts).toEqual([2]);
    expect(residualHistogram([0, 0, 0], [0, 5e-324, 1e-323], 3).counts.reduce((s, c) => s + c, 0)).toBe(3);
  });

  it('residual histogram counts every residual once, over edges from the smallest to the largest', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.double({ min: -1e6, max: 1e6, noNaN: true })), { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 1, max: 30 }),
        (pairs, bins) => {
          const truth = pairs.map((p) => p[0]);
          const predicted = pairs.map((p) => p[1]);
          const h = residualHistogram(truth, predicted, bins);
          expect(h.counts.reduce((s, c) => s + c, 0)).toBe(pairs.length);
          const residuals = truth.map((t, i) => t - predicted[i]);
          expect(h.edges[0]).toBeLessThanOrEqual(Math.min(...residuals));
          expect(h.edges.at(-1)).toBeGreaterThanOrEqual(Math.max(...residuals));
        },
      ),
    );
  });

  it('fairness: a group-blind relabelling of the groups changes nothing; disparate impact ≤ 1; parity difference ≥ 0', () => {
    fc.assert(
      fc.property(
        labelledScores.chain((rows) =>
          fc.tuple(fc.constant(rows), fc.array(fc.constantFrom('a', 'b', 'c'), { minLength: rows.length, maxLength: rows.length })),
        ),
        ([rows, groups]) => {
          const { labels, scores } = split(rows);
          const f = attributeFairness('g', labels, scores, groups);
          const renamed = attributeFairness(
            'g',
            labels,
            scores,
            groups.map((g) => `group-${g}`),
          );
          expect(renamed.demographicParityDifference).toBe(f.demographicParityDifference);
          expect(renamed.disparateImpactRatio).toBe(f.disparateImpactRatio);
          expect(renamed.equalOpportunityDifference).toBe(f.equalOpportunityDifference);
          expect(f.demographicParityDifference).toBeGreaterThanOrEqual(0);
          if (f.disparateImpactRatio !== null) expect(f.disparateImpactRatio).toBeLessThanOrEqual(1);
          expect(f.groups.reduce((s, g) => s + g.count, 0)).toBe(rows.length);
        },
      ),
    );
  });

  it('fairness: one group only means parity (difference 0, ratio 1 when anyone is selected)', () => {
    const f = attributeFairness('g', [1, 0, 1], [0.9, 0.8, 0.1], ['x', 'x', 'x']);
    expect(f.demographicParityDifference).toBe(0);
    expect(f.disparateImpactRatio).toBe(1);
    expect(f.equalOpportunityDifference).toBeNull();
  });

  it('fairness: a named reference group is the one every ratio is taken against', () => {
    const f = attributeFairness('sex', [1, 1, 0, 0, 1, 0], [0.9, 0.8, 0.7, 0.1, 0.9, 0.2], ['m', 'm', 'm', 'f', 'f', 'f'], { reference: 'f' });
    expect(f.reference).toBe('f');
    expect(f.referenceRule).toBe('given');
    const m = f.groups.find((g) => g.value === 'm');
    expect(m?.selectionRateRatio).toBeCloseTo(1 / (1 / 3), 12);
    expect(() => attributeFairness('sex', [1], [0.9], ['m'], { reference: 'x' })).toThrow(/no group 'x'/);
  });
});
