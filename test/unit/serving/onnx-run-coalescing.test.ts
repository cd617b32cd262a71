import {
  probeRowIndependence,
  rowsOf,
  runCoalesced,
  splitOutputs,
  stackable,
  type Feeds,
  type Fetches,
  type Outputs,
} from '../../../serving/runtimes/onnx-run-coalescing';

/**
 * The stacking rules of coalesced ONNX runs, against a model written in
 * TypeScript (each output row is the sum of its input row; a NaN
 * anywhere makes the whole run fail, as an onnxruntime error would).
 */
const FETCHES: Fetches = { total: null };

function feeds(rows: number[][]): Feeds {
  return { x: { type: 'float32', dims: [rows.length, rows[0]?.length ?? 2], data: Float32Array.from(rows.flat()), location: 'cpu' } };
}

function rowSums(calls: Feeds[]): (feeds: Feeds, fetches: Fetches) => Outputs {
  return (f) => {
    calls.push(f);
    const { dims, data } = f.x;
    const width = dims[1];
    const values = data as Float32Array;
    if (values.some((v) => Number.isNaN(v))) throw new Error(`NaN in a run of ${dims[0]} rows`);
    return {
      total: {
        type: 'float32',
        dims: [dims[0], 1],
        data: Float32Array.from({ length: dims[0] }, (_, r) => values.slice(r * width, (r + 1) * width).reduce((a, b) => a + b, 0)),
      },
    };
  };
}

describe('runCoalesced', () => {
  it('stacks runs of the same feeds into one, answers each its own rows, in the order asked', () => {
    const calls: Feeds[] = [];
    const outcomes = runCoalesced(
      rowSums(calls),
      [
        { feeds: feeds([[1, 2]]), fetches: FETCHES },
        {
          feeds: feeds([
            [3, 4],
            [5, 6],
          ]),
          fetches: FETCHES,
        },
        { feeds: feeds([[7, 8]]), fetches: FETCHES },
      ],
      16,
    );
    expect(calls).toHaveLength(1);
    expect(calls[0].x.dims).toEqual([4, 2]);
    expect(outcomes.map((o) => (o.ok ? Array.from(o.outputs.total.data as Float32Array) : o.error))).toEqual([[3], [7, 11], [15]]);
    expect(outcomes.map((o) => (o.ok ? o.outputs.total.dims : []))).toEqual([
      [1, 1],
      [2, 1],
      [1, 1],
    ]);
  });

  it('when a stacked run fails, runs each call alone: the bad one fails with its own error, the others are answered', () => {
    const calls: Feeds[] = [];
    const outcomes = runCoalesced(
      rowSums(calls),
      [
        { feeds: feeds([[1, 2]]), fetches: FETCHES },
        { feeds: feeds([[NaN, 2]]), fetches: FETCHES },
        { feeds: feeds([[7, 8]]), fetches: FETCHES },
      ],
      16,
    );
    expect(calls.map((c) => c.x.dims[0])).toEqual([3, 1, 1, 1]);
    expect(outcomes[0]).toEqual({ ok: true, outputs: { total: expect.objectContaining({ data: Float32Array.from([3]) }) } });
    expect(outcomes[1]).toEqual({ ok: false, error: new Error('NaN in a run of 1 rows') });
    expect(outcomes[2].ok).toBe(true);
  });

  it('never stacks feeds that differ (names, types, widths) or fetches that differ', () => {
    const calls: Feeds[] = [];
    const wide = feeds([[1, 2, 3]]);
    const doubles: Feeds = { x: { ...feeds([[1, 2]]).x, type: 'float64', data: Float64Array.from([1, 2]) } };
    runCoalesced(
      rowSums(calls),
      [
        { feeds: feeds([[1, 2]]), fetches: FETCHES },
        { feeds: wide, fetches: FETCHES },
        { feeds: doubles, fetches: FETCHES },
        { feeds: feeds([[1, 2]]), fetches: { other: null } },
      ],
      16,
    );
    expect(calls).toHaveLength(4);
    expect(
      stackable(
        { feeds: feeds([[1, 2]]), fetches: FETCHES },
        {
          feeds: feeds([
            [5, 6],
            [7, 8],
          ]),
          fetches: { total: null },
        },
      ),
    ).toBe(true);
    expect(stackable({ feeds: feeds([[1, 2]]), fetches: FETCHES }, { feeds: { ...feeds([[5, 6]]), y: feeds([[1, 1]]).x }, fetches: FETCHES })).toBe(false);
    expect(stackable({ feeds: feeds([[1, 2]]), fetches: FETCHES }, { feeds: feeds([[5, 6]]), fetches: { total: null, other: null } })).toBe(false);
  });

  it('takes the rows of a run from the feeds, and refuses to split outputs that are not one entry per row', () => {
    expect(
      rowsOf(
        feeds([
          [1, 2],
          [3, 4],
        ]),
      ),
    ).toBe(2);
    expect(
      rowsOf({ a: { type: 'float32', dims: [2, 1], data: new Float32Array(2) }, b: { type: 'float32', dims: [3, 1], data: new Float32Array(3) } }),
    ).toBeUndefined();
    expect(rowsOf({ a: { type: 'float32', dims: [], data: new Float32Array(1) } })).toBeUndefined();
    expect(splitOutputs({ total: { type: 'float32', dims: [1], data: new Float32Array(1) } }, [1, 1])).toBeUndefined();
    const parts = splitOutputs({ label: { type: 'string', dims: [3], data: ['a', 'b', 'c'] } }, [2, 1])!;
    expect(parts.map((p) => p.label.data)).toEqual([['a', 'b'], ['c']]);
  });
});

