import * as ort from 'onnxruntime-node';
import { loadOnnxSession, nativeBindingFor, type OnnxSession } from '../../../serving/runtimes/onnx-native-session';
import { logisticRegression30, namedInputsModel } from '../../fixtures/artifacts/build-onnx';
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
    ['a tree ensemble classifier (ai.onnx.ml, ZipMap off)', treeEnsembleClassifier({ features: 3, labels: ['a', 'b', 'c'], trees: TREES, zipMap: false }), (n: number) => ({ input: new ort.Tensor('float32', seeded(n * 3), [n, 3]) })],
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
    const alone = await Promise.all(rows.map(async (row) => (await direct.run({ [input]: new ort.Tensor('float32', row, [1, 30]) }, fetches))[direct.outputMetadata[0].name].data[0]));
    const order: string[] = [];
    const together = await Promise.allSettled([
      direct.run({ [input]: new ort.Tensor('float32', rows[0], [1, 30]) }, fetches).then((out) => (order.push('first'), out)),
      direct.run({}, fetches),
      direct.run({ [input]: new ort.Tensor('float32', rows[1], [1, 30]) }, fetches).then((out) => (order.push('third'), out)),
      direct.run({ [input]: new ort.Tensor('float32', rows[2], [1, 30]) }, fetches),
    ]);
    expect(together.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    const values = together.filter((r) => r.status === 'fulfilled').map((r) => (r).value[direct.outputMetadata[0].name].data[0]);
    expect(values).toEqual(alone);
    expect(order).toEqual(['first', 'third']);
  });

  it('goes through the public API when execution providers are named (their validation is the package’s), and releases once', async () => {
    const session = await loadOnnxSession(ort, logisticRegression30(), { ...OPTIONS, executionProviders: ['cpu'] });
    const out = await session.run({ [session.inputMetadata[0].name]: new ort.Tensor('float32', seeded(30), [1, 30]) }, { [session.outputMetadata[0].name]: null });
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
