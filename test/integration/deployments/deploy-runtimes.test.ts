import type { IoSchema } from '../../../core/catalog/artifacts/io-schema';
import { bootApi, onboardTenant, type OnboardedTenant } from '../../support/api-client';
import { treeEnsembleClassifier, walkTree, type TreeNode } from '../../fixtures/artifacts/build-tree-ensemble';
import { CREDIT_SCORECARD_IO, creditScorecardBytes, encodeJson } from '../../fixtures/artifacts/credit-scorecard';
import { POINTS_SCORECARD_IO, pointsScorecard } from '../../fixtures/artifacts/points-scorecard';
import { createProject, uploadVersion } from '../catalog/catalog-fixtures';

/**
 * Every runtime but the ONNX logistic regression (deploy-and-score.test.ts)
 * taken from upload to a live endpoint through the API and the deploy
 * pipeline: an ONNX tree ensemble, a steward-rules/v1 decision table and a
 * steward-scorecard/v1 points scorecard. Each answer is checked against a
 * computation written here from the fixtures' definitions, not by the
 * serving code.
 */
jest.setTimeout(180_000);

let ctx: Awaited<ReturnType<typeof bootApi>>;
let acme: OnboardedTenant;
let projectId: string;

beforeAll(async () => {
  ctx = await bootApi();
  acme = await onboardTenant(ctx.api, ctx.adminToken, 'Acme Runtimes');
  projectId = (await createProject(ctx.api, acme.tokens['data-scientist'])).projectId;
});

afterAll(async () => {
  await ctx?.local.close();
});

async function createModel(type: 'ml' | 'rules' | 'scorecard', framework: string, schema: IoSchema): Promise<string> {
  const model = await ctx.api.call('POST', '/models', {
    token: acme.tokens['data-scientist'],
    body: { projectId, name: `${type}-${Math.random().toString(36).slice(2, 8)}`, type, framework, schema },
  });
  if (model.status !== 201) throw new Error(JSON.stringify(model.body));
  return model.body.modelId;
}

/** Uploads, walks the version to pending-approval and approves it (the default policy: one approval from the approver role). */
async function approvedVersion(modelId: string, format: string, bytes: Uint8Array): Promise<number> {
  const ds = acme.tokens['data-scientist'];
  const { version, finalized } = await uploadVersion(ctx.api, ds, modelId, format, bytes);
  if (finalized.status !== 200) throw new Error(`finalize: ${JSON.stringify(finalized.body)}`);
  for (const to of ['evaluating', 'evaluated', 'pending-approval']) {
    const moved = await ctx.api.call('POST', `/models/${modelId}/versions/${version}/status`, { token: ds, body: { to } });
    if (moved.status !== 200) throw new Error(`status ${to}: ${JSON.stringify(moved.body)}`);
  }
  const approved = await ctx.api.call('POST', `/models/${modelId}/versions/${version}/decision`, {
    token: acme.tokens.approver,
    body: { decision: 'approve', reason: 'reviewed' },
  });
  if (approved.status !== 200) throw new Error(`approve: ${JSON.stringify(approved.body)}`);
  return version;
}

async function deploy(endpointName: string, modelId: string, version: number) {
  const started = await ctx.api.call('POST', '/deployments', {
    token: acme.tokens.deployer,
    body: { endpointName, variants: [{ modelId, version }], capturePercent: 0 },
  });
  if (started.status !== 202) throw new Error(`deploy: ${started.status} ${JSON.stringify(started.body)}`);
  await ctx.local.runner.waitFor(started.body.executionId, 90_000);
  return (await ctx.api.call('GET', `/endpoints/${endpointName}/deployments/${started.body.deployment.deploymentId}`, { token: acme.tokens.viewer })).body;
}

async function score(endpointName: string, rows: Record<string, unknown>[]) {
  return ctx.api.call('POST', `/endpoints/${endpointName}/invocations`, { token: acme.tokens.deployer, body: rows });
}

function csvScore(endpointName: string, csv: string): Promise<Response> {
  return Promise.resolve(
    ctx.api.app.request(`/endpoints/${endpointName}/invocations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${acme.tokens.deployer}`, 'content-type': 'text/csv' },
      body: csv,
    }),
  );
}

// ---------------------------------------------------------------------------
// (a) ONNX tree ensemble

