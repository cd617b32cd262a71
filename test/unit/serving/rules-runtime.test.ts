import { singleFileArtifact } from '../../../serving/artifacts/model-artifacts';
import { RULES_FILE, rulesRuntime } from '../../../serving/runtimes/rules-runtime';
import { CREDIT_SCORECARD_IO, creditScorecardBytes, creditScorecardDocument, encodeJson } from '../../fixtures/artifacts/credit-scorecard';
import { bytes, text } from './fixtures';

type Applicant = { age: number; income: number; employment: string; has_defaults: boolean };

/** The fixture's decision table written out as plain code: the first rule that holds decides. */
function decideByHand(a: Applicant): { rule: string | null; score: number; decision: string } {
  if (a.has_defaults) return { rule: 'prior-defaults', score: 300, decision: 'decline' };
  if (a.age < 18) return { rule: 'minor', score: 0, decision: 'decline' };
  if (a.employment === 'unemployed' && a.income < 20000) return { rule: 'unemployed-low-income', score: 350, decision: 'decline' };
  if (a.age >= 25 && a.age <= 64 && a.income >= 60000 && a.employment !== 'unemployed') return { rule: 'prime', score: 780, decision: 'approve' };
  if (a.age >= 18 && a.age <= 24 && a.income < 30000) return { rule: 'young-low-income', score: 520, decision: 'review' };
  if ((a.income >= 30000 && a.income <= 59999.99) || (a.age >= 65 && a.income >= 20000)) return { rule: 'middle-band', score: 640, decision: 'review' };
  return { rule: null, score: 450, decision: 'decline' };
}

const APPLICANTS: Applicant[] = [];
for (const age of [16, 20, 30, 70])
  for (const income of [10000, 25000, 45000, 80000])
    for (const employment of ['employed', 'unemployed']) for (const has_defaults of [false, true]) APPLICANTS.push({ age, income, employment, has_defaults });

describe('rules runtime (steward-rules/v1)', () => {
  it('decides every row as the hand-written table does (hit policy first, default when nothing matches)', async () => {
    const model = await rulesRuntime.load(singleFileArtifact('s3://b/rules.json', RULES_FILE, creditScorecardBytes()), { ioSchema: CREDIT_SCORECARD_IO });
    const { predictions } = JSON.parse(text((await model.invoke(bytes(JSON.stringify({ instances: APPLICANTS })), 'application/json', undefined)).body));
    APPLICANTS.forEach((a, i) => {
      const expected = decideByHand(a);
      expect(predictions[i]).toEqual({ outputs: { score: expected.score, decision: expected.decision }, rule: expected.rule });
    });
    const csv = await model.invoke(bytes('age,income,employment,has_defaults\n30,80000,employed,false\n'), 'text/csv', 'text/csv');
    expect(text(csv.body)).toBe('780,approve,prime\n');
  });

  it('collects every matching rule under hit policy collect', async () => {
    const doc = { ...creditScorecardDocument(), hitPolicy: 'collect' };
    const model = await rulesRuntime.load(singleFileArtifact('s3://b/rules.json', RULES_FILE, encodeJson(doc)), { ioSchema: CREDIT_SCORECARD_IO });
    const { predictions } = JSON.parse(
      text((await model.invoke(bytes('[{"age":16,"income":10000,"employment":"unemployed","has_defaults":true}]'), 'application/json', undefined)).body),
    );
    expect(predictions[0].rules).toEqual(['prior-defaults', 'minor', 'unemployed-low-income']);
    expect(predictions[0].outputs).toEqual([
      { score: 300, decision: 'decline' },
      { score: 0, decision: 'decline' },
      { score: 350, decision: 'decline' },
    ]);
  });

  it('serves from the document alone when no schema is given, and refuses a row missing a field', async () => {
    const model = await rulesRuntime.load(singleFileArtifact('s3://b/rules.json', RULES_FILE, creditScorecardBytes()));
    await expect(model.invoke(bytes('{"age":30,"income":1,"employment":"employed"}'), 'application/json', undefined)).rejects.toMatchObject({
      status: 400,
      message: "row 1, field 'has_defaults': missing",
    });
  });
});
