import { chooseInputBinding, inspectOnnx, matchOnnxToSchema, smokeRunOnnx, type OnnxSignature } from '../../../../core/catalog/artifacts/onnx-inspection';
import type { IoSchema } from '../../../../core/catalog/artifacts/io-schema';
import {
  LINEAR_10,
  LOGISTIC_30,
  linearRegression10,
  logisticRegression30,
  namedInputsModel,
  truncated,
  unrunnableModel,
} from '../../../fixtures/artifacts/build-onnx';
import { floatFields, LINEAR_10_IO, LOGISTIC_30_IO, NAMED_INPUTS_IO } from '../../../fixtures/artifacts/io-schemas';
import { problemAt, problemsOf } from '../../../fixtures/artifacts/validation-problems';

let logistic: OnnxSignature;
let linear: OnnxSignature;
let named: OnnxSignature;

beforeAll(async () => {
  [logistic, linear, named] = await Promise.all([inspectOnnx(logisticRegression30()), inspectOnnx(linearRegression10()), inspectOnnx(namedInputsModel())]);
});

describe('inspectOnnx', () => {
  it('reads names, element types and dims of a logistic regression', () => {
    expect(logistic).toEqual({
      inputs: [{ name: 'features', isTensor: true, elementType: 'float32', dims: ['batch', 30] }],
      outputs: [{ name: 'probability', isTensor: true, elementType: 'float32', dims: ['batch', 1] }],
    });
  });

  it('reads a model with several inputs and outputs of different types', () => {
    expect(named.inputs.map((i) => [i.name, i.elementType, i.dims])).toEqual([
      ['age', 'float32', ['batch', 1]],
      ['income', 'float32', ['batch', 1]],
      ['region', 'string', ['batch', 1]],
    ]);
    expect(named.outputs.map((o) => [o.name, o.elementType])).toEqual([
      ['score', 'float32'],
      ['region_out', 'string'],
      ['label', 'int64'],
    ]);
  });

  it('reports a truncated file as a ValidationFailed on artifact, not a crash', async () => {
    const problems = await problemsOf(() => inspectOnnx(truncated(logisticRegression30())));
    expect(problems).toHaveLength(1);
    expect(problems[0].field).toBe('artifact');
    expect(problems[0].problem).toMatch(/^not a loadable ONNX model: .*protobuf parsing failed/);
  });

  it.each([
    ['empty', new Uint8Array(0), /the file is empty/],
    ['JSON instead of ONNX', new TextEncoder().encode('{"format":"steward-rules/v1"}'), /protobuf parsing failed/],
    ['a protobuf with no graph', new Uint8Array([0x08, 0x08]), /No graph/],
  ])('reports %s as not loadable', async (_, bytes, reason) => {
    const problems = await problemsOf(() => inspectOnnx(bytes));
    expect(problems).toEqual([{ field: 'artifact', problem: expect.stringMatching(reason) }]);
    expect(problems[0].problem).toMatch(/^not a loadable ONNX model: /);
  });
});

