import { sampleStandardDeviation } from 'simple-statistics';
import { cellFromText, cellFromValue } from '../../../../core/catalog/datasets/cell-types';
import { ColumnAccumulator, DEFAULT_PROFILE_LIMITS, type ProfileLimits } from '../../../../core/catalog/datasets/column-profile';
import { binOf, HistogramCounter, histogramEdges } from '../../../../core/catalog/datasets/histogram';
import { ReservoirSample } from '../../../../core/catalog/datasets/reservoir-sample';

function column(values: readonly unknown[], limits: ProfileLimits = DEFAULT_PROFILE_LIMITS, name = 'x'): ColumnAccumulator {
  const acc = new ColumnAccumulator(name, limits);
  for (const v of values) acc.add(typeof v === 'string' ? cellFromText(v) : cellFromValue(v));
  return acc;
}

describe('numeric column statistics', () => {
  // The textbook example: mean 5, population std 2, sample std sqrt(32/7).
  const values = [2, 4, 4, 4, 5, 5, 7, 9];

  it('gives exact count, min, max, mean and sample standard deviation', () => {
    const p = column(values).profile();
    expect(p).toMatchObject({ type: 'integer', count: 8, missing: 0, nullable: false, min: 2, max: 9, mean: 5, distinct: 5, categorical: false });
    expect(p.std).toBeCloseTo(Math.sqrt(32 / 7), 12);
  });

  it('gives linearly interpolated quantiles (numpy/R type 7)', () => {
    const q = column(values).profile().quantiles!;
    // index (n-1)p: p01 → 0.07, p05 → 0.35, p25 → 1.75, p50 → 3.5, p75 → 5.25, p95 → 6.65, p99 → 6.93
    expect(q.p01).toBeCloseTo(2.14, 12);
    expect(q.p05).toBeCloseTo(2.7, 12);
    expect(q.p25).toBe(4);
    expect(q.p50).toBe(4.5);
    expect(q.p75).toBe(5.5);
    expect(q.p95).toBeCloseTo(8.3, 12);
    expect(q.p99).toBeCloseTo(8.86, 12);
  });

  it('counts a 20-bin equal-width histogram over [min, max]', () => {
    const h = column(values).profile().histogram!;
    expect(h.edges).toHaveLength(21);
    expect(h.edges[0]).toBe(2);
    expect(h.edges[20]).toBe(9);
    expect(h.edges[1]).toBeCloseTo(2.35, 12);
    const expected = new Array(20).fill(0);
    // width 0.35: 2 → bin 0, 4 → 5.7 → 5, 5 → 8.6 → 8, 7 → 14.3 → 14, 9 (max) → last bin
    expected[0] = 1;
    expected[5] = 3;
    expected[8] = 2;
    expected[14] = 1;
    expected[19] = 1;
    expect(h.counts).toEqual(expected);
  });

  it('counts missing values apart and marks the column nullable', () => {
    const p = column(['1.5', '', 'NA', '2.5', 'null']).profile();
    expect(p).toMatchObject({ type: 'number', count: 2, missing: 3, nullable: true, mean: 2, min: 1.5, max: 2.5 });
    expect(p.histogram!.counts.reduce((a, b) => a + b, 0)).toBe(2);
  });

  it('handles a constant column and a single value', () => {
    expect(column([3, 3, 3]).profile()).toMatchObject({ std: 0, histogram: { edges: [3, 3], counts: [3] }, quantiles: { p01: 3, p50: 3, p99: 3 } });
    expect(column([7]).profile()).toMatchObject({ count: 1, mean: 7, std: 0 });
  });

  it('agrees with simple-statistics on a larger sample (Welford in one pass)', () => {
    const xs = Array.from({ length: 5000 }, (_, i) => 1e6 + Math.sin(i) * 1000 + (i % 7));
    const p = column(xs).profile();
    expect(p.mean).toBeCloseTo(xs.reduce((a, b) => a + b, 0) / xs.length, 6);
    expect(p.std).toBeCloseTo(sampleStandardDeviation(xs), 6);
    expect(p.quantilesEstimated).toBe(false);
  });
});

