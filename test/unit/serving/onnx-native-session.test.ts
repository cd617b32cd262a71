import * as ort from 'onnxruntime-node';
import { loadOnnxSession, nativeBindingFor, type OnnxSession } from '../../../serving/runtimes/onnx-native-session';
import { batchCenteringModel, batchTotalModel, fixedBatchModel, logisticRegression30, namedInputsModel } from '../../fixtures/artifacts/build-onnx';
import { treeEnsembleClassifier, type TreeNode } from '../../fixtures/artifacts/build-tree-ensemble';

/**
 * The ONNX runtime adapter's session: onnxruntime-node's native run called
 * directly, which must load, describe and answer exactly as the package's
 * public InferenceSession does with the same options.
 */
const OPTIONS = { logSeverityLevel: 4, intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential' } as const;
const TREES: TreeNode[] = [
  { feature: 0, threshold: 0.5, yes: { leaf: [0.5, 0, 0] }, no: { feature: 1, threshold: 2, yes: { leaf: [0, 0.5, 0] }, no: { leaf: [0, 0.1, 0.4] } } },
  { feature: 2, threshold: 10, yes: { leaf: [0.2, 0.3, 0] }, no: { leaf: [0, 0.1, 0.4] } },
];

const opened: (OnnxSession | ort.InferenceSession)[] = [];
afterAll(() => Promise.all(opened.map((s) => s.release())));

async function both(model: Uint8Array): Promise<{ direct: OnnxSession; reference: ort.InferenceSession }> {
  const direct = await loadOnnxSession(ort, model, OPTIONS);
  const reference = await ort.InferenceSession.create(model, OPTIONS);
  opened.push(direct, reference);
  return { direct, reference };
}

function seeded(count: number, seed = 11): Float32Array {
  let s = seed;
  return Float32Array.from({ length: count }, () => ((s = (s * 48271) % 2147483647) / 2147483647) * 6 - 3);
}

describe('loadOnnxSession', () => {
  it.each([
    ['a packed [batch, 30] logistic regression', logisticRegression30(), (n: number) => ({ input: new ort.Tensor('float32', seeded(n * 30), [n, 30]) })],
    [
      'a tree ensemble classifier (ai.onnx.ml, ZipMap off)',
      treeEnsembleClassifier({ features: 3, labels: ['a', 'b', 'c'], trees: TREES, zipMap: false }),
      (n: number) => ({ input: new ort.Tensor('float32', seeded(n * 3), [n, 3]) }),
    ],
  ])('describes and answers %s exactly as the public InferenceSession', async (_name, model, feedsOf) => {
    const { direct, reference } = await both(model);
    expect(direct.inputMetadata).toEqual(reference.inputMetadata);
    expect(direct.outputMetadata).toEqual(reference.outputMetadata);
    const [input] = reference.inputNames;
    const tensorOutputs = reference.outputMetadata.filter((o) => o.isTensor).map((o) => o.name);
    for (const rows of [1, 7]) {
      const feeds = { [input]: feedsOf(rows).input };
      const answered = await direct.run(feeds, Object.fromEntries(tensorOutputs.map((name) => [name, null])));
      const expected = await reference.run(feeds, tensorOutputs);
      for (const name of tensorOutputs) {
        expect(answered[name].type).toBe(expected[name].type);
        expect(answered[name].dims).toEqual(expected[name].dims);
        expect(Array.from(answered[name].data as ArrayLike<unknown>)).toEqual(Array.from(expected[name].data as ArrayLike<unknown>));
      }
    }
  });

  it('names symbolic dimensions as the public session does, and rejects with onnxruntime’s own error for a bad feed', async () => {
    const { direct, reference } = await both(namedInputsModel());
    expect(direct.inputMetadata).toEqual(reference.inputMetadata);
    await expect(direct.run({}, { [reference.outputNames[0]]: null })).rejects.toThrow();
  });

  it('runs the calls asked for in one turn back to back, each its own, a failing one failing alone', async () => {
    const { direct } = await both(logisticRegression30());
    const fetches = { [direct.outputMetadata[0].name]: null };
    const input = direct.inputMetadata[0].name;
    const rows = [seeded(30, 1), seeded(30, 2), seeded(30, 3)];
    const alone = await Promise.all(
      rows.map(async (row) => (await direct.run({ [input]: new ort.Tensor('float32', row, [1, 30]) }, fetches))[direct.outputMetadata[0].name].data[0]),
    );
    const order: string[] = [];
    const together = await Promise.allSettled([
      direct.run({ [input]: new ort.Tensor('float32', rows[0], [1, 30]) }, fetches).then((out) => (order.push('first'), out)),
      direct.run({}, fetches),
      direct.run({ [input]: new ort.Tensor('float32', rows[1], [1, 30]) }, fetches).then((out) => (order.push('third'), out)),
      direct.run({ [input]: new ort.Tensor('float32', rows[2], [1, 30]) }, fetches),
    ]);
    expect(together.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    const values = together.filter((r) => r.status === 'fulfilled').map((r) => r.value[direct.outputMetadata[0].name].data[0]);
    expect(values).toEqual(alone);
    expect(order).toEqual(['first', 'third']);
  });

  it('goes through the public API when execution providers are named (their validation is the package’s), and releases once', async () => {
    const session = await loadOnnxSession(ort, logisticRegression30(), { ...OPTIONS, executionProviders: ['cpu'] });
    const out = await session.run(
      { [session.inputMetadata[0].name]: new ort.Tensor('float32', seeded(30), [1, 30]) },
      { [session.outputMetadata[0].name]: null },
    );
    expect(out[session.outputMetadata[0].name].dims).toEqual([1, 1]);
    await session.release();
    const direct = await loadOnnxSession(ort, logisticRegression30(), OPTIONS);
    // A run asked for before the release, which happens before the queued runs: it fails, it does not reach the disposed session.
    const late = direct.run({ [direct.inputMetadata[0].name]: new ort.Tensor('float32', seeded(30), [1, 30]) }, { [direct.outputMetadata[0].name]: null });
    await direct.release();
    await expect(late).rejects.toThrow('the ONNX session was released');
    await expect(direct.release()).resolves.toBeUndefined();
  });

  it('uses the private binding only on the release it was written against (1.30.x), and only when it has the expected shape', () => {
    const binding = { initOrt: () => undefined, binding: { InferenceSession: class {} } };
    expect(nativeBindingFor('1.30.0', () => binding)).toBe(binding);
    expect(nativeBindingFor('1.30.7', () => binding)).toBe(binding);
    // Another release may have changed its private module: the public API is used.
    expect(nativeBindingFor('1.31.0', () => binding)).toBeUndefined();
    expect(nativeBindingFor(undefined, () => binding)).toBeUndefined();
    expect(nativeBindingFor('1.30.1', () => ({ binding: {} }))).toBeUndefined();
    expect(
      nativeBindingFor('1.30.1', () => {
        throw new Error('Cannot find module');
      }),
    ).toBeUndefined();
  });
});

describe('loadOnnxSession with coalescing (concurrent calls stacked into one run)', () => {
  const COALESCE = { maxRows: 16 };
  const load = async (model: Uint8Array) => {
    const session = await loadOnnxSession(ort, model, OPTIONS, COALESCE);
    opened.push(session);
    return session;
  };
  const bits = (data: unknown) => Buffer.from(new Float32Array(Array.from(data as ArrayLike<number>)).buffer).toString('hex');

  it.each([
    ['a packed [batch, 30] logistic regression', logisticRegression30(), 30],
    ['a tree ensemble classifier', treeEnsembleClassifier({ features: 3, labels: ['a', 'b', 'c'], trees: TREES, zipMap: false }), 3],
  ])('answers %s in one native run, each caller its own rows, the same bits as alone', async (_name, model, width) => {
    const session = await load(model);
    expect(session.coalescing).toBe(true);
    const input = session.inputMetadata[0].name;
    const outputs = session.outputMetadata.filter((o) => o.isTensor).map((o) => o.name);
    const fetches = Object.fromEntries(outputs.map((name) => [name, null]));
    const calls = [1, 3, 1, 2, 1].map((rows, i) => new ort.Tensor('float32', seeded(rows * width, 100 + i), [rows, width]));
    const alone: Readonly<Record<string, ort.Tensor>>[] = [];
    for (const feed of calls) alone.push(await session.run({ [input]: feed }, fetches));
    const before = { ...session.counts };
    const together = await Promise.all(calls.map((feed) => session.run({ [input]: feed }, fetches)));
    expect(session.counts.calls - before.calls).toBe(5);
    expect(session.counts.runs - before.runs).toBe(1);
    together.forEach((answer, i) => {
      for (const name of outputs) {
        expect(answer[name].dims).toEqual(alone[i][name].dims);
        expect(answer[name].type).toBe(alone[i][name].type);
        if (answer[name].type === 'float32') expect(bits(answer[name].data)).toBe(bits(alone[i][name].data));
        else expect(Array.from(answer[name].data as ArrayLike<unknown>)).toEqual(Array.from(alone[i][name].data as ArrayLike<unknown>));
      }
    });
  });

  it('stacks no more than maxRows rows a run; a larger call runs alone', async () => {
    const session = await load(logisticRegression30());
    const fetches = { probability: null };
    const before = session.counts.runs;
    await Promise.all([10, 10, 20, 1].map((rows, i) => session.run({ features: new ort.Tensor('float32', seeded(rows * 30, i + 1), [rows, 30]) }, fetches)));
    // 10 | 10 + 1 stacked (21 > 16, so the second 10 starts a run, which the 1 joins) | 20 alone.
    expect(session.counts.runs - before).toBe(3);
  });

  it('keeps one run per call for a model that reads across rows (a batch mean): each caller gets its own answer', async () => {
    const session = await load(batchCenteringModel());
    expect(session.coalescing).toBe(false);
    const rows = [
      [1, 2, 3],
      [10, 20, 30],
      [-4, 0, 4],
    ];
    const answers = await Promise.all(
      rows.map((row) => session.run({ features: new ort.Tensor('float32', Float32Array.from(row), [1, 3]) }, { centered: null })),
    );
    // Alone, a row is its own batch mean: zeros. Stacked with the others it would not be.
    for (const answer of answers) expect(Array.from(answer.centered.data as Float32Array)).toEqual([0, 0, 0]);
    expect(session.counts.runs).toBe(3);
  });

  it('does not coalesce a model whose batch is fixed, or whose output is one value for the whole batch', async () => {
    const fixed = await load(fixedBatchModel());
    expect(fixed.coalescing).toBe(false);
    const answers = await Promise.all(
      [
        [1, 0, 0],
        [0, 1, 0],
      ].map((row) => fixed.run({ features: new ort.Tensor('float32', Float32Array.from(row), [1, 3]) }, { score: null })),
    );
    expect(answers.map((a) => a.score.data[0])).toEqual([1, 2]);
    const total = await load(batchTotalModel());
    expect(total.coalescing).toBe(false);
    const totals = await Promise.all(
      [
        [1, 2, 3],
        [4, 5, 6],
      ].map((row) => total.run({ features: new ort.Tensor('float32', Float32Array.from(row), [1, 3]) }, { total: null })),
    );
    expect(totals.map((a) => a.total.data[0])).toEqual([6, 15]);
  });

  it('fails a call whose feed does not fit the model alone, the calls queued with it answered', async () => {
    const session = await load(logisticRegression30());
    const fetches = { probability: null };
    const good = (seed: number) => session.run({ features: new ort.Tensor('float32', seeded(30, seed), [1, 30]) }, fetches);
    const results = await Promise.allSettled([good(1), session.run({ features: new ort.Tensor('float32', seeded(29, 9), [1, 29]) }, fetches), good(2)]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });
});
