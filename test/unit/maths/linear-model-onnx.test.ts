import * as ort from 'onnxruntime-node';
import type { IoSchema } from '../../../core/catalog/artifacts/io-schema';
import { inspectOnnx } from '../../../core/catalog/artifacts/onnx-inspection';
import { validateArtifact } from '../../../core/catalog/artifacts/validate-artifact';
import { ValidationFailed } from '../../../core/errors';
import { linearScore, sigmoid } from '../../../core/maths/linear-model';
import { exportLinearModelToOnnx, type LinearOnnxSpec } from '../../../core/maths/onnx/linear-model-onnx';
import { scoreWithOnnx } from '../../../core/pipelines/onnx-scoring';
import { seededRandom } from '../../../core/maths/seeded-random';

const center = [10, -2, 300];
const scale = [2, 0.5, 120];
const coefficients = [1.2, -0.7, 0.05];
const intercept = -0.3;
const fit = { intercept, coefficients, scaling: { center, scale } };

const logistic = (outputs: LinearOnnxSpec['outputs'], inputName = 'features'): Uint8Array =>
  exportLinearModelToOnnx({ kind: 'logistic', inputName, center, scale, coefficients, intercept, outputs });

async function run(
  bytes: Uint8Array,
  rows: number[][],
  inputName = 'features',
): Promise<Record<string, { type: string; dims: readonly number[]; values: number[] }>> {
  const session = await ort.InferenceSession.create(bytes, { logSeverityLevel: 4 });
  try {
    const data = Float32Array.from(rows.flat());
    const out = await session.run({ [inputName]: new ort.Tensor('float32', data, [rows.length, rows[0].length]) });
    return Object.fromEntries(
      Object.entries(out).map(([name, t]) => [
        name,
        { type: t.type, dims: t.dims, values: Array.from(t.data as ArrayLike<number | bigint | boolean>, (v) => Number(v)) },
      ]),
    );
  } finally {
    await session.release();
  }
}

function randomRows(count: number, seed = 7): number[][] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => center.map((c, j) => c + (random() - 0.5) * 6 * scale[j]));
}

describe('exportLinearModelToOnnx', () => {
  it('exports a logistic regression whose probabilities and labels match the trained model', async () => {
    const bytes = logistic([
      { name: 'probability', role: 'score', elementType: 'float32', rank: 2 },
      { name: 'label', role: 'label', elementType: 'int64', rank: 2 },
      { name: 'is_positive', role: 'label', elementType: 'bool', rank: 1 },
      { name: 'p64', role: 'score', elementType: 'float64', rank: 1 },
    ]);
    const rows = randomRows(200);
    const out = await run(bytes, rows);
    expect(out.probability).toMatchObject({ type: 'float32', dims: [200, 1] });
    expect(out.label).toMatchObject({ type: 'int64', dims: [200, 1] });
    expect(out.is_positive).toMatchObject({ type: 'bool', dims: [200] });
    expect(out.p64).toMatchObject({ type: 'float64', dims: [200] });
    rows.forEach((row, i) => {
      const expected = sigmoid(linearScore(fit, row));
      expect(out.probability.values[i]).toBeCloseTo(expected, 5);
      expect(out.p64.values[i]).toBeCloseTo(expected, 5);
      // The label is the probability thresholded at 0.5, computed on the logit (exact at the boundary).
      if (Math.abs(expected - 0.5) > 1e-5) expect(out.label.values[i]).toBe(expected >= 0.5 ? 1 : 0);
      expect(out.is_positive.values[i]).toBe(out.label.values[i]);
    });
    expect(new Set(out.label.values)).toEqual(new Set([0, 1]));
  });

  it('exports least squares, scoring exactly what the fit predicts', async () => {
    const bytes = exportLinearModelToOnnx({
      kind: 'linear',
      inputName: 'x',
      center,
      scale,
      coefficients: [3, 2, -1],
      intercept: 40,
      outputs: [{ name: 'prediction', role: 'score', elementType: 'float32', rank: 2 }],
    });
    const rows = randomRows(50, 3);
    const scores = await scoreWithOnnx(bytes, rows, { inputName: 'x', outputName: 'prediction' });
    rows.forEach((row, i) => expect(scores[i]).toBeCloseTo(linearScore({ intercept: 40, coefficients: [3, 2, -1], scaling: { center, scale } }, row), 3));
  });

  it('passes the catalog’s artifact check with a packed schema (one column per declared input)', async () => {
    const io: IoSchema = {
      inputs: [
        { name: 'a', type: 'float' },
        { name: 'b', type: 'double' },
        { name: 'c', type: 'int' },
      ],
      outputs: [
        { name: 'probability', type: 'float' },
        { name: 'label', type: 'long' },
      ],
    };
    const bytes = logistic([
      { name: 'probability', role: 'score', elementType: 'float32', rank: 2 },
      { name: 'label', role: 'label', elementType: 'int64', rank: 2 },
    ]);
    const validated = await validateArtifact({ format: 'onnx', bytes, ioSchema: io });
    expect(validated.format).toBe('onnx');
    expect(validated.summary).toMatchObject({ binding: { kind: 'packed', onnxInput: 'features', fields: ['a', 'b', 'c'] } });
    expect(await inspectOnnx(bytes)).toMatchObject({ inputs: [{ name: 'features', elementType: 'float32', dims: ['batch', 3] }] });
  });

  it('passes the catalog’s artifact check with a tensor schema ([batch, n] input by name, [batch] output)', async () => {
    const io: IoSchema = { inputs: [{ name: 'x', type: 'float', shape: [-1, 3] }], outputs: [{ name: 'score', type: 'double', shape: [-1] }] };
    const bytes = logistic([{ name: 'score', role: 'score', elementType: 'float64', rank: 1 }], 'x');
    const validated = await validateArtifact({ format: 'onnx', bytes, ioSchema: io });
    expect(validated.summary).toMatchObject({ binding: { kind: 'named', inputs: [{ field: 'x', onnxInput: 'x' }] } });
  });

  it('is deterministic: the same model gives the same bytes', () => {
    const outputs = [{ name: 'probability', role: 'score', elementType: 'float32', rank: 2 }] as const;
    expect(Buffer.from(logistic(outputs)).equals(Buffer.from(logistic(outputs)))).toBe(true);
  });

  it.each([
    [{ outputs: [{ name: 'label', role: 'label', elementType: 'int64', rank: 2 }], kind: 'linear' }, "output 'label': only a logistic model has a label"],
    [{ outputs: [{ name: 'features', role: 'score', elementType: 'float32', rank: 2 }] }, "the value name 'features' is used twice"],
    [{ outputs: [] }, 'no outputs'],
    [{ scale: [1, 0, 1] }, 'a scale is not positive'],
    [{ coefficients: [1, Number.NaN, 2] }, 'a parameter is not a finite number'],
    [{ center: [1, 2] }, 'center/scale have 2/3 values for 3 coefficients'],
  ])('refuses %j', (overrides, problem) => {
    const spec = {
      kind: 'logistic',
      inputName: 'features',
      center,
      scale,
      coefficients,
      intercept,
      outputs: [{ name: 'p', role: 'score', elementType: 'float32', rank: 2 }],
      ...overrides,
    } as LinearOnnxSpec;
    expect(() => exportLinearModelToOnnx(spec)).toThrow(new ValidationFailed(`cannot export the model as ONNX: ${problem}`));
  });
});
