import { buildLinearModel } from '../../fixtures/artifacts/build-onnx';
import { encodeJson } from '../../fixtures/artifacts/credit-scorecard';
import { POINTS_SCORECARD_IO, pointsScorecard } from '../../fixtures/artifacts/points-scorecard';
import { waitForDatasetVersion, waitForExecution } from '../../fixtures/pipelines/catalog-model';
import { bootApi, onboardTenant, type OnboardedTenant } from '../../support/api-client';
import { createProject, uploadVersion } from '../catalog/catalog-fixtures';

/**
 * The `evaluate` pipeline on an imported ONNX version: the platform scores a
 * held-out dataset version with the version's own runtime and records the
 * evaluation as its own, so a policy that counts platform evaluations only
 * lets the version be approved. Every number is checked against a
 * computation written here from the model's weights, not by the platform.
 */
jest.setTimeout(180_000);

const WEIGHTS = [0.9, -0.6, 0.35];
const BIAS = 0.2;

/** A deterministic held-out set: three features, a 0/1 label that mostly follows the model, a protected group column. */
function heldOut(rows = 240): { csv: string; x: number[][]; y: number[]; group: string[] } {
  let state = 7;
  const next = () => {
    state = (state * 48271) % 2147483647;
    return state / 2147483647;
  };
  const x: number[][] = [];
  const y: number[] = [];
  const group: string[] = [];
  for (let i = 0; i < rows; i++) {
    const row = [Math.round((next() * 4 - 2) * 1000) / 1000, Math.round((next() * 4 - 2) * 1000) / 1000, Math.round((next() * 4 - 2) * 1000) / 1000];
    const logit = WEIGHTS.reduce((s, w, j) => s + w * row[j], BIAS);
    x.push(row);
    y.push(next() < 1 / (1 + Math.exp(-2 * logit)) ? 1 : 0);
    group.push(next() < 0.4 ? 'a' : 'b');
  }
  const csv = `f1,f2,f3,segment_group,outcome\n${x.map((r, i) => `${r.join(',')},${group[i]},${y[i]}`).join('\n')}\n`;
  return { csv, x, y, group };
}

/** ROC AUC as the probability that a positive outranks a negative (ties half): the Mann–Whitney form, not the platform's curve. */
function aucByPairs(y: number[], p: number[]): number {
  let wins = 0;
  let pairs = 0;
  for (let i = 0; i < y.length; i++) {
    if (y[i] !== 1) continue;
    for (let j = 0; j < y.length; j++) {
      if (y[j] !== 0) continue;
      pairs++;
      wins += p[i] > p[j] ? 1 : p[i] === p[j] ? 0.5 : 0;
    }
  }
  return wins / pairs;
}