const TREES: TreeNode[] = [
  { feature: 0, threshold: 0.5, yes: { leaf: [0.5, 0, 0] }, no: { feature: 1, threshold: 2, yes: { leaf: [0, 0.5, 0] }, no: { leaf: [0, 0.1, 0.4] } } },
  { feature: 2, threshold: 10, yes: { leaf: [0.3, 0.2, 0] }, no: { feature: 0, threshold: 0.8, yes: { leaf: [0, 0.35, 0.15] }, no: { leaf: [0, 0.1, 0.4] } } },
  { feature: 1, threshold: 0, yes: { leaf: [0.2, 0.1, 0] }, no: { leaf: [0, 0.05, 0.25] } },
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

/** Σ of the leaves each tree's walk reaches, per class; the label is the class with the largest sum (first on a tie, as onnxruntime). */
function treesByHand(row: readonly number[]): { label: string; probabilities: Record<string, number> } {
  const sums = LABELS.map(() => 0);
  for (const tree of TREES) walkTree(tree, row).forEach((w, c) => (sums[c] += w));
  const best = sums.indexOf(Math.max(...sums));
  return { label: LABELS[best], probabilities: Object.fromEntries(LABELS.map((l, c) => [l, sums[c]])) };
}

// ---------------------------------------------------------------------------
// (b) rules: the fixture's decision table written out as plain code (hit policy first, default when nothing matches)

type Applicant = { age: number; income: number; employment: string; has_defaults: boolean };

function decideByHand(a: Applicant): { outputs: { score: number; decision: string }; rule: string | null } {
  const hit = (rule: string, score: number, decision: string) => ({ outputs: { score, decision }, rule });
  if (a.has_defaults) return hit('prior-defaults', 300, 'decline');
  if (a.age < 18) return hit('minor', 0, 'decline');
  // `then` sets only the score; the decision comes from the document's default.
  if (a.employment === 'unemployed' && a.income < 20000) return hit('unemployed-low-income', 350, 'decline');
  if (a.age >= 25 && a.age <= 64 && a.income >= 60000 && a.employment !== 'unemployed') return hit('prime', 780, 'approve');
  if (a.age >= 18 && a.age <= 24 && a.income < 30000) return hit('young-low-income', 520, 'review');
  if ((a.income >= 30000 && a.income <= 59999.99) || (a.age >= 65 && a.income >= 20000)) return hit('middle-band', 640, 'review');
  return { outputs: { score: 450, decision: 'decline' }, rule: null };
}

// ---------------------------------------------------------------------------
// (c) scorecard: test/fixtures/artifacts/points-scorecard.ts's table by hand

type CardRow = { age?: number | null; income: number; home: string; delinquent: boolean };
const MAX_POINTS = { AGE: 40, INCOME: 55, HOME: 45, DELINQ: 30 };

function cardByHand(r: CardRow, ageFloor = Number.NEGATIVE_INFINITY) {
  const age = r.age === null || r.age === undefined ? 15 : r.age < 25 ? (r.age >= ageFloor ? 10 : Number.NaN) : r.age < 40 ? 25 : 40;
  const income = r.income < 20000 ? 5 : r.income < 60000 ? 30 : 55;
  const home = r.home === 'own' ? 45 : r.home === 'rent' ? 20 : 10;
  const delinquent = r.delinquent ? -20 : 30;
  const got = { AGE: age, INCOME: income, HOME: home, DELINQ: delinquent };
  const score = 450 + age + income + home + delinquent;
  const odds = 50 * 2 ** ((score - 600) / 20);
  const reasons = (Object.keys(got) as (keyof typeof got)[])
    .map((code, order) => ({ code, shortfall: MAX_POINTS[code] - got[code], order }))
    .filter((s) => s.shortfall > 0)
    .sort((a, b) => b.shortfall - a.shortfall || a.order - b.order)
    .slice(0, 2)
    .map((s) => s.code);
  return { score, odds, bad_probability: 1 / (1 + odds), reasons, points: { age, income, home, delinquent } };
}

describe('deploying and scoring every runtime through the API', () => {
  it('(a) deploys an ONNX tree-ensemble classifier and scores every row as a hand walk of the trees', async () => {
    const modelId = await createModel('ml', 'onnx', TREE_IO);
    const v = await approvedVersion(modelId, 'onnx', treeEnsembleClassifier({ features: 3, labels: LABELS, trees: TREES, zipMap: true }));
    const deployment = await deploy('risk-trees', modelId, v);
    expect(deployment).toMatchObject({ status: 'live', variants: [{ modelId, version: v }] });

    const rows: Record<string, number>[] = [];
    for (const utilization of [0, 0.5, 0.51, 0.79, 0.8, 0.95])
      for (const delinquencies of [0, 1, 2, 3]) for (const months of [3, 10, 10.5, 40]) rows.push({ utilization, delinquencies, months });
    const res = await score('risk-trees', rows);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ endpointName: 'risk-trees', modelId, version: v, variant: `v${v}` });
    expect(res.body.predictions).toHaveLength(rows.length);
    rows.forEach((r, i) => {
      const expected = treesByHand([r.utilization, r.delinquencies, r.months]);
      const got = res.body.predictions[i];
      expect(got.label).toBe(expected.label);
      for (const label of LABELS) expect(got.probabilities[label]).toBeCloseTo(expected.probabilities[label], 5);
    });
    // Every class, and every leaf of every tree, was reached by some row: the check covers the whole model.
    expect(new Set(res.body.predictions.map((p: { label: string }) => p.label))).toEqual(new Set(LABELS));
    const leavesOf = (node: TreeNode): readonly number[][] => ('leaf' in node ? [node.leaf as number[]] : [...leavesOf(node.yes), ...leavesOf(node.no)]);
    TREES.forEach((tree) => {
      const reached = new Set(rows.map((r) => walkTree(tree, [r.utilization, r.delinquencies, r.months])));
      expect(reached.size).toBe(leavesOf(tree).length);
    });
  });

  it('(b) deploys a steward-rules/v1 decision table and decides every row as the table written out by hand', async () => {
    const modelId = await createModel('rules', 'steward-rules', CREDIT_SCORECARD_IO);
    const v = await approvedVersion(modelId, 'rules', creditScorecardBytes());
    const deployment = await deploy('credit-rules', modelId, v);
    expect(deployment).toMatchObject({ status: 'live', variants: [{ modelId, version: v }] });

    const applicants: Applicant[] = [];
    for (const age of [16, 18, 24, 25, 30, 64, 70])
      for (const income of [10000, 19999, 25000, 45000, 59999.99, 60000, 80000])
        for (const employment of ['employed', 'self_employed', 'unemployed'])
          for (const has_defaults of [false, true]) applicants.push({ age, income, employment, has_defaults });
    const res = await score('credit-rules', applicants);
    expect(res.status).toBe(200);
    expect(res.body.predictions).toHaveLength(applicants.length);
    applicants.forEach((a, i) => {
      const { predictionId, ...prediction } = res.body.predictions[i];
      expect(predictionId).toMatch(/-\d+$/);
      expect(prediction).toEqual(decideByHand(a));
    });
    // Every rule and the default answered at least once.
    expect(new Set(applicants.map((a) => decideByHand(a).rule)).size).toBe(7);
  });

  it('(c) deploys a steward-scorecard/v1 points scorecard and scores points, score, odds and reason codes as computed by hand', async () => {
    const modelId = await createModel('scorecard', 'steward-scorecard', POINTS_SCORECARD_IO);
    const v = await approvedVersion(modelId, 'scorecard', encodeJson(pointsScorecard()));
    const deployment = await deploy('credit-card', modelId, v);
    expect(deployment).toMatchObject({ status: 'live', variants: [{ modelId, version: v }] });

    const rows: CardRow[] = [];
    for (const age of [null, 18, 24, 25, 39, 40, 70])
      for (const income of [0, 19999.5, 20000, 59999, 60000])
        for (const home of ['own', 'rent', 'family']) for (const delinquent of [false, true]) rows.push({ age, income, home, delinquent });
    const res = await score('credit-card', rows);
    expect(res.status).toBe(200);
    expect(res.body.predictions).toHaveLength(rows.length);
    rows.forEach((r, i) => {
      const expected = cardByHand(r);
      const got = res.body.predictions[i];
      expect(got.score).toBe(expected.score);
      expect(got.points).toEqual(expected.points);
      expect(got.reasons).toEqual(expected.reasons);
      expect(got.odds).toBeCloseTo(expected.odds, 6);
      expect(got.bad_probability).toBeCloseTo(expected.bad_probability, 9);
    });

    // The same card over CSV: an empty cell is a missing value (the age characteristic has a missing bin).
    const csvRows: CardRow[] = [
      { age: null, income: 45000, home: 'own', delinquent: false },
      { age: 52, income: 10000, home: 'family', delinquent: true },
    ];
    const csv = await csvScore(
      'credit-card',
      `age,income,home,delinquent\n${csvRows.map((r) => [r.age ?? '', r.income, r.home, r.delinquent].join(',')).join('\n')}\n`,
    );
    expect(csv.status).toBe(200);
    const answered = ((await csv.json()) as { predictions: { score: number; reasons: string[] }[] }).predictions;
    csvRows.forEach((r, i) => expect(answered[i]).toMatchObject({ score: cardByHand(r).score, reasons: cardByHand(r).reasons }));
  });

  it('smoke-tests a scorecard whose bins do not cover zero and a rules table whose categories only the document lists', async () => {
    // Applicants under 18 are not scored: no bin, no `other`. A row of zeros would be refused.
    const card = pointsScorecard();
    card.characteristics[0].bins[0] = { min: 18, max: 25, points: 10 };
    card.characteristics[2].bins = [
      { values: ['own'], points: 45 },
      { values: ['rent'], points: 20 },
      { values: ['family'], points: 10 },
    ];
    delete card.characteristics[2].other;
    const cardModel = await createModel('scorecard', 'steward-scorecard', POINTS_SCORECARD_IO);
    const cardVersion = await approvedVersion(cardModel, 'scorecard', encodeJson(card));
    const cardDeployment = await deploy('adult-card', cardModel, cardVersion);
    expect(cardDeployment.reason).toBeUndefined();
    expect(cardDeployment.status).toBe('live');
    const row: CardRow = { age: 20, income: 30000, home: 'family', delinquent: false };
    const res = await score('adult-card', [row]);
    expect(res.body.predictions[0]).toMatchObject({ score: cardByHand(row, 18).score, reasons: cardByHand(row, 18).reasons });

    // The version's schema leaves `employment` open; the document allows three values, and '' is none of them.
    const openSchema: IoSchema = {
      ...CREDIT_SCORECARD_IO,
      inputs: CREDIT_SCORECARD_IO.inputs.map((f) => (f.name === 'employment' ? { name: 'employment', type: 'category' } : f)),
    };
    const rulesModel = await createModel('rules', 'steward-rules', openSchema);
    const rulesVersion = await approvedVersion(rulesModel, 'rules', creditScorecardBytes());
    const rulesDeployment = await deploy('open-rules', rulesModel, rulesVersion);
    expect(rulesDeployment.reason).toBeUndefined();
    expect(rulesDeployment.status).toBe('live');
    const applicant = { age: 30, income: 80000, employment: 'self_employed', has_defaults: false };
    const { predictionId: _id, ...decided } = (await score('open-rules', [applicant])).body.predictions[0];
    expect(decided).toEqual(decideByHand(applicant));
  });

  it('refuses rows that do not match the schema on the rules and scorecard endpoints with a 400 naming the row and field', async () => {
    const good = { age: 30, income: 80000, employment: 'employed', has_defaults: false };
    const cases: [string, Record<string, unknown>[], RegExp][] = [
      ['credit-rules', [good, { ...good, employment: 'retired' }], /row 2.*employment/],
      ['credit-rules', [good, good, { ...good, age: 30.5 }], /row 3.*age/],
      ['credit-rules', [{ age: 30, income: 80000, employment: 'employed' }], /row 1.*has_defaults/],
      ['credit-card', [{ age: 30, income: 'lots', home: 'own', delinquent: false }], /row 1.*income/],
      [
        'credit-card',
        [
          { age: 30, income: 1, home: 'own', delinquent: false },
          { age: 30, income: 1, home: 'castle', delinquent: false },
        ],
        /row 2.*home/,
      ],
      ['credit-card', [{ age: 30, income: 1, home: 'own', delinquent: 'no' }], /row 1.*delinquent/],
      ['credit-card', [{ age: 30, home: 'own', delinquent: true }], /row 1.*income/],
    ];
    for (const [endpoint, rows, names] of cases) {
      const res = await score(endpoint, rows);
      expect({ endpoint, status: res.status }).toEqual({ endpoint, status: 400 });
      expect(JSON.stringify(res.body)).toMatch(names);
    }
    const csv = await csvScore('credit-rules', 'age,income,employment,has_defaults\n30,80000,employed,false\n41,abc,employed,false\n');
    expect(csv.status).toBe(400);
    expect(JSON.stringify(await csv.json())).toMatch(/row 2.*income/);
    // The endpoints keep answering.
    expect((await score('credit-rules', [good])).status).toBe(200);
  });
});
