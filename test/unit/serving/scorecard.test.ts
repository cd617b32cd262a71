import { SCORECARD_DOCUMENT_JSON_SCHEMA, validateScorecardDocument } from '../../../core/catalog/artifacts/scorecard-document';
import { validateArtifact } from '../../../core/catalog/artifacts/validate-artifact';
import { ValidationFailed } from '../../../core/errors';
import { singleFileArtifact } from '../../../serving/artifacts/model-artifacts';
import { SCORECARD_FILE, scorecardRuntime } from '../../../serving/runtimes/scorecard-runtime';
import { encodeJson } from '../../fixtures/artifacts/credit-scorecard';
import { POINTS_SCORECARD_IO, pointsScorecard } from '../../fixtures/artifacts/points-scorecard';
import { bytes, text } from './fixtures';

const load = (doc = pointsScorecard()) =>
  scorecardRuntime.load(singleFileArtifact('s3://b/scorecard.json', SCORECARD_FILE, encodeJson(doc)), { ioSchema: POINTS_SCORECARD_IO });

function problemsOf(doc: unknown): { field: string; problem: string }[] {
  try {
    validateScorecardDocument(encodeJson(doc), POINTS_SCORECARD_IO);
  } catch (error) {
    if (error instanceof ValidationFailed) return [...error.fields];
    throw error;
  }
  return [];
}

describe('steward-scorecard/v1 documents', () => {
  it('accepts the documented example and publishes a JSON Schema', async () => {
    expect(problemsOf(pointsScorecard())).toEqual([]);
    expect(SCORECARD_DOCUMENT_JSON_SCHEMA).toMatchObject({ title: expect.stringContaining('steward-scorecard/v1'), type: 'object' });
    const { format, summary } = await validateArtifact({ format: 'scorecard', bytes: encodeJson(pointsScorecard()), ioSchema: POINTS_SCORECARD_IO });
    expect(format).toBe('scorecard');
    // lowest: 450 + 10 + 5 + 10 − 20 = 455; highest: 450 + 40 + 55 + 45 + 30 = 620
    expect(summary).toMatchObject({ characteristics: 4, scoreRange: [455, 620] });
  });

  it('names every problem with its path: overlap, wrong bin kind, unknown field, disallowed value, undeclared output', () => {
    const doc = pointsScorecard();
    doc.characteristics[0].bins[1].min = 20; // overlaps [.., 25)
    doc.characteristics[1].bins.push({ values: ['x'], points: 1 });
    doc.characteristics[2].bins[1].values = ['boat'];
    doc.characteristics.push({ field: 'tenure', bins: [{ min: 0, points: 1 }] });
    const problems = problemsOf(doc);
    expect(problems).toEqual(
      expect.arrayContaining([
        { field: 'artifact.characteristics.0.bins.1', problem: expect.stringContaining('overlaps bins.0') },
        { field: 'artifact.characteristics.1.bins.3.values', problem: expect.stringContaining('give numeric ranges') },
        { field: 'artifact.characteristics.2.bins.1.values.0', problem: expect.stringContaining("'boat' is not an allowed value") },
        { field: 'artifact.characteristics.4.field', problem: expect.stringContaining("unknown field 'tenure'") },
      ]),
    );
    expect(() => validateScorecardDocument(encodeJson(pointsScorecard()), { ...POINTS_SCORECARD_IO, outputs: [{ name: 'decision', type: 'string' }] })).toThrow(
      ValidationFailed,
    );
    expect(problemsOf({ ...pointsScorecard(), scaling: { pdo: 0, baseScore: 600, baseOdds: 50 } })[0].field).toBe('artifact.scaling.pdo');
  });
});

describe('scorecard runtime', () => {
  // Worked by hand from the table in points-scorecard.ts.
  const odds = (score: number) => 50 * 2 ** ((score - 600) / 20);

  it('scores, scales to odds and gives the costliest characteristics as reason codes', async () => {
    const model = await load();
    const body = {
      instances: [
        { age: 30, income: 70000, home: 'rent', delinquent: false }, // 450+25+55+20+30 = 580; shortfalls AGE 15, HOME 25
        { age: null, income: 10000, home: 'family', delinquent: true }, // 450+15+5+10−20 = 460; INCOME 50, DELINQ 50, HOME 35, AGE 25
        { age: 40, income: 20000, home: 'own', delinquent: false }, // 450+40+30+45+30 = 595; INCOME 25
      ],
    };
    const { predictions } = JSON.parse(text((await model.invoke(bytes(JSON.stringify(body)), 'application/json', undefined)).body));
    expect(predictions[0]).toEqual({
      score: 580,
      odds: 25,
      bad_probability: 1 / 26,
      reasons: ['HOME', 'AGE'],
      points: { age: 25, income: 55, home: 20, delinquent: 30 },
    });
    expect(predictions[1]).toMatchObject({ score: 460, reasons: ['INCOME', 'DELINQ'] });
    expect(predictions[1].odds).toBeCloseTo(odds(460), 12);
    expect(predictions[1].bad_probability).toBeCloseTo(1 / (1 + 50 / 128), 12);
    expect(predictions[2]).toMatchObject({ score: 595, reasons: ['INCOME'] });
    expect(predictions[2].odds).toBeCloseTo(odds(595), 12);
  });

  it('reads CSV with an empty cell as missing, and answers CSV', async () => {
    const model = await load();
    const out = await model.invoke(bytes('age,income,home,delinquent\n,10000,family,true\n'), 'text/csv', 'text/csv');
    const [score, oddsCell, bad, reasons] = text(out.body).trim().split(',');
    expect(Number(score)).toBe(460);
    expect(Number(oddsCell)).toBeCloseTo(odds(460), 10);
    expect(Number(bad)).toBeCloseTo(1 / (1 + odds(460)), 10);
    expect(reasons).toBe('INCOME;DELINQ');
  });

  it('refuses a missing value with no missing bin, and a value in no bin with no other bin, naming row and field', async () => {
    const model = await load();
    await expect(
      model.invoke(
        bytes('[{"age":30,"income":70000,"home":"own","delinquent":false},{"age":30,"home":"own","delinquent":false}]'),
        'application/json',
        undefined,
      ),
    ).rejects.toMatchObject({
      status: 400,
      message: "row 2, field 'income': missing",
    });
    const doc = pointsScorecard();
    doc.characteristics[1].bins.shift(); // incomes below 20000 fall in no bin now
    const strict = await load(doc);
    await expect(strict.invoke(bytes('30,100,own,false\n'), 'text/csv', undefined)).rejects.toMatchObject({
      status: 400,
      message: "row 1, field 'income': 100 falls in no bin, and the characteristic has no 'other' bin",
    });
  });

  it('refuses to load a document that does not validate', async () => {
    await expect(load({ ...pointsScorecard(), format: 'steward-scorecard/v0' })).rejects.toThrow(/artifact.format/);
  });
});