describe('evaluate: a platform evaluation of an imported version', () => {
  let ctx: Awaited<ReturnType<typeof bootApi>>;
  let tenant: OnboardedTenant;

  beforeAll(async () => {
    ctx = await bootApi();
    tenant = await onboardTenant(ctx.api, ctx.adminToken, 'Evaluated Imports');
  }, 180_000);

  afterAll(async () => {
    await ctx?.local.close();
  });

  it('scores the held-out dataset version with the ONNX runtime, records the full evaluation as the platform’s, and a platform-only policy then lets it be approved', async () => {
    const ds = tenant.tokens['data-scientist'];
    const admin = tenant.tokens['tenant-admin'];
    const call = (token: string, method: string, path: string, body?: unknown) =>
      ctx.api.call(method, path, { token, ...(body !== undefined ? { body } : {}) });
    const project = await createProject(ctx.api, ds);
    expect(
      (await call(admin, 'PUT', `/projects/${project.projectId}/policy`, { gates: ['auc >= 0.6', 'brier <= 0.3'], evaluationSources: ['platform'] })).status,
    ).toBe(200);
    const model = await call(ds, 'POST', '/models', {
      projectId: project.projectId,
      name: `imported-${Math.random().toString(36).slice(2, 8)}`,
      type: 'ml',
      framework: 'onnx',
      schema: {
        inputs: [
          { name: 'f1', type: 'float' },
          { name: 'f2', type: 'float' },
          { name: 'f3', type: 'float' },
        ],
        outputs: [{ name: 'probability', type: 'float' }],
      },
    });
    expect(model.status).toBe(201);
    const modelId: string = model.body.modelId;
    const { version, finalized } = await uploadVersion(ctx.api, ds, modelId, 'onnx', buildLinearModel({ weights: WEIGHTS, bias: BIAS, activation: 'sigmoid' }));
    expect(finalized.status).toBe(200);

    const data = heldOut();
    const dataset = await call(ds, 'POST', '/datasets', { name: `holdout-${Math.random().toString(36).slice(2, 8)}`, format: 'csv', tags: [] });
    await ctx.platform.tenantObjects(tenant.tenantId).put('incoming/holdout.csv', data.csv, 'text/csv');
    const datasetVersion = await call(ds, 'POST', `/datasets/${dataset.body.datasetId}/versions`, {
      sourceKey: 'incoming/holdout.csv',
      targetColumn: 'outcome',
      protectedAttributes: ['segment_group'],
    });
    expect(datasetVersion.status).toBe(202);
    expect((await waitForDatasetVersion(ctx.api, ds, dataset.body.datasetId, datasetVersion.body.version)).body.status).toBe('ready');
    const heldOutRef = { datasetId: dataset.body.datasetId, version: datasetVersion.body.version };

    // Bad input is a 4xx naming the field, and starts nothing.
    const noTarget = await call(ds, 'POST', '/pipelines/evaluate/executions', { modelId, version, dataset: heldOutRef, target: 'nope' });
    expect(noTarget.status).toBe(400);
    expect(JSON.stringify(noTarget.body)).toContain('target');
    const noVersion = await call(ds, 'POST', '/pipelines/evaluate/executions', { modelId, version: 99, dataset: heldOutRef });
    expect(noVersion.status).toBe(404);
    expect((await call(tenant.tokens.viewer, 'POST', '/pipelines/evaluate/executions', { modelId, version, dataset: heldOutRef })).status).toBe(403);

    const started = await call(ds, 'POST', '/pipelines/evaluate/executions', { modelId, version, dataset: heldOutRef });
    expect(started.status).toBe(202);
    const done = await waitForExecution(ctx.api, ds, started.body.executionId, 120_000);
    expect(done.body.status).toBe('SUCCEEDED');
    expect(done.body.states.map((s: { name: string }) => s.name)).toEqual(['PlanEvaluation', 'EvaluateVersion', 'Evaluated']);

    const evaluations = await call(ds, 'GET', `/models/${modelId}/versions/${version}/evaluations`);
    expect(evaluations.body.items).toHaveLength(1);
    const [evaluation] = evaluations.body.items;
    expect(evaluation).toMatchObject({
      source: 'platform',
      executionId: started.body.executionId,
      createdBy: `pipeline:${started.body.executionId}`,
      dataset: heldOutRef,
    });

    // The same numbers, computed here from the weights.
    const p = data.x.map((row) => 1 / (1 + Math.exp(-WEIGHTS.reduce((s, w, j) => s + w * row[j], BIAS))));
    const n = p.length;
    const predicted = p.map((v) => (v >= 0.5 ? 1 : 0));
    const tp = predicted.filter((v, i) => v === 1 && data.y[i] === 1).length;
    const fp = predicted.filter((v, i) => v === 1 && data.y[i] === 0).length;
    const fn = predicted.filter((v, i) => v === 0 && data.y[i] === 1).length;
    const m = evaluation.metrics;
    expect(m.auc).toBeCloseTo(aucByPairs(data.y, p), 6);
    expect(m.accuracy).toBeCloseTo(predicted.filter((v, i) => v === data.y[i]).length / n, 9);
    expect(m.precision).toBeCloseTo(tp / (tp + fp), 9);
    expect(m.recall).toBeCloseTo(tp / (tp + fn), 9);
    expect(m.brier).toBeCloseTo(p.reduce((s, v, i) => s + (v - data.y[i]) ** 2, 0) / n, 6);
    expect(m.logLoss).toBeCloseTo(-p.reduce((s, v, i) => s + (data.y[i] === 1 ? Math.log(v) : Math.log(1 - v)), 0) / n, 6);
    const rate = (g: string) => {
      const members = data.group.map((v, i) => (v === g ? i : -1)).filter((i) => i >= 0);
      return members.filter((i) => predicted[i] === 1).length / members.length;
    };
    expect(m.disparateImpact).toBeCloseTo(Math.min(rate('a'), rate('b')) / Math.max(rate('a'), rate('b')), 9);
    expect(evaluation.details.confusion).toMatchObject({ truePositive: tp, falsePositive: fp, falseNegative: fn });
    expect(evaluation.details.featureImportance.features.map((f: { feature: string }) => f.feature)).toEqual(['f1', 'f2', 'f3']);
    // f1 carries the largest weight: shuffling it costs the most AUC.
    const importance = Object.fromEntries(evaluation.details.featureImportance.features.map((f: { feature: string; mean: number }) => [f.feature, f.mean]));
    expect(importance.f1).toBeGreaterThan(importance.f3);

    const evaluated = await call(ds, 'GET', `/models/${modelId}/versions/${version}`);
    expect(evaluated.body.status).toBe('evaluated');
    expect((await call(ds, 'POST', `/models/${modelId}/versions/${version}/status`, { to: 'pending-approval' })).status).toBe(200);
    const inbox = await call(tenant.tokens.approver, 'GET', '/approvals/inbox?limit=100');
    const item = inbox.body.items.find((i: { modelId: string }) => i.modelId === modelId);
    expect(item).toMatchObject({ gates: { verdict: 'pass', sources: ['platform'] }, canApprove: true });
    const approved = await call(tenant.tokens.approver, 'POST', `/models/${modelId}/versions/${version}/decision`, {
      decision: 'approve',
      reason: 'platform evaluation passes the gates',
    });
    expect(approved.status).toBe(200);
  });

  it('evaluates an imported points scorecard with its own runtime: the named probability output, a categorical target, categorical inputs permuted', async () => {
    const ds = tenant.tokens['data-scientist'];
    const call = (method: string, path: string, body?: unknown) => ctx.api.call(method, path, { token: ds, ...(body !== undefined ? { body } : {}) });
    const project = await createProject(ctx.api, ds);
    const model = await call('POST', '/models', {
      projectId: project.projectId,
      name: `card-${Math.random().toString(36).slice(2, 8)}`,
      type: 'scorecard',
      framework: 'steward-scorecard',
      schema: POINTS_SCORECARD_IO,
    });
    const { version, finalized } = await uploadVersion(ctx.api, ds, model.body.modelId, 'scorecard', encodeJson(pointsScorecard()));
    expect(finalized.status).toBe(200);
    // The card by hand (test/fixtures/artifacts/points-scorecard.ts): P(bad) = 1 / (1 + 50 · 2^((score − 600) / 20)).
    const badProbability = (age: number, income: number, home: string, delinquent: boolean) => {
      const score =
        450 +
        (age < 25 ? 10 : age < 40 ? 25 : 40) +
        (income < 20000 ? 5 : income < 60000 ? 30 : 55) +
        (home === 'own' ? 45 : home === 'rent' ? 20 : 10) +
        (delinquent ? -20 : 30);
      return 1 / (1 + 50 * 2 ** ((score - 600) / 20));
    };
    const rows: { cells: string; p: number; bad: number }[] = [];
    let k = 0;
    for (const age of [19, 30, 55])
      for (const income of [10000, 40000, 90000])
        for (const home of ['own', 'rent', 'family'])
          for (const delinquent of [false, true]) {
            const p = badProbability(age, income, home, delinquent);
            // Labels that mostly follow the card, with every fifth row flipped so the AUC is not 1.
            const bad = (p > 0.02 ? 1 : 0) ^ (k++ % 5 === 0 ? 1 : 0);
            rows.push({ cells: `${age},${income},${home},${delinquent}`, p, bad });
          }
    const dataset = await call('POST', '/datasets', { name: `card-holdout-${Math.random().toString(36).slice(2, 8)}`, format: 'csv', tags: [] });
    await ctx.platform
      .tenantObjects(tenant.tenantId)
      .put('incoming/card.csv', `age,income,home,delinquent,defaulted\n${rows.map((r) => `${r.cells},${r.bad ? 'yes' : 'no'}`).join('\n')}\n`, 'text/csv');
    const dv = await call('POST', `/datasets/${dataset.body.datasetId}/versions`, { sourceKey: 'incoming/card.csv' });
    expect((await waitForDatasetVersion(ctx.api, ds, dataset.body.datasetId, dv.body.version)).body.status).toBe('ready');
    const input = {
      modelId: model.body.modelId,
      version,
      dataset: { datasetId: dataset.body.datasetId, version: dv.body.version },
      target: 'defaulted',
      positiveClass: 'yes',
      scoreOutput: 'bad_probability',
      threshold: 0.05,
    };
    expect((await call('POST', '/pipelines/evaluate/executions', { ...input, scoreOutput: 'odds' })).status).toBe(400);
    const started = await call('POST', '/pipelines/evaluate/executions', input);
    expect(started.status).toBe(202);
    const done = await waitForExecution(ctx.api, ds, started.body.executionId, 120_000);
    expect(done.body.status).toBe('SUCCEEDED');
    const [evaluation] = (await call('GET', `/models/${model.body.modelId}/versions/${version}/evaluations`)).body.items;
    const y = rows.map((r) => r.bad);
    const p = rows.map((r) => r.p);
    expect(evaluation.source).toBe('platform');
    expect(evaluation.metrics.auc).toBeCloseTo(aucByPairs(y, p), 9);
    expect(evaluation.metrics.brier).toBeCloseTo(p.reduce((s, v, i) => s + (v - y[i]) ** 2, 0) / p.length, 9);
    expect(evaluation.metrics.accuracy).toBeCloseTo(p.filter((v, i) => (v >= 0.05 ? 1 : 0) === y[i]).length / p.length, 9);
    expect(evaluation.details.featureImportance.features.map((f: { feature: string }) => f.feature)).toEqual(['age', 'income', 'home', 'delinquent']);
  });

  it('refuses what it cannot evaluate with a 4xx naming the field: a container version, a dataset that lacks an input', async () => {
    const ds = tenant.tokens['data-scientist'];
    const call = (method: string, path: string, body?: unknown) => ctx.api.call(method, path, { token: ds, ...(body !== undefined ? { body } : {}) });
    const project = await createProject(ctx.api, ds);
    const model = await call('POST', '/models', {
      projectId: project.projectId,
      name: `container-${Math.random().toString(36).slice(2, 8)}`,
      type: 'ml',
      framework: 'sagemaker',
      schema: {
        inputs: [
          { name: 'f1', type: 'float' },
          { name: 'f9', type: 'float' },
        ],
        outputs: [{ name: 'probability', type: 'float' }],
      },
    });
    const container = new TextEncoder().encode(JSON.stringify({ image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/scorer:1.0' }));
    const { version, finalized } = await uploadVersion(ctx.api, ds, model.body.modelId, 'sagemaker-container', container);
    expect(finalized.status).toBe(200);
    const dataset = await call('POST', '/datasets', { name: `small-${Math.random().toString(36).slice(2, 8)}`, format: 'csv', tags: [] });
    await ctx.platform.tenantObjects(tenant.tenantId).put('incoming/small.csv', 'f1,outcome\n1,0\n2,1\n3,0\n', 'text/csv');
    const dv = await call('POST', `/datasets/${dataset.body.datasetId}/versions`, { sourceKey: 'incoming/small.csv', targetColumn: 'outcome' });
    expect((await waitForDatasetVersion(ctx.api, ds, dataset.body.datasetId, dv.body.version)).body.status).toBe('ready');
    const res = await call('POST', '/pipelines/evaluate/executions', {
      modelId: model.body.modelId,
      version,
      dataset: { datasetId: dataset.body.datasetId, version: dv.body.version },
    });
    expect(res.status).toBe(400);
    expect(res.body.detail).toMatch(/sagemaker-container/);
    const list = await call('GET', '/executions?pipeline=evaluate');
    expect(list.body.items.filter((e: { input?: { modelId?: string } }) => e.input?.modelId === model.body.modelId)).toHaveLength(0);
  });
});
