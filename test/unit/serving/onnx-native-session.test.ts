import * as ort from 'onnxruntime-node';
import { loadOnnxSession, type OnnxSession } from '../../../serving/runtimes/onnx-native-session';
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
  ])('describes and answers %s exactly as the public InferenceSession, synchronously', async (_name, model, feedsOf) => {
    const { direct, reference } = await both(model);
    expect(direct.inputMetadata).toEqual(reference.inputMetadata);
    expect(direct.outputMetadata).toEqual(reference.outputMetadata);
    const [input] = reference.inputNames;
    const tensorOutputs = reference.outputMetadata.filter((o) => o.isTensor).map((o) => o.name);
    for (const rows of [1, 7]) {
      const feeds = { [input]: feedsOf(rows).input };
      const ran = direct.run(feeds, Object.fromEntries(tensorOutputs.map((name) => [name, null])));
      // The native call answers at once: no setImmediate, no promise.
      expect(ran).not.toBeInstanceOf(Promise);
      const answered = ran as Awaited<typeof ran>;
      const expected = await reference.run(feeds, tensorOutputs);
      for (const name of tensorOutputs) {
        expect(answered[name].type).toBe(expected[name].type);
        expect(answered[name].dims).toEqual(expected[name].dims);
        expect(Array.from(answered[name].data as ArrayLike<unknown>)).toEqual(Array.from(expected[name].data as ArrayLike<unknown>));
      }
    }
  });

  it('names symbolic dimensions as the public session does, and throws onnxruntime’s own error for a bad feed', async () => {
    const { direct, reference } = await both(namedInputsModel());
    expect(direct.inputMetadata).toEqual(reference.inputMetadata);
    expect(() => direct.run({}, { [reference.outputNames[0]]: null })).toThrow();
  });

  it('goes through the public API when execution providers are named (their validation is the package’s), and releases once', async () => {
    const session = await loadOnnxSession(ort, logisticRegression30(), { ...OPTIONS, executionProviders: ['cpu'] });
    const ran = session.run({ [session.inputMetadata[0].name]: new ort.Tensor('float32', seeded(30), [1, 30]) }, { [session.outputMetadata[0].name]: null });
    expect(ran).toBeInstanceOf(Promise);
    await ran;
    await session.release();
    const direct = await loadOnnxSession(ort, logisticRegression30(), OPTIONS);
    await direct.release();
    await expect(direct.release()).resolves.toBeUndefined();
  });
});
