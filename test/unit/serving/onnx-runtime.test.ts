import type { IoSchema } from '../../../core/catalog/artifacts/io-schema';
import { InvalidArtifact } from '../../../serving/artifacts/artifact-errors';
import { singleFileArtifact } from '../../../serving/artifacts/model-artifacts';
import type { ServedModel } from '../../../serving/runtimes/model-runtime';
import { ONNX_MODEL_FILE, onnxRuntime } from '../../../serving/runtimes/onnx-runtime';
import { LINEAR_10, LOGISTIC_30, linearRegression10, logisticRegression30, namedInputsModel, truncated } from '../../fixtures/artifacts/build-onnx';
import { treeEnsembleClassifier, treeEnsembleRegressor, walkTree, type TreeNode } from '../../fixtures/artifacts/build-tree-ensemble';
import { LINEAR_10_IO, LOGISTIC_30_IO, NAMED_INPUTS_IO } from '../../fixtures/artifacts/io-schemas';
import { bytes, sigmoidByHand, text } from './fixtures';

const load = (model: Uint8Array, ioSchema?: IoSchema) => onnxRuntime.load(singleFileArtifact('s3://bucket/model.onnx', ONNX_MODEL_FILE, model), { ioSchema });
const json = async (model: ServedModel, body: unknown, accept?: string) =>
  JSON.parse(text((await model.invoke(bytes(JSON.stringify(body)), 'application/json', accept)).body)) as { predictions: Record<string, unknown>[] };

/** A deterministic pseudo-random stream, so the rows are varied but the test repeatable. */
function rows(count: number, width: number, seed = 7): number[][] {
  let s = seed;
  const next = () => ((s = (s * 48271) % 2147483647) / 2147483647) * 4 - 1;
  return Array.from({ length: count }, () => Array.from({ length: width }, next));
}

const loaded: ServedModel[] = [];
afterAll(() => Promise.all(loaded.map((m) => m.release())));
const keep = (m: ServedModel) => (loaded.push(m), m);

describe('ONNX runtime: linear models', () => {
  it('scores a packed [batch, 30] logistic regression as σ(w·x + b), row by row against a hand computation', async () => {
    const model = keep(await load(logisticRegression30(), LOGISTIC_30_IO));
    const input = rows(25, 30);
    const { predictions } = await json(model, { instances: input.map((r) => Object.fromEntries(r.map((v, i) => [`f${i + 1}`, v]))) });
    input.forEach((row, i) => {
      const z = row.reduce((acc, v, j) => acc + Math.fround(v) * LOGISTIC_30.weights[j], LOGISTIC_30.bias);
      expect(predictions[i].score).toBeCloseTo(sigmoidByHand(z), 5);
    });
  });

  it('feeds a shaped field as one tensor input (named binding) and answers its array', async () => {
    const model = keep(await load(linearRegression10(), LINEAR_10_IO));
    const { predictions } = await json(model, { instances: [{ features: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1] }, { features: [0, 0, 0, 0, 0, 0, 0, 0, 0, 2] }] });
    expect(predictions[0].score).toBeCloseTo(55.5, 4);
    expect(predictions[1].score).toBeCloseTo(20.5, 4);
    expect(LINEAR_10.bias).toBe(0.5);
  });

  it('feeds one ONNX input per field of mixed types and names each declared output', async () => {
    const model = keep(await load(namedInputsModel(), NAMED_INPUTS_IO));
    const out = await model.invoke(bytes('age,income,region\n40,50000,north\n20,1000,south\n'), 'text/csv', undefined);
    const { predictions } = JSON.parse(text(out.body));
    expect(predictions[0].score).toBeCloseTo(0.5 * 40 + 0.001 * 50000, 3);
    expect(predictions[0].label).toBe(70);
    expect(predictions[1]).toEqual({ score: expect.closeTo(11, 3), label: 11 });
  });

  it('refuses a row that does not fit the schema with a 400 naming row and field', async () => {
    const model = keep(await load(namedInputsModel(), NAMED_INPUTS_IO));
    await expect(
      model.invoke(bytes('{"instances":[{"age":1,"income":2,"region":"north"},{"age":1.5,"income":2,"region":"north"}]}'), 'application/json', undefined),
    ).rejects.toMatchObject({
      status: 400,
      message: "row 2, field 'age': expected an integer (int), got 1.5",
    });
    await expect(model.invoke(bytes('{"age":1,"income":2,"region":"east"}'), 'application/json', undefined)).rejects.toMatchObject({
      status: 400,
      message: expect.stringContaining("field 'region'"),
    });
  });
});

// Two trees over three features and three classes; leaf weights are each tree's vote, so the sums are probabilities.
const TREES: TreeNode[] = [
  { feature: 0, threshold: 0.5, yes: { leaf: [0.5, 0, 0] }, no: { feature: 1, threshold: 2, yes: { leaf: [0, 0.5, 0] }, no: { leaf: [0, 0.1, 0.4] } } },
  { feature: 2, threshold: 10, yes: { feature: 0, threshold: -1, yes: { leaf: [0.2, 0.3, 0] }, no: { leaf: [0.3, 0.2, 0] } }, no: { leaf: [0, 0.1, 0.4] } },
];
const LABELS = ['low', 'mid', 'high'];
const TREE_IO: IoSchema = {
  inputs: [
    { name: 'utilization', type: 'float' },
    { name: 'delinquencies', type: 'int' },
    { name: 'months', type: 'float' },
  ],
  outputs: [{ name: 'output_label', type: 'category' }],
};
const TREE_ROWS = [
  [0, 1, 5],
  [1, 3, 20],
  [0.9, 2, 10],
  [-2, 0, 3],
  [0.5, 7, 11],
  [3, 1, 9.5],
];

