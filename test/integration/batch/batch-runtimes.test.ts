import type { IoSchema } from '../../../core/catalog/artifacts/io-schema';
import { parseCsvText } from '../../../core/tabular/csv-rows';
import { singleFileArtifact } from '../../../serving/artifacts/model-artifacts';
import { loadModel } from '../../../serving/runtimes/load-model';
import { runtimeFor } from '../../../serving/runtimes/runtime-catalog';
import { CREDIT_SCORECARD_IO, creditScorecardBytes, encodeJson } from '../../fixtures/artifacts/credit-scorecard';
import { POINTS_SCORECARD_IO, pointsScorecard } from '../../fixtures/artifacts/points-scorecard';
import { bootApi, onboardTenant, type OnboardedTenant } from '../../support/api-client';
import { createProject, uploadVersion } from '../catalog/catalog-fixtures';
import { waitForJob } from './batch-fixtures';

/**
 * Batch scoring loads every Steward runtime its endpoints run, not ONNX
 * only: a steward-rules/v1 decision table and a steward-scorecard/v1 points
 * scorecard scored over a partitioned prefix by the batch-score pipeline
 * (locally on the partition worker threads).
 */
jest.setTimeout(180_000);

let ctx: Awaited<ReturnType<typeof bootApi>>;
let acme: OnboardedTenant;
let projectId: string;

beforeAll(async () => {
  ctx = await bootApi();
  acme = await onboardTenant(ctx.api, ctx.adminToken, 'Acme Batch Runtimes');
  projectId = (await createProject(ctx.api, acme.tokens['data-scientist'])).projectId;
});

afterAll(async () => {
  await ctx?.local.close();
});

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

async function approvedVersion(type: 'rules' | 'scorecard', schema: IoSchema, bytes: Uint8Array): Promise<{ modelId: string; version: number }> {
  const ds = acme.tokens['data-scientist'];
  const model = await ctx.api.call('POST', '/models', {
    token: ds,
    body: { projectId, name: `${type}-${Math.random().toString(36).slice(2, 8)}`, type, framework: `steward-${type}`, schema },
  });
  if (model.status !== 201) throw new Error(JSON.stringify(model.body));
  const { version, finalized } = await uploadVersion(ctx.api, ds, model.body.modelId, type, bytes);
  if (finalized.status !== 200) throw new Error(`finalize: ${JSON.stringify(finalized.body)}`);
  for (const to of ['evaluating', 'evaluated', 'pending-approval']) {
    const moved = await ctx.api.call('POST', `/models/${model.body.modelId}/versions/${version}/status`, { token: ds, body: { to } });
    if (moved.status !== 200) throw new Error(`status ${to}: ${JSON.stringify(moved.body)}`);
  }
  const approved = await ctx.api.call('POST', `/models/${model.body.modelId}/versions/${version}/decision`, {
    token: acme.tokens.approver,
    body: { decision: 'approve', reason: 'reviewed' },
  });
  if (approved.status !== 200) throw new Error(`approve: ${JSON.stringify(approved.body)}`);
  return { modelId: model.body.modelId, version };
}

/** Runs a batch job over `parts` (CSV texts) under a fresh prefix and returns its output rows by id, and the job. */
async function batchScore(model: { modelId: string; version: number }, parts: string[]) {
  const objects = ctx.platform.tenantObjects(acme.tenantId);
  const prefix = `incoming/${Math.random().toString(36).slice(2, 8)}/`;
  for (const [i, part] of parts.entries()) await objects.put(`${prefix}part-${i}.csv`, part, 'text/csv');
  const created = await ctx.api.call('POST', '/batch-jobs', {
    token: acme.tokens['data-scientist'],
    body: { model, input: { kind: 'prefix', prefix }, outputPrefix: 'scores/', passthrough: ['id'] },
  });
  expect(created.status).toBe(202);
  const done = await waitForJob(ctx.api, acme.tokens.viewer, created.body.jobId);
  const rows = new Map<string, Record<string, string>>();
  for (const o of await objects.list(`scores/${created.body.jobId}/outputs/`)) {
    const { header, records } = await parseCsvText(text(await objects.getBytes(o.key)));
    for (const r of records) rows.set(r.cells[1], Object.fromEntries(header!.map((h, c) => [h, r.cells[c]])));
  }
  return { done, rows };
}

type Applicant = { age: number; income: number; employment: string; has_defaults: boolean };

