import { bootApi, onboardTenant, type OnboardedTenant } from '../../support/api-client';
import { logisticRegression30 } from '../../fixtures/artifacts/build-onnx';
import { LOGISTIC_30_IO } from '../../fixtures/artifacts/io-schemas';
import { createModel, createProject, sha256, uploadVersion } from './catalog-fixtures';
import { waitForDatasetVersion } from '../../fixtures/pipelines/catalog-model';

describe('evaluations, lineage and the model report', () => {
  let ctx: Awaited<ReturnType<typeof bootApi>>;
  let tenant: OnboardedTenant;
  let ds: string;
  let datasetId: string;
  let modelId: string;

  beforeAll(async () => {
    ctx = await bootApi();
    tenant = await onboardTenant(ctx.api, ctx.adminToken, 'Lineage Bank');
    ds = tenant.tokens['data-scientist'];
    const dataset = await ctx.api.call('POST', '/datasets', { token: ds, body: { name: 'applications', format: 'csv' } });
    datasetId = dataset.body.datasetId;
    await ctx.platform.tenantObjects(tenant.tenantId).put('incoming/apps.csv', 'age,income,default\n30,52000,0\n41,61000,1\n', 'text/csv');
    const v1 = await ctx.api.call('POST', `/datasets/${datasetId}/versions`, { token: ds, body: { sourceKey: 'incoming/apps.csv' } });
    expect(v1.status).toBe(202);
    expect((await waitForDatasetVersion(ctx.api, ds, datasetId, v1.body.version)).body.status).toBe('ready');
    const project = await createProject(ctx.api, ds);
    modelId = (
      await createModel(ctx.api, ds, project.projectId, {
        name: 'default-risk',
        schema: LOGISTIC_30_IO,
        description: 'Probability of default <b>within</b> 12 months',
      })
    ).modelId;
    const bytes = logisticRegression30();
    const { finalized } = await uploadVersion(ctx.api, ds, modelId, 'onnx', bytes, {
      lineage: {
        datasets: [{ datasetId, version: 1, role: 'training' }],
        codeRevision: 'a1b2c3d4e5f6a7b8c9d0',
        hyperparameters: { l2: 1, maxIterations: 100 },
      },
    });
    expect(finalized.status).toBe(200);
    expect(finalized.body.artifact.sha256).toBe(sha256(bytes));
  });
  afterAll(() => ctx.local.close());

  it('refuses lineage that names a dataset version that does not exist, writing nothing', async () => {
    const res = await ctx.api.call('POST', `/models/${modelId}/versions`, {
      token: ds,
      body: { artifact: { format: 'onnx', sha256: 'a'.repeat(64), size: 10 }, lineage: { datasets: [{ datasetId, version: 9, role: 'training' }] } },
    });
    expect(res.status).toBe(400);
    expect(res.body.invalidFields[0].field).toBe('body.lineage.datasets.0');
    expect((await ctx.api.call('GET', `/models/${modelId}`, { token: ds })).body.latestVersion).toBe(1);
  });

  it('keeps every evaluation, only while the version is being evaluated', async () => {
    const base = `/models/${modelId}/versions/1`;
    expect((await ctx.api.call('POST', `${base}/evaluations`, { token: ds, body: { metrics: { auc: 0.9 } } })).status).toBe(409);
    await ctx.api.call('POST', `${base}/status`, { token: ds, body: { to: 'evaluating' } });
    const bad = await ctx.api.call('POST', `${base}/evaluations`, { token: ds, body: { metrics: { 'bad metric!': 1 } } });
    expect(bad.status).toBe(400);
    for (const auc of [0.91, 0.93]) {
      const res = await ctx.api.call('POST', `${base}/evaluations`, {
        token: ds,
        body: { metrics: { auc, logLoss: 0.2 }, dataset: { datasetId, version: 1 } },
      });
      expect(res.status).toBe(201);
    }
    const list = await ctx.api.call('GET', `${base}/evaluations`, { token: tenant.tokens.viewer });
    expect(list.body.items.map((e: { metrics: { auc: number } }) => e.metrics.auc)).toEqual([0.91, 0.93]);
    // Posted by a person, and marked so whatever the body says: the mark is not a request field.
    expect(list.body.items.map((e: { source: string }) => e.source)).toEqual(['person', 'person']);
  });

  it('draws the lineage graph forwards and answers which versions used a dataset', async () => {
    const base = `/models/${modelId}/versions/1`;
    await ctx.api.call('POST', `${base}/status`, { token: ds, body: { to: 'evaluated' } });
    await ctx.api.call('POST', `${base}/status`, { token: ds, body: { to: 'pending-approval' } });
    await ctx.api.call('POST', `${base}/decision`, { token: tenant.tokens.approver, body: { decision: 'approve', reason: 'gate passed <script>' } });
    const graph = await ctx.api.call('GET', `${base}/lineage`, { token: tenant.tokens.viewer });
    expect(graph.status).toBe(200);
    const kinds = graph.body.nodes.map((n: { kind: string }) => n.kind).sort();
    expect(kinds).toEqual(['approval', 'code', 'dataset', 'evaluation', 'evaluation', 'version']);
    const relations = graph.body.edges.map((e: { relation: string }) => e.relation).sort();
    expect(relations).toEqual(['built-from', 'decides', 'evaluated-on', 'evaluated-on', 'evaluates', 'evaluates', 'trained-on']);
    expect(graph.body.edges).toContainEqual({ from: `dataset:${datasetId}/1`, to: graph.body.root, relation: 'trained-on' });
    const usedBy = await ctx.api.call('GET', `/datasets/${datasetId}/used-by`, { token: tenant.tokens.viewer });
    expect(usedBy.body.items).toEqual([expect.objectContaining({ modelId, version: 1, datasetVersion: 1, role: 'training', modelName: 'default-risk' })]);
    expect((await ctx.api.call('GET', `/datasets/${datasetId}/used-by?datasetVersion=2`, { token: ds })).body.items).toEqual([]);
    expect((await ctx.api.call('GET', `${base}/deployments`, { token: ds })).body.items).toEqual([]);
  });

  it('renders the report an auditor asks for, as Markdown and as escaped HTML', async () => {
    const base = `/models/${modelId}/versions/1`;
    const md = await ctx.api.call('GET', `${base}/report?format=markdown`, { token: tenant.tokens.viewer });
    expect(md.status).toBe(200);
    expect(md.headers.get('content-type')).toContain('text/markdown');
    const text: string = md.body;
    for (const section of [
      '# Model report: default-risk v1',
      '## Input and output schema',
      '## Lineage',
      '## Evaluations',
      '## Approvals',
      '## Deployments',
      '## History (audit trail)',
    ]) {
      expect(text).toContain(section);
    }
    expect(text).toContain('auc=0.9300');
    expect(text).toContain('approve');
    expect(text).toContain('version.registered');
    expect(text).toContain('a1b2c3d4e5f6a7b8c9d0');
    const html = await ctx.api.call('GET', `${base}/report`, { token: tenant.tokens.viewer });
    expect(html.headers.get('content-type')).toContain('text/html');
    expect(html.body).toContain('<h2>Approvals</h2>');
    expect(html.body).toContain('gate passed &lt;script&gt;');
    expect(html.body).not.toContain('<script>');
    expect(html.body).toContain('&lt;b&gt;within&lt;/b&gt;');
  });

  it('publishes the JSON Schema of rules documents', async () => {
    const res = await ctx.api.call('GET', '/catalog/schemas/rules-document', { token: ds });
    expect(res.status).toBe(200);
    expect(res.body.$schema).toContain('2020-12');
    expect(JSON.stringify(res.body)).toContain('steward-rules/v1');
  });
});
