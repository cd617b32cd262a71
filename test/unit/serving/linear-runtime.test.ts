import { InvalidArtifact } from '../../../serving/artifacts/artifact-errors';
import { singleFileArtifact } from '../../../serving/artifacts/model-artifacts';
import { linearRuntime, LinearModel, sigmoid } from '../../../serving/runtimes/linear-runtime';
import { NotAcceptable } from '../../../serving/runtimes/runtime-errors';
import { bytes, LINEAR, LOGISTIC, sigmoidByHand, text } from './fixtures';

const load = (json: unknown) => linearRuntime.load(singleFileArtifact('s3://bucket/model.json', 'model.json', bytes(JSON.stringify(json))));

describe('linear runtime maths', () => {
  it('scores a logistic model as σ(intercept + w·x) and labels by threshold 0.5', () => {
    const model = new LinearModel(LOGISTIC);
    const [first, second, edge] = model.predictNumbers([
      [1, 2], // z = 0.5 + 1 - 4 = -2.5
      [3, 0], // z = 3.5
      [-0.5, 0], // z = 0 → exactly 0.5, which is the positive side
    ]);
    expect(first.score).toBeCloseTo(sigmoidByHand(-2.5), 12);
    expect(first.label).toBe('stay');
    expect(second.score).toBeCloseTo(sigmoidByHand(3.5), 12);
    expect(second.label).toBe('churn');
    expect(edge.score).toBe(0.5);
    expect(edge.label).toBe('churn');
  });

  it('applies standardization (x − mean) / scale before the coefficients', () => {
    const model = new LinearModel(LINEAR);
    const [p] = model.predictNumbers([[6, 5]]); // 10 + 3·(6−2)/4 − 1·5 = 8
    expect(p.score).toBeCloseTo(8, 12);
    expect(p.label).toBeUndefined();
  });

  it('honours a custom threshold and the default 0/1 labels', () => {
    const model = new LinearModel({ ...LOGISTIC, labels: undefined, threshold: 0.9 });
    const [p] = model.predictNumbers([[3, 0]]); // σ(3.5) ≈ 0.97
    const [q] = model.predictNumbers([[1.5, 0]]); // σ(2) ≈ 0.88
    expect(p.label).toBe(1);
    expect(q.label).toBe(0);
  });

  it('keeps σ finite and exact in the tails', () => {
    expect(sigmoid(800)).toBe(1);
    expect(sigmoid(-800)).toBe(0);
    expect(sigmoid(-30)).toBeCloseTo(Math.exp(-30), 20);
    expect(sigmoid(0)).toBe(0.5);
  });
});

describe('linear runtime invocations', () => {
  it('answers JSON predictions by default', async () => {
    const model = await load(LOGISTIC);
    const out = await model.invoke(bytes('1,2\n3,0\n'), 'text/csv', undefined);
    expect(out.contentType).toBe('application/json');
    const body = JSON.parse(text(out.body));
    expect(body.predictions).toHaveLength(2);
    expect(body.predictions[0].score).toBeCloseTo(sigmoidByHand(-2.5), 12);
    expect(body.predictions[1]).toEqual({ score: expect.any(Number), label: 'churn' });
  });

  it('answers CSV lines score,label when asked for text/csv', async () => {
    const model = await load(LOGISTIC);
    const out = await model.invoke(bytes('{"instances":[{"a":3,"b":0}]}'), 'application/json', 'text/csv');
    expect(out.contentType).toBe('text/csv');
    const [score, label] = text(out.body).trim().split(',');
    expect(Number(score)).toBeCloseTo(sigmoidByHand(3.5), 12);
    expect(label).toBe('churn');
  });

  it('answers one number per line for a linear model in CSV', async () => {
    const model = await load(LINEAR);
    const out = await model.invoke(bytes('6,5\n2,0\n'), 'text/csv', 'text/csv');
    expect(text(out.body)).toBe('8\n10\n');
  });

  it('refuses an Accept it cannot write with 406', async () => {
    const model = await load(LINEAR);
    await expect(model.invoke(bytes('1,2'), 'text/csv', 'application/x-protobuf')).rejects.toMatchObject({
      constructor: NotAcceptable,
      status: 406,
    });
  });
});

describe('linear model artifact validation', () => {
  it('refuses coefficients that do not match the features, naming the field', async () => {
    const error = await load({ ...LOGISTIC, coefficients: [1] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidArtifact);
    expect((error as Error).message).toMatch(/coefficients/);
    expect((error as Error).message).toMatch(/1 values for 2 features/);
  });

  it('refuses an unknown format tag and non-JSON content', async () => {
    await expect(load({ ...LOGISTIC, format: 'sklearn' })).rejects.toThrow(/format/);
    await expect(linearRuntime.load(singleFileArtifact('s3://b/m.json', 'model.json', bytes('not json')))).rejects.toThrow(/not JSON/);
  });

  it('refuses logistic-only fields on a linear model and zero scales', async () => {
    await expect(load({ ...LINEAR, threshold: 0.3 })).rejects.toThrow(/threshold/);
    await expect(load({ ...LINEAR, standardization: { mean: [0, 0], scale: [1, 0] } })).rejects.toThrow(/scale/);
  });
});
