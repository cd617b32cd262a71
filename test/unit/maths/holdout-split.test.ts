import { holdoutSplit } from '../../../core/maths/holdout-split';

describe('holdoutSplit', () => {
  it('partitions every row exactly once, reproducibly from the seed', () => {
    const a = holdoutSplit(100, { fraction: 0.25, seed: 42 });
    expect(a.holdout).toHaveLength(25);
    expect([...a.train, ...a.holdout].sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(holdoutSplit(100, { fraction: 0.25, seed: 42 })).toEqual(a);
    expect(holdoutSplit(100, { fraction: 0.25, seed: 43 }).holdout).not.toEqual(a.holdout);
  });

  it('keeps class proportions when stratified', () => {
    const labels = Array.from({ length: 100 }, (_, i) => (i < 10 ? 1 : 0));
    const split = holdoutSplit(100, { fraction: 0.2, seed: 1, strata: labels });
    expect(split.holdout.filter((i) => labels[i] === 1)).toHaveLength(2);
    expect(split.holdout.filter((i) => labels[i] === 0)).toHaveLength(18);
  });

  it('refuses a fraction outside (0, 1)', () => {
    expect(() => holdoutSplit(10, { fraction: 1, seed: 1 })).toThrow(RangeError);
  });
});
