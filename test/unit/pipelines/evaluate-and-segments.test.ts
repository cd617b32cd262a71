import { ValidationFailed } from '../../../core/errors';
import { scoreReader, targetLabels } from '../../../core/pipelines/evaluate-version';
import { segmentModelName } from '../../../core/pipelines/segment-request';
import { summarizeSegments, type SegmentOutcome } from '../../../core/pipelines/segment-run-records';

describe('evaluate: labels and scores from what a runtime answers', () => {
  const plan = { task: 'auto' as const, target: 'outcome' };

  it('reads 0/1 and true/false targets as binary, numbers as regression, and a named class as its positive', () => {
    expect(targetLabels(['0', '1', '1'], plan)).toEqual({ task: 'binary', y: [0, 1, 1] });
    expect(targetLabels(['TRUE', 'false'], plan)).toEqual({ task: 'binary', y: [1, 0] });
    expect(targetLabels(['1.5', '2'], plan)).toEqual({ task: 'regression', y: [1.5, 2] });
    expect(targetLabels(['yes', 'no', 'yes'], { ...plan, positiveClass: 'yes' })).toEqual({ task: 'binary', y: [1, 0, 1] });
    expect(() => targetLabels(['yes', 'no'], plan)).toThrow(ValidationFailed);
    expect(() => targetLabels(['0', ''], plan)).toThrow(/row 2 has no 'outcome'/);
    expect(() => targetLabels(['0', '2'], { ...plan, task: 'binary' })).toThrow(/0\/1 labels/);
  });

  it('takes a classifier’s positive-class probability, a named output, the score, or the only number — and asks when it cannot tell', () => {
    expect(scoreReader({ label: 'b', probabilities: { a: 0.2, b: 0.8 } }, {})({ label: 'a', probabilities: { a: 0.7, b: 0.3 } })).toBe(0.3);
    expect(scoreReader({ label: '1', probabilities: { '0': 0.4, '1': 0.6 } }, {})({ label: '1', probabilities: { '0': 0.4, '1': 0.6 } })).toBe(0.6);
    expect(() => scoreReader({ label: 'x', probabilities: { x: 0.5, y: 0.3, z: 0.2 } }, {})).toThrow(/name the positive one/);
    expect(
      scoreReader({ score: 610, bad_probability: 0.1, reasons: [] }, { scoreOutput: 'bad_probability' })({ score: 500, bad_probability: 0.4, reasons: [] }),
    ).toBe(0.4);
    expect(scoreReader({ score: 3 }, {})({ score: 4 })).toBe(4);
    expect(scoreReader({ prediction: 2, decision: 'ok' }, {})({ prediction: 5, decision: 'no' })).toBe(5);
    expect(() => scoreReader({ score: 'high', a: 1, b: 2 }, {})).toThrow(/scoreOutput/);
  });
});

describe('segments', () => {
  it('names a segment’s model <family>.<value> in the catalog’s alphabet', () => {
    expect(segmentModelName('demand', 'store-17')).toBe('demand.store-17');
    expect(segmentModelName('demand', 'São Paulo / 2')).toBe('demand.S-o-Paulo---2');
    expect(segmentModelName('d', 'x'.repeat(200))).toHaveLength(100);
  });

  it('summarizes outcomes: counts, verdicts and the headline metric over trained segments only', () => {
    const outcome = (index: number, extra: Partial<SegmentOutcome>): SegmentOutcome => ({
      index,
      value: `s${index}`,
      rows: 20,
      outcome: 'trained',
      durationMs: 10,
      at: '2026-12-06T00:00:00Z',
      ...extra,
    });
    const { summary } = summarizeSegments(
      { runId: 'r', family: 'f', segmentColumn: 'store', task: 'regression' },
      [
        outcome(0, { status: 'pending-approval', metrics: { r2: 0.9 }, trainingMs: 3 }),
        outcome(1, { status: 'approved', metrics: { r2: 0.7 }, trainingMs: 5 }),
        outcome(2, { outcome: 'skipped', reason: 'few rows', durationMs: 0 }),
        outcome(3, { outcome: 'failed', reason: 'TrainingFailed: singular', metrics: { r2: -5 } }),
      ],
      'k',
    );
    expect(summary).toMatchObject({
      segments: 4,
      trained: 2,
      skipped: 1,
      failed: 1,
      statuses: { 'pending-approval': 1, approved: 1 },
      trainingMs: 8,
      stepMs: 30,
    });
    expect(summary.metric.name).toBe('r2');
    expect(summary.metric.mean).toBeCloseTo(0.8, 12);
    expect(summary.metric.min).toBe(0.7);
  });
});
