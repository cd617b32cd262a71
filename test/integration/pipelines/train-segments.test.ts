import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { waitForDatasetVersion, waitForExecution } from '../../fixtures/pipelines/catalog-model';
import { bootApi, onboardTenant, type OnboardedTenant } from '../../support/api-client';
import { createProject } from '../catalog/catalog-fixtures';

/**
 * Segments of one: `train-segments` trains one model per value of a segment
 * column, each its own catalog model `<family>.<value>` with its own
 * versions, platform evaluation and policy verdict, and summarizes the run.
 */
// The 1,000-segment run takes minutes (about 0.15 s of work per segment, more on a loaded machine).
jest.setTimeout(1_500_000);

/** The diabetes data with a `band` column: sex × age band, six segments of 46–103 rows. */
function diabetesByBand(): { csv: string; rowsByBand: Map<string, number> } {
  const text = readFileSync(resolve(__dirname, '../../../../shared/datasets/diabetes.csv'), 'utf8').trim();
  const [header, ...lines] = text.split(/\r?\n/);
  const rowsByBand = new Map<string, number>();
  const out = lines.map((line) => {
    const [age, sex] = line.split(',').map(Number);
    const band = `${sex === 1 ? 'f' : 'm'}-${age < 40 ? 'under-40' : age < 55 ? '40-54' : '55-plus'}`;
    rowsByBand.set(band, (rowsByBand.get(band) ?? 0) + 1);
    return `${line},${band}`;
  });
  return { csv: `${header},band\n${out.join('\n')}\n`, rowsByBand };
}

/** Tiny synthetic data: `segments` stores of `rows` rows each, y = 2·x1 − x2 + store offset + small noise. */
function storesCsv(segments: number, rows: number): string {
  let state = 11;
  const next = () => {
    state = (state * 48271) % 2147483647;
    return state / 2147483647;
  };
  const lines: string[] = [];
  for (let s = 0; s < segments; s++) {
    for (let r = 0; r < rows; r++) {
      const x1 = Math.round(next() * 1000) / 100;
      const x2 = Math.round(next() * 1000) / 100;
      lines.push(`store-${s},${x1},${x2},${(2 * x1 - x2 + s / 100 + (next() - 0.5) / 10).toFixed(4)}`);
    }
  }
  return `store,x1,x2,sales\n${lines.join('\n')}\n`;
}