describe('histogram placement', () => {
  it('puts a value equal to an inner edge into the bin that starts there, and max into the last bin', () => {
    const edges = histogramEdges(0, 1, 2);
    expect(edges).toEqual([0, 0.5, 1]);
    expect([0, 0.49, 0.5, 1].map((v) => binOf(edges, v))).toEqual([0, 0, 1, 1]);
    const counter = new HistogramCounter(histogramEdges(0, 10, 5));
    for (const v of [0, 2, 4, 6, 8, 10]) counter.add(v);
    expect(counter.result().counts).toEqual([1, 1, 1, 1, 2]);
  });
});

describe('categorical and boolean columns', () => {
  it('treats a string column with few, repeated values as categorical, with top categories', () => {
    const p = column(['a', 'b', 'a', 'c', 'a', 'b']).profile();
    expect(p).toMatchObject({ type: 'string', categorical: true, distinct: 3, otherCount: 0 });
    expect(p.topCategories).toEqual([
      { value: 'a', count: 3 },
      { value: 'b', count: 2 },
      { value: 'c', count: 1 },
    ]);
    expect(p.mean).toBeUndefined();
  });

  it('does not treat identifiers as categories', () => {
    const p = column(Array.from({ length: 10 }, (_, i) => `id-${i}`)).profile();
    expect(p).toMatchObject({ type: 'string', categorical: false, distinct: 10 });
    expect(p.topCategories).toBeUndefined();
  });

  it('keeps the top N and counts the rest as other (ties by value)', () => {
    const values = [...'aaaabbbccd'];
    const p = column(values, { ...DEFAULT_PROFILE_LIMITS, topCategories: 2 }).profile();
    expect(p.topCategories).toEqual([
      { value: 'a', count: 4 },
      { value: 'b', count: 3 },
    ]);
    expect(p.otherCount).toBe(3);
  });

  it('stops counting distinct values past the limit (bounded memory) and is then not categorical', () => {
    const p = column(
      Array.from({ length: 30 }, (_, i) => `v${i % 12}`),
      { ...DEFAULT_PROFILE_LIMITS, distinctLimit: 10 },
    ).profile();
    expect(p.distinct).toBeUndefined();
    expect(p.categorical).toBe(false);
  });

  it('counts booleans as categories', () => {
    const p = column(['true', 'FALSE', 'true']).profile();
    expect(p).toMatchObject({
      type: 'boolean',
      topCategories: [
        { value: 'true', count: 2 },
        { value: 'false', count: 1 },
      ],
    });
  });

  it('reports a datetime column’s range as ISO instants', () => {
    const p = column(['2024-03-01', '2023-12-31T23:00:00Z', '2024-01-15T08:30:00+01:00']).profile();
    expect(p).toMatchObject({ type: 'datetime', min: '2023-12-31T23:00:00.000Z', max: '2024-03-01T00:00:00.000Z' });
  });
});

describe('beyond the reservoir', () => {
  const small: ProfileLimits = { ...DEFAULT_PROFILE_LIMITS, reservoirCapacity: 10 };

  it('keeps exact moments but marks quantiles as estimates and asks for a histogram pass', () => {
    const acc = column(
      Array.from({ length: 1000 }, (_, i) => i + 1),
      small,
    );
    expect(acc.needsHistogramPass).toBe(true);
    expect(() => acc.profile()).toThrow(/histogram pass/);
    const edges = acc.histogramEdges()!;
    const counter = new HistogramCounter(edges);
    for (let i = 1; i <= 1000; i++) counter.add(i);
    const p = acc.profile(counter.result());
    expect(p).toMatchObject({ count: 1000, min: 1, max: 1000, mean: 500.5, quantilesEstimated: true });
    expect(p.histogram!.counts.reduce((a, b) => a + b, 0)).toBe(1000);
    // An estimate from 10 sampled values still lies within the data.
    expect(p.quantiles!.p50).toBeGreaterThanOrEqual(1);
    expect(p.quantiles!.p50).toBeLessThanOrEqual(1000);
  });

  it('samples deterministically and uniformly enough to estimate the median', () => {
    const a = new ReservoirSample(1000, 42);
    const b = new ReservoirSample(1000, 42);
    for (let i = 0; i < 100_000; i++) {
      a.add(i);
      b.add(i);
    }
    expect(Array.from(a.sorted())).toEqual(Array.from(b.sorted()));
    expect(a.complete).toBe(false);
    const sorted = a.sorted();
    // The sample median of a uniform sample of 1,000 from 0..99,999 is within a few percent of 50,000.
    expect(Math.abs(sorted[500] - 50_000)).toBeLessThan(5_000);
  });
});
