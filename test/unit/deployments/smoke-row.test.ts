import type { IoSchema } from '../../../core/catalog/artifacts/io-schema';
import { ARTIFACT_FORMATS, type ModelVersion } from '../../../core/catalog/versions';
import { SERVING_RUNTIME_BY_FORMAT, servingRuntimeOf } from '../../../core/deployments/request-deployment';
import { exampleRow, smokeRow } from '../../../core/deployments/smoke-row';
import { Conflict } from '../../../core/errors';
import { singleFileArtifact } from '../../../serving/artifacts/model-artifacts';
import { RULES_FILE, rulesRuntime } from '../../../serving/runtimes/rules-runtime';
import { runtimeKindForFormat } from '../../../serving/runtimes/runtime-catalog';
import { SCORECARD_FILE, scorecardRuntime } from '../../../serving/runtimes/scorecard-runtime';
import { CREDIT_SCORECARD_IO, creditScorecardBytes, encodeJson } from '../../fixtures/artifacts/credit-scorecard';
import { POINTS_SCORECARD_IO, pointsScorecard } from '../../fixtures/artifacts/points-scorecard';

const bytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const versionOf = (format: ModelVersion['artifact']['format']) => ({ version: 3, artifact: { format } }) as ModelVersion;

/** Scores one row with the real serving runtime: resolves to its prediction, rejects as the runtime refuses it. */
async function served(runtime: 'rules' | 'scorecard', document: Uint8Array, io: IoSchema, row: Record<string, unknown>) {
  const model =
    runtime === 'rules'
      ? await rulesRuntime.load(singleFileArtifact('s3://b/rules.json', RULES_FILE, document), { ioSchema: io })
      : await scorecardRuntime.load(singleFileArtifact('s3://b/scorecard.json', SCORECARD_FILE, document), { ioSchema: io });
  const out = await model.invoke(bytes([row]), 'application/json', 'application/json');
  return JSON.parse(new TextDecoder().decode(out.body)).predictions[0];
}

describe('which runtime serves a version', () => {
  it('follows the artifact format, as the serving side maps it, whatever the model type', () => {
    for (const format of ARTIFACT_FORMATS) expect([format, SERVING_RUNTIME_BY_FORMAT[format]]).toEqual([format, runtimeKindForFormat(format)]);
    // A scorecard-type model may hold ONNX (a scorecard trained as a model): ONNX serves it.
    expect(servingRuntimeOf(versionOf('onnx'), 'body.variants.0')).toBe('onnx');
    expect(servingRuntimeOf(versionOf('scorecard'), 'body.variants.0')).toBe('scorecard');
    expect(servingRuntimeOf(versionOf('rules'), 'body.variants.0')).toBe('rules');
    expect(() => servingRuntimeOf(versionOf('sagemaker-container'), 'body.shadow')).toThrow(Conflict);
    expect(() => servingRuntimeOf(versionOf('sagemaker-container'), 'body.shadow')).toThrow(/sagemaker-container.*body\.shadow/);
  });
});

describe('the smoke-test row', () => {
  it('is one the scorecard accepts when its bins do not cover zero (a row of zeros is refused)', async () => {
    const card = pointsScorecard();
    card.characteristics[0].bins[0] = { min: 18, max: 25, points: 10 };
    card.characteristics[1].bins = [
      { min: 0.5, max: 20000, points: 5 },
      { min: 20000, points: 30 },
    ];
    card.characteristics[2].bins = [
      { values: ['family'], points: 10 },
      { values: ['own', 'rent'], points: 30 },
    ];
    delete card.characteristics[2].other;
    const doc = encodeJson(card);
    await expect(served('scorecard', doc, POINTS_SCORECARD_IO, exampleRow(POINTS_SCORECARD_IO))).rejects.toThrow(/field 'age'.*no bin/);
    const row = smokeRow('scorecard', POINTS_SCORECARD_IO, doc);
    expect(row).toEqual({ age: 18, income: 0.5, home: 'family', delinquent: true });
    expect(await served('scorecard', doc, POINTS_SCORECARD_IO, row)).toMatchObject({ score: 450 + 10 + 5 + 10 - 20 });
  });

  it('takes an integer inside a bin with fractional ends, and leaves a field missing when only the missing bin can take it', async () => {
    const card = pointsScorecard();
    card.characteristics[0] = { field: 'age', reasonCode: 'AGE', bins: [{ min: 17.5, max: 18.5, points: 3 }], missing: { points: 15 } };
    const row = smokeRow('scorecard', POINTS_SCORECARD_IO, encodeJson(card));
    expect(row.age).toBe(18);
    card.characteristics[0] = { field: 'age', reasonCode: 'AGE', bins: [{ min: 17.2, max: 17.8, points: 3 }], missing: { points: 15 } };
    const missing = smokeRow('scorecard', POINTS_SCORECARD_IO, encodeJson(card));
    expect(missing.age).toBeNull();
    expect(await served('scorecard', encodeJson(card), POINTS_SCORECARD_IO, missing)).toMatchObject({ points: { age: 15 } });
  });

  it("is one the rules table accepts when only the document lists a category's values", async () => {
    const open: IoSchema = {
      ...CREDIT_SCORECARD_IO,
      inputs: CREDIT_SCORECARD_IO.inputs.map((f) => (f.name === 'employment' ? { name: 'employment', type: 'category' } : f)),
    };
    await expect(served('rules', creditScorecardBytes(), open, exampleRow(open))).rejects.toThrow(/field 'employment'/);
    const row = smokeRow('rules', open, creditScorecardBytes());
    expect(row).toEqual({ age: 0, income: 0, employment: 'employed', has_defaults: false });
    expect(await served('rules', creditScorecardBytes(), open, row)).toEqual({ outputs: { score: 0, decision: 'decline' }, rule: 'minor' });
  });

  it("is the schema's row for other runtimes and for a document that does not parse (the runtime's load says why)", () => {
    expect(smokeRow('onnx', POINTS_SCORECARD_IO, bytes(pointsScorecard()))).toEqual(exampleRow(POINTS_SCORECARD_IO));
    expect(smokeRow('scorecard', POINTS_SCORECARD_IO, new TextEncoder().encode('not json'))).toEqual({ age: 0, income: 0, home: 'own', delinquent: false });
  });
});