describe('train-segments: one model per segment', () => {
  let ctx: Awaited<ReturnType<typeof bootApi>>;
  let tenant: OnboardedTenant;
  const call = (token: string, method: string, path: string, body?: unknown) => ctx.api.call(method, path, { token, ...(body !== undefined ? { body } : {}) });

  beforeAll(async () => {
    ctx = await bootApi();
    tenant = await onboardTenant(ctx.api, ctx.adminToken, 'Segmented Retail');
  }, 180_000);

  afterAll(async () => {
    await ctx?.local.close();
  });

  async function datasetVersion(name: string, csv: string, extra: Record<string, unknown> = {}): Promise<{ datasetId: string; version: number }> {
    const ds = tenant.tokens['data-scientist'];
    const dataset = await call(ds, 'POST', '/datasets', { name: `${name}-${Math.random().toString(36).slice(2, 8)}`, format: 'csv', tags: [] });
    expect(dataset.status).toBe(201);
    const key = `incoming/${name}-${Math.random().toString(36).slice(2, 8)}.csv`;
    await ctx.platform.tenantObjects(tenant.tenantId).put(key, csv, 'text/csv');
    const version = await call(ds, 'POST', `/datasets/${dataset.body.datasetId}/versions`, { sourceKey: key, ...extra });
    expect(version.status).toBe(202);
    expect((await waitForDatasetVersion(ctx.api, ds, dataset.body.datasetId, version.body.version)).body.status).toBe('ready');
    return { datasetId: dataset.body.datasetId, version: version.body.version };
  }

  it('trains the diabetes data per sex × age band: six models of one family, each evaluated by the platform and judged on its own, and a rerun adds a version to each', async () => {
    const ds = tenant.tokens['data-scientist'];
    const { projectId } = await createProject(ctx.api, ds);
    const { csv, rowsByBand } = diabetesByBand();
    const dataset = await datasetVersion('diabetes-bands', csv, { targetColumn: 'progression' });
    const input = {
      projectId,
      family: 'progression',
      dataset,
      segmentColumn: 'band',
      target: 'progression',
      features: ['bmi', 'bp', 's1', 's2', 's3', 's4', 's5', 's6'],
      minRows: 50,
    };

    const bad = await call(ds, 'POST', '/pipelines/train-segments/executions', { ...input, segmentColumn: 'shop' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('segmentColumn');
    expect((await call(ds, 'POST', '/pipelines/train-segments/executions', { ...input, features: ['band'] })).status).toBe(400);

    const started = await call(ds, 'POST', '/pipelines/train-segments/executions', input);
    expect(started.status).toBe(202);
    const done = await waitForExecution(ctx.api, ds, started.body.executionId, 300_000);
    expect(done.body.status).toBe('SUCCEEDED');
    const summary = done.body.output;
    // f-under-40 has 71 rows, m-under-40 46: below minRows 50, skipped by the plan.
    const trainable = [...rowsByBand]
      .filter(([, n]) => n >= 50)
      .map(([band]) => band)
      .sort();
    expect(summary).toMatchObject({
      family: 'progression',
      segmentColumn: 'band',
      segments: 6,
      trained: trainable.length,
      skipped: 6 - trainable.length,
      failed: 0,
      statuses: { 'pending-approval': trainable.length },
    });
    expect(summary.metric.name).toBe('r2');
    expect(summary.trainingMs).toBeGreaterThan(0);

    const models = await call(ds, 'GET', `/models?tag=family:progression&limit=50`);
    expect(models.body.items.map((m: { name: string }) => m.name).sort()).toEqual(trainable.map((b) => `progression.${b}`));
    const document = JSON.parse(Buffer.from(await ctx.platform.tenantObjects(tenant.tenantId).getBytes(summary.summaryKey)).toString('utf8'));
    const listed = await call(ds, 'GET', `/executions/${started.body.executionId}/segments?limit=100`);
    expect(listed.status).toBe(200);
    expect(listed.body.items).toEqual(document.outcomes);
    expect(listed.body.items.filter((o: { outcome: string }) => o.outcome === 'skipped')).toEqual([
      expect.objectContaining({ value: 'm-under-40', rows: 46, reason: '46 rows; at least 50 are needed' }),
    ]);
    expect((await call(tenant.tokens['tenant-admin'], 'GET', `/executions/${started.body.executionId}/segments?limit=2`)).body).toMatchObject({
      items: [{ index: 0 }, { index: 1 }],
      next: expect.any(String),
    });
    for (const outcome of document.outcomes.filter((o: { outcome: string }) => o.outcome === 'trained')) {
      expect(outcome).toMatchObject({ outcome: 'trained', version: 1, status: 'pending-approval', rows: rowsByBand.get(outcome.value) });
      const version = await call(ds, 'GET', `/models/${outcome.modelId}/versions/1`);
      expect(version.body).toMatchObject({
        source: 'trained',
        status: 'pending-approval',
        lineage: { executionId: started.body.executionId, datasets: [{ ...dataset, role: 'training' }] },
      });
      expect(version.body.description).toContain(`band = ${outcome.value}`);
      const [evaluation] = (await call(ds, 'GET', `/models/${outcome.modelId}/versions/1/evaluations`)).body.items;
      // Per-segment metrics: the segment's own hold-out (25% of its rows), recorded as the platform's.
      expect(evaluation).toMatchObject({ source: 'platform', metrics: { r2: outcome.metrics.r2, rmse: outcome.metrics.rmse } });
      expect(evaluation.details.rows).toBe(Math.round(rowsByBand.get(outcome.value)! * 0.25));
    }
    const r2s = document.outcomes.filter((o: { outcome: string }) => o.outcome === 'trained').map((o: { metrics: { r2: number } }) => o.metrics.r2);
    expect(summary.metric.mean).toBeCloseTo(r2s.reduce((s: number, v: number) => s + v, 0) / r2s.length, 12);

    // A rerun adds version 2 to each segment's model; no new models. This one skips permutation importance.
    expect(document.outcomes.find((o: { outcome: string }) => o.outcome === 'trained')).toBeDefined();
    const again = await call(ds, 'POST', '/pipelines/train-segments/executions', { ...input, importance: false });
    expect((await waitForExecution(ctx.api, ds, again.body.executionId, 300_000)).body.output).toMatchObject({ trained: trainable.length });
    const after = await call(ds, 'GET', `/models?tag=family:progression&limit=50`);
    expect(after.body.items).toHaveLength(trainable.length);
    const firstTrained = document.outcomes.find((o: { outcome: string }) => o.outcome === 'trained');
    expect((await call(ds, 'GET', `/models/${firstTrained.modelId}/versions/2`)).body.lineage.executionId).toBe(again.body.executionId);
    const evaluationsOf = async (v: number) => (await call(ds, 'GET', `/models/${firstTrained.modelId}/versions/${v}/evaluations`)).body.items[0];
    expect((await evaluationsOf(1)).details.featureImportance.features).toHaveLength(8);
    expect((await evaluationsOf(2)).details.featureImportance).toBeUndefined();
  });

  it('completes a 1,000-segment run: a thousand models, each trained, registered, evaluated and judged', async () => {
    const ds = tenant.tokens['data-scientist'];
    const { projectId } = await createProject(ctx.api, ds);
    const dataset = await datasetVersion('stores', storesCsv(1000, 12));
    const started = await call(ds, 'POST', '/pipelines/train-segments/executions', {
      projectId,
      family: 'sales',
      dataset,
      segmentColumn: 'store',
      target: 'sales',
    });
    expect(started.status).toBe(202);
    const done = await waitForExecution(ctx.api, ds, started.body.executionId, 1_400_000);
    expect(done.body.status).toBe('SUCCEEDED');
    expect(done.body.output).toMatchObject({ segments: 1000, trained: 1000, skipped: 0, failed: 0, statuses: { 'pending-approval': 1000 } });
    // A near-exact linear relation in every store (r² on a three-row hold-out).
    expect(done.body.output.metric.min).toBeGreaterThan(0.8);
    const page = await call(ds, 'GET', `/models?tag=family:sales&limit=100`);
    expect(page.body.items).toHaveLength(100);
    expect(page.body.next).toBeDefined();
  });
});