describe('probeRowIndependence', () => {
  const input = { name: 'x', isTensor: true, type: 'float32' as const, shape: ['batch', 2] };

  it('passes a model whose rows are independent, and refuses one that reads across rows', () => {
    expect(probeRowIndependence(rowSums([]), [input], ['total'], 8)).toBe(true);
    const meanOfBatch = (f: Feeds): Outputs => {
      const values = f.x.data as Float32Array;
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      return { total: { type: 'float32', dims: [f.x.dims[0], 1], data: Float32Array.from({ length: f.x.dims[0] }, () => mean) } };
    };
    expect(probeRowIndependence(meanOfBatch, [input], ['total'], 8)).toBe(false);
  });

  it('refuses a model that differs in the last bit at one batch size only', () => {
    const sums = rowSums([]);
    const roundsAtFive = (f: Feeds, fetches: Fetches): Outputs => {
      const out = sums(f, fetches);
      if (f.x.dims[0] !== 5) return out;
      const data = Float32Array.from(out.total.data as Float32Array);
      const bits = new Uint32Array(data.buffer);
      bits[4] ^= 1;
      return { total: { ...out.total, data } };
    };
    expect(probeRowIndependence(roundsAtFive, [input], ['total'], 8)).toBe(false);
    expect(probeRowIndependence(roundsAtFive, [input], ['total'], 4)).toBe(true);
  });

  it('refuses inputs it cannot synthesize rows for, and a model that fails', () => {
    const sums = rowSums([]);
    expect(probeRowIndependence(sums, [{ ...input, shape: [1, 2] }], ['total'], 8)).toBe(false);
    expect(probeRowIndependence(sums, [{ ...input, shape: ['batch', 'width'] }], ['total'], 8)).toBe(false);
    expect(probeRowIndependence(sums, [{ ...input, type: 'float16' as const }], ['total'], 8)).toBe(false);
    expect(probeRowIndependence(sums, [{ name: 'm', isTensor: false }], ['total'], 8)).toBe(false);
    expect(
      probeRowIndependence(
        () => {
          throw new Error('no');
        },
        [input],
        ['total'],
        8,
      ),
    ).toBe(false);
  });

  it('does not stack a model whose single-row run takes over a millisecond, and stops probing it after the single rows', () => {
    const calls: Feeds[] = [];
    const sums = rowSums(calls);
    const slow = (f: Feeds, fetches: Fetches): Outputs => {
      const until = performance.now() + 2;
      while (performance.now() < until);
      return sums(f, fetches);
    };
    expect(probeRowIndependence(slow, [input], ['total'], 8)).toBe(false);
    expect(calls.map((c) => c.x.dims[0])).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
  });
});
