import { validateArtifact } from '../../../../core/catalog/artifacts/validate-artifact';
import { linearRegression10, logisticRegression30, truncated, unrunnableModel } from '../../../fixtures/artifacts/build-onnx';
import { CREDIT_SCORECARD_IO, creditScorecardBytes, encodeJson } from '../../../fixtures/artifacts/credit-scorecard';
import { floatFields, LINEAR_10_IO, LOGISTIC_30_IO } from '../../../fixtures/artifacts/io-schemas';
import { problemAt, problemsOf } from '../../../fixtures/artifacts/validation-problems';

describe('validateArtifact', () => {
  it('onnx: loads, matches the schema, smoke-runs, and summarises', async () => {
    const result = await validateArtifact({ format: 'onnx', bytes: logisticRegression30(), ioSchema: LOGISTIC_30_IO });
    if (result.format !== 'onnx') throw new Error('expected an onnx summary');
    expect(result.summary.binding).toEqual({ kind: 'packed', onnxInput: 'features', fields: floatFields(30).map((f) => f.name) });
    expect(result.summary.inputs).toEqual([{ name: 'features', isTensor: true, elementType: 'float32', dims: ['batch', 30] }]);
    expect(result.summary.smokeRun.outputs.probability.values[0]).toBeCloseTo(1 / (1 + Math.exp(4.65)), 6);
    expect(JSON.parse(JSON.stringify(result))).toEqual(result); // storable as it is
  });

  it('onnx: lists every schema mismatch before running anything', async () => {
    const io = { inputs: [{ name: 'features', type: 'string', shape: [-1, 12] }], outputs: [{ name: 'score', type: 'float' }] };
    const problems = await problemsOf(() => validateArtifact({ format: 'onnx', bytes: linearRegression10(), ioSchema: io }));
    expect(problems.map((p) => p.field)).toEqual(['ioSchema.inputs.0.type', 'ioSchema.inputs.0.shape', 'ioSchema.outputs.0.name']);
  });

  it('onnx: a corrupt file is a ValidationFailed on artifact', async () => {
    const problems = await problemsOf(() => validateArtifact({ format: 'onnx', bytes: truncated(linearRegression10()), ioSchema: LINEAR_10_IO }));
    expect(problemAt(problems, 'artifact')).toMatch(/^not a loadable ONNX model: /);
  });

  it('onnx: a model that matches but cannot run fails the smoke run', async () => {
    const io = { inputs: floatFields(3), outputs: [{ name: 'reshaped', type: 'float', shape: [5] }] };
    const problems = await problemsOf(() => validateArtifact({ format: 'onnx', bytes: unrunnableModel(), ioSchema: io }));
    expect(problemAt(problems, 'artifact')).toMatch(/^loads but cannot run: /);
  });

  it('rules: validates the document against the schema and summarises it', async () => {
    const result = await validateArtifact({ format: 'rules', bytes: creditScorecardBytes(), ioSchema: CREDIT_SCORECARD_IO });
    expect(result).toEqual({
      format: 'rules',
      summary: { hitPolicy: 'first', rules: 6, inputs: ['age', 'income', 'employment', 'has_defaults'], outputs: ['score', 'decision'], hasDefault: true },
    });
  });

  it('sagemaker-container: the bytes are the JSON reference document', async () => {
    const image = `123456789012.dkr.ecr.eu-west-1.amazonaws.com/credit-model@sha256:${'b'.repeat(64)}`;
    const result = await validateArtifact({ format: 'sagemaker-container', bytes: encodeJson({ image }), ioSchema: CREDIT_SCORECARD_IO });
    expect(result.format).toBe('sagemaker-container');
    expect(result.summary).toMatchObject({ image, pinnedByDigest: true });
    const latest = await problemsOf(() =>
      validateArtifact({
        format: 'sagemaker-container',
        bytes: encodeJson({ image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/credit-model:latest' }),
        ioSchema: CREDIT_SCORECARD_IO,
      }),
    );
    expect(problemAt(latest, 'artifact.image')).toMatch(/not immutable/);
  });

  it('refuses an unknown format and an invalid ioSchema, naming each', async () => {
    expect(await problemsOf(() => validateArtifact({ format: 'pickle', bytes: new Uint8Array(1), ioSchema: CREDIT_SCORECARD_IO }))).toEqual([
      { field: 'format', problem: 'expected one of onnx, rules, scorecard, sagemaker-container' },
    ]);
    const problems = await problemsOf(() =>
      validateArtifact({ format: 'rules', bytes: creditScorecardBytes(), ioSchema: { inputs: [{ name: 'age', type: 'integer' }], outputs: [] } }),
    );
    expect(problems.map((p) => p.field)).toEqual(['ioSchema.inputs.0.type', 'ioSchema.outputs']);
  });
});