describe('smokeRunOnnx', () => {
  // Σw = 0.01·(1+…+30) = 4.65 and b = -4.65, so a row of ones gives z = 0.
  it('runs the logistic regression on a row of zeros: sigmoid(b)', async () => {
    const run = await smokeRunOnnx(logisticRegression30());
    expect(run.outputs.probability.dims).toEqual([1, 1]);
    expect(run.outputs.probability.values[0]).toBeCloseTo(1 / (1 + Math.exp(4.65)), 6); // ≈ 0.0094710
  });

  it('runs the logistic regression on a row of ones: sigmoid(Σw + b) = sigmoid(0) = 0.5', async () => {
    expect(LOGISTIC_30.weights.reduce((a, b) => a + b, 0)).toBeCloseTo(-LOGISTIC_30.bias, 10);
    const run = await smokeRunOnnx(logisticRegression30(), { fillValue: 1 });
    expect(run.outputs.probability.values[0]).toBeCloseTo(0.5, 6);
  });

  it('runs the linear regression: b on zeros, 2·Σw + b on twos', async () => {
    const zeros = await smokeRunOnnx(linearRegression10());
    expect(zeros.outputs.prediction.values).toEqual([LINEAR_10.bias]); // 0.5
    const twos = await smokeRunOnnx(linearRegression10(), { fillValue: 2 });
    expect(twos.outputs.prediction.values).toEqual([2 * 55 + 0.5]); // 110.5, exact in float32
  });

  it('feeds string inputs and returns int64 outputs as numbers', async () => {
    const run = await smokeRunOnnx(namedInputsModel(), { fillValue: 10 });
    expect(run.outputs.score.values[0]).toBeCloseTo(0.5 * 10 + 0.001 * 10, 5); // 5.01
    expect(run.outputs.label.values).toEqual([5]);
    expect(run.outputs.region_out.values).toEqual(['']);
  });

  it('reports a model that loads but cannot run', async () => {
    await expect(inspectOnnx(unrunnableModel())).resolves.toBeDefined();
    const problems = await problemsOf(() => smokeRunOnnx(unrunnableModel()));
    expect(problems).toEqual([{ field: 'artifact', problem: expect.stringMatching(/^loads but cannot run: .*Reshape/) }]);
    expect(problems[0].problem).not.toContain('/onnxruntime_src/');
  });
});

describe('chooseInputBinding', () => {
  it('packs scalar fields into a single [batch, n] input when no name matches', () => {
    expect(chooseInputBinding(logistic, LOGISTIC_30_IO)).toEqual({ kind: 'packed', onnxInput: 'features', fields: floatFields(30).map((f) => f.name) });
  });

  it('binds by name when a declared input names an ONNX input', () => {
    expect(chooseInputBinding(linear, LINEAR_10_IO)).toEqual({ kind: 'named', inputs: [{ field: 'features', onnxInput: 'features' }] });
    expect(chooseInputBinding(named, NAMED_INPUTS_IO).kind).toBe('named');
  });
});