/** The fixture's decision table (credit-scorecard.rules.json) written out as plain code: first hit, the document's default otherwise. */
function decideByHand(a: Applicant): { score: number; decision: string; rule: string } {
  if (a.has_defaults) return { score: 300, decision: 'decline', rule: 'prior-defaults' };
  if (a.age < 18) return { score: 0, decision: 'decline', rule: 'minor' };
  if (a.employment === 'unemployed' && a.income < 20000) return { score: 350, decision: 'decline', rule: 'unemployed-low-income' };
  if (a.age >= 25 && a.age <= 64 && a.income >= 60000 && a.employment !== 'unemployed') return { score: 780, decision: 'approve', rule: 'prime' };
  if (a.age >= 18 && a.age <= 24 && a.income < 30000) return { score: 520, decision: 'review', rule: 'young-low-income' };
  if ((a.income >= 30000 && a.income <= 59999.99) || (a.age >= 65 && a.income >= 20000)) return { score: 640, decision: 'review', rule: 'middle-band' };
  return { score: 450, decision: 'decline', rule: '' };
}

it('batch-scores a rules decision table: every row decided as the table written by hand, a refused row in the report', async () => {
  const model = await approvedVersion('rules', CREDIT_SCORECARD_IO, creditScorecardBytes());
  const applicants: (Applicant & { id: string })[] = [];
  for (const age of [16, 18, 24, 25, 30, 64, 70])
    for (const income of [10000, 25000, 45000, 60000, 80000])
      for (const employment of ['employed', 'unemployed'])
        for (const has_defaults of [false, true]) applicants.push({ id: `a${applicants.length}`, age, income, employment, has_defaults });
  const csv = (rows: typeof applicants) =>
    `id,age,income,employment,has_defaults\n${rows.map((a) => [a.id, a.age, a.income, a.employment, a.has_defaults].join(',')).join('\n')}\n`;
  const half = Math.floor(applicants.length / 2);
  // One row the schema refuses: 'retired' is not an allowed employment.
  const parts = [csv(applicants.slice(0, half)), `${csv(applicants.slice(half)).trimEnd()}\nbad,30,50000,retired,false\n`];

  const { done, rows } = await batchScore(model, parts);
  expect(done.body).toMatchObject({
    status: 'succeeded',
    progress: { partitionsTotal: 2, partitionsDone: 2, rowsIn: applicants.length + 1, rowsOut: applicants.length, rowsRejected: 1 },
  });
  expect(rows.size).toBe(applicants.length);
  for (const a of applicants) {
    const expected = decideByHand(a);
    expect(rows.get(a.id)).toMatchObject({ score: String(expected.score), decision: expected.decision, rule: expected.rule });
  }
  const report = await parseCsvText(text(await ctx.platform.tenantObjects(acme.tenantId).getBytes(`${done.body.outputPrefix}rejected.csv`)));
  expect(report.records.map((r) => r.cells.slice(1, 4))).toEqual([[String(applicants.length - half + 1), 'bad', 'employment']]);
});

it('batch-scores a points scorecard with the scorecard runtime (points, score, odds, reason codes)', async () => {
  const card = pointsScorecard();
  const model = await approvedVersion('scorecard', POINTS_SCORECARD_IO, encodeJson(card));
  const rows: { id: string; age: number | ''; income: number; home: string; delinquent: boolean }[] = [];
  for (const age of ['' as const, 18, 30, 45])
    for (const income of [0, 20000, 60000])
      for (const home of ['own', 'rent', 'family']) for (const delinquent of [false, true]) rows.push({ id: `c${rows.length}`, age, income, home, delinquent });
  const csv = `id,age,income,home,delinquent\n${rows.map((r) => [r.id, r.age, r.income, r.home, r.delinquent].join(',')).join('\n')}\n`;

  const { done, rows: scored } = await batchScore(model, [csv]);
  expect(done.body).toMatchObject({ status: 'succeeded', progress: { rowsIn: rows.length, rowsOut: rows.length, rowsRejected: 0 } });
  // The same card, loaded here by the serving runtime on its own, answers each row as the batch job wrote it.
  const reference = await loadModel({
    runtime: 'scorecard',
    artifact: singleFileArtifact('s3://b/card', runtimeFor('scorecard').modelFile, encodeJson(card)),
    ioSchema: POINTS_SCORECARD_IO,
  });
  const answers = await reference.model.predict(rows.map((r) => [r.age === '' ? null : r.age, r.income, r.home, r.delinquent]));
  rows.forEach((r, i) => {
    const cells = reference.model.toCsvRow(answers[i] as never);
    expect(scored.get(r.id)).toEqual({
      row: String(i + 1),
      id: r.id,
      ...Object.fromEntries(reference.model.outputColumns.map((c, k) => [c, String(cells[k] ?? '')])),
    });
  });
  await reference.release();
});