function byHand(row: number[]): { label: string; probabilities: Record<string, number> } {
  const sums = [0, 0, 0];
  for (const tree of TREES) walkTree(tree, row).forEach((w, c) => (sums[c] += w));
  const best = sums.indexOf(Math.max(...sums));
  return { label: LABELS[best], probabilities: Object.fromEntries(LABELS.map((l, c) => [l, sums[c]])) };
}

describe('ONNX runtime: concurrent requests (stacked into one run)', () => {
  it('answers each of many concurrent single-row and multi-row requests the same bytes as it alone, and a bad one alone with its 400', async () => {
    const model = keep(await load(logisticRegression30(), LOGISTIC_30_IO));
    const bodies = [1, 1, 3, 1, 2, 1, 1, 1].map((count, k) => ({
      instances: rows(count, 30, 100 + k).map((r) => Object.fromEntries(r.map((v, i) => [`f${i + 1}`, v]))),
    }));
    const alone: string[] = [];
    for (const body of bodies) alone.push(text((await model.invoke(bytes(JSON.stringify(body)), 'application/json', undefined)).body));
    const bad = { instances: [{ f1: 'not a number' }] };
    const together = await Promise.allSettled(
      [...bodies, bad].map(async (body) => text((await model.invoke(bytes(JSON.stringify(body)), 'application/json', undefined)).body)),
    );
    expect(together.slice(0, -1)).toEqual(alone.map((value) => ({ status: 'fulfilled', value })));
    expect(together.at(-1)).toMatchObject({ status: 'rejected', reason: { status: 400 } });
  });
});

describe('ONNX runtime: tree ensembles (ai.onnx.ml)', () => {
  it.each([true, false])('serves a TreeEnsembleClassifier (ZipMap %s) as label + probabilities, matching a hand walk of the trees', async (zipMap) => {
    const model = keep(await load(treeEnsembleClassifier({ features: 3, labels: LABELS, trees: TREES, zipMap }), TREE_IO));
    const { predictions } = await json(model, {
      columns: { utilization: TREE_ROWS.map((r) => r[0]), delinquencies: TREE_ROWS.map((r) => r[1]), months: TREE_ROWS.map((r) => r[2]) },
    });
    expect(predictions).toHaveLength(TREE_ROWS.length);
    TREE_ROWS.forEach((row, i) => {
      const expected = byHand(row);
      expect(predictions[i].label).toBe(expected.label);
      for (const label of LABELS) expect((predictions[i].probabilities as Record<string, number>)[label]).toBeCloseTo(expected.probabilities[label], 6);
    });
  });

  it('answers a classifier as CSV lines label,probability per class', async () => {
    const model = keep(await load(treeEnsembleClassifier({ features: 3, labels: LABELS, trees: TREES, zipMap: true }), TREE_IO));
    const out = await model.invoke(bytes('1,3,20\n'), 'text/csv', 'text/csv');
    expect(out.contentType).toBe('text/csv');
    const [label, ...ps] = text(out.body).trim().split(',');
    expect(label).toBe(byHand([1, 3, 20]).label);
    ps.forEach((p, c) => expect(Number(p)).toBeCloseTo(byHand([1, 3, 20]).probabilities[LABELS[c]], 6));
  });

  it('serves a TreeEnsembleRegressor as a score: base + Σ leaf values', async () => {
    const regression: TreeNode[] = [
      { feature: 1, threshold: 0, yes: { leaf: [-3] }, no: { feature: 0, threshold: 2.5, yes: { leaf: [1.25] }, no: { leaf: [4] } } },
      { feature: 0, threshold: 0, yes: { leaf: [0.5] }, no: { leaf: [-0.75] } },
    ];
    const model = keep(
      await load(treeEnsembleRegressor({ features: 2, trees: regression, base: 10 }), {
        inputs: [
          { name: 'a', type: 'double' },
          { name: 'b', type: 'double' },
        ],
        outputs: [{ name: 'variable', type: 'float' }],
      }),
    );
    const input = [
      [1, 1],
      [3, 1],
      [-1, -1],
      [2.5, 0.1],
    ];
    const { predictions } = await json(model, input);
    input.forEach((row, i) => expect(predictions[i].score).toBeCloseTo(10 + walkTree(regression[0], row)[0] + walkTree(regression[1], row)[0], 5));
  });

  it('derives the fields from the model when no schema is given (x0…x{n-1} for a packed input)', async () => {
    const model = keep(await load(treeEnsembleClassifier({ features: 3, labels: LABELS, trees: TREES, zipMap: true })));
    expect(model.model.inputs.map((f) => f.name)).toEqual(['x0', 'x1', 'x2']);
    const { predictions } = await json(model, [{ x0: 1, x1: 3, x2: 20 }]);
    expect(predictions[0].label).toBe(byHand([1, 3, 20]).label);
  });
});

describe('ONNX runtime: models that cannot be served', () => {
  it('refuses bytes onnxruntime cannot load, and a model that does not match the declared schema', async () => {
    await expect(load(truncated(logisticRegression30()), LOGISTIC_30_IO)).rejects.toThrow(InvalidArtifact);
    await expect(load(truncated(logisticRegression30()), LOGISTIC_30_IO)).rejects.toThrow(/not a loadable ONNX model/);
    await expect(load(logisticRegression30(), { ...LOGISTIC_30_IO, inputs: LOGISTIC_30_IO.inputs.slice(0, 29) })).rejects.toThrow(InvalidArtifact);
  });
});