describe('matchOnnxToSchema', () => {
  const io = (inputs: IoSchema['inputs'], outputs: IoSchema['outputs']): IoSchema => ({ inputs, outputs });

  it('accepts 30 declared float fields packed into the logistic regression', () => {
    expect(matchOnnxToSchema(logistic, LOGISTIC_30_IO)).toEqual([]);
  });

  it('accepts packed int, long and bool fields into a float tensor', () => {
    const fields = floatFields(30).map((f, i) => ({ ...f, type: (['int', 'long', 'bool', 'double'] as const)[i % 4] }));
    expect(matchOnnxToSchema(logistic, io(fields, LOGISTIC_30_IO.outputs))).toEqual([]);
  });

  it('accepts a declared tensor field by name, with its shape', () => {
    expect(matchOnnxToSchema(linear, LINEAR_10_IO)).toEqual([]);
  });

  it('accepts per-feature inputs by name, ignoring extra ONNX outputs', () => {
    expect(matchOnnxToSchema(named, NAMED_INPUTS_IO)).toEqual([]);
    expect(matchOnnxToSchema(named, io(NAMED_INPUTS_IO.inputs, [{ name: 'score', type: 'double' }]))).toEqual([]);
  });

  it('reports a packed width that differs from the number of declared fields', () => {
    const problems = matchOnnxToSchema(logistic, io(floatFields(29), LOGISTIC_30_IO.outputs));
    expect(problems).toEqual([{ field: 'ioSchema.inputs', problem: expect.stringContaining('taking 30 values per row, but 29 input fields are declared') }]);
  });

  it('reports a packed field whose type cannot feed the tensor, and one with a shape', () => {
    const fields = floatFields(30);
    fields[3] = { name: 'f4', type: 'string' };
    fields[7] = { name: 'f8', type: 'float', shape: [-1, 2] };
    const problems = matchOnnxToSchema(logistic, io(fields, LOGISTIC_30_IO.outputs));
    expect(problems.map((p) => p.field)).toEqual(['ioSchema.inputs.3.type', 'ioSchema.inputs.7.shape']);
    expect(problemAt(problems, 'ioSchema.inputs.3.type')).toMatch(/declared string but the model's input 'features' is float32/);
  });

  it('reports a declared shape that contradicts the model', () => {
    const wrongWidth = matchOnnxToSchema(linear, io([{ name: 'features', type: 'float', shape: [-1, 20] }], LINEAR_10_IO.outputs));
    expect(problemAt(wrongWidth, 'ioSchema.inputs.0.shape')).toMatch(/dimension 1 is 10 in the model but declared as 20/);

    const anyWidth = matchOnnxToSchema(linear, io([{ name: 'features', type: 'float', shape: [-1, -1] }], LINEAR_10_IO.outputs));
    expect(problemAt(anyWidth, 'ioSchema.inputs.0.shape')).toMatch(/dimension 1 is fixed at 10 in the model but declared as any/);

    const wrongRank = matchOnnxToSchema(linear, io([{ name: 'features', type: 'float', shape: [-1, 10, 1] }], LINEAR_10_IO.outputs));
    expect(problemAt(wrongRank, 'ioSchema.inputs.0.shape')).toMatch(/rank 2.*rank 3/);

    const scalar = matchOnnxToSchema(linear, io([{ name: 'features', type: 'float' }], LINEAR_10_IO.outputs));
    expect(problemAt(scalar, 'ioSchema.inputs.0.shape')).toMatch(/one value per row/);
  });

  it('reports declared inputs the model lacks and model inputs nothing feeds', () => {
    const problems = matchOnnxToSchema(
      named,
      io(
        [
          { name: 'age', type: 'float' },
          { name: 'salary', type: 'float' },
          { name: 'region', type: 'string' },
        ],
        NAMED_INPUTS_IO.outputs,
      ),
    );
    expect(problems).toEqual([
      {
        field: 'ioSchema.inputs.1.name',
        problem: expect.stringContaining("input 'salary': the model has no input of that name (its inputs: 'age', 'income', 'region')"),
      },
      { field: 'artifact.inputs.income', problem: "the model's input 'income' is fed by no declared input field" },
    ]);
  });

  it('reports input types that cannot feed the model', () => {
    const problems = matchOnnxToSchema(
      named,
      io(
        [
          { name: 'age', type: 'string' },
          { name: 'income', type: 'float' },
          { name: 'region', type: 'float' },
        ],
        NAMED_INPUTS_IO.outputs,
      ),
    );
    expect(problems.map((p) => p.field)).toEqual(['ioSchema.inputs.0.type', 'ioSchema.inputs.2.type']);
    expect(problemAt(problems, 'ioSchema.inputs.2.type')).toMatch(/declared float but the model's input 'region' is string/);
  });

  it('reports outputs the model lacks, with the names it has', () => {
    const problems = matchOnnxToSchema(linear, io(LINEAR_10_IO.inputs, [{ name: 'probability', type: 'float' }]));
    expect(problems).toEqual([
      { field: 'ioSchema.outputs.0.name', problem: "output 'probability': the model has no output of that name (its outputs: 'prediction')" },
    ]);
  });

  it('reports output type and shape mismatches', () => {
    const problems = matchOnnxToSchema(
      named,
      io(NAMED_INPUTS_IO.inputs, [
        { name: 'label', type: 'float' },
        { name: 'score', type: 'bool' },
        { name: 'region_out', type: 'category', shape: [-1, 3] },
      ]),
    );
    expect(problems.map((p) => p.field)).toEqual(['ioSchema.outputs.0.type', 'ioSchema.outputs.1.type', 'ioSchema.outputs.2.shape']);
    expect(problemAt(problems, 'ioSchema.outputs.0.type')).toMatch(/declared float but the model's output 'label' is int64/);
  });

  it('falls back to names when several ONNX inputs exist and none is named', () => {
    const problems = matchOnnxToSchema(named, io(floatFields(3), NAMED_INPUTS_IO.outputs));
    expect(problems.map((p) => p.field)).toEqual([
      'ioSchema.inputs.0.name',
      'ioSchema.inputs.1.name',
      'ioSchema.inputs.2.name',
      'artifact.inputs.age',
      'artifact.inputs.income',
      'artifact.inputs.region',
    ]);
  });
});
