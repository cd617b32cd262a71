import { bootApi, onboardTenant, type OnboardedTenant } from '../../support/api-client';
import { createModel, createProject, CREDIT_SCHEMA, uploadVersion } from './catalog-fixtures';
import { versionWrite } from '../../../core/catalog/versions';

const CONTAINER = new TextEncoder().encode(JSON.stringify({ image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/credit-model@sha256:' + 'a'.repeat(64) }));

describe('model catalog', () => {
  let ctx: Awaited<ReturnType<typeof bootApi>>;
  let tenant: OnboardedTenant;
  let ds: string;
  beforeAll(async () => {
    ctx = await bootApi();
    tenant = await onboardTenant(ctx.api, ctx.adminToken, 'Catalog Bank');
    ds = tenant.tokens['data-scientist'];
  });
  afterAll(() => ctx.local.close());

  it('creates projects and models, refusing duplicate names case-insensitively with nothing written', async () => {
    const project = await createProject(ctx.api, ds, 'Cards');
    expect((await ctx.api.call('POST', '/projects', { token: ds, body: { name: 'cards' } })).status).toBe(409);
    const model = await createModel(ctx.api, ds, project.projectId, { name: 'Churn' });
    expect(model).toMatchObject({ name: 'Churn', latestVersion: 0, aliases: {}, owner: `user:${tenant.userIds['data-scientist']}` });
    const dup = await ctx.api.call('POST', '/models', {
      token: ds,
      body: { projectId: project.projectId, name: 'CHURN', type: 'ml', framework: 'onnx', schema: CREDIT_SCHEMA },
    });
    expect(dup.status).toBe(409);
    const usage = await ctx.api.call('GET', '/tenant', { token: ds });
    expect(usage.body.usage.models).toBe(1);
  });

  it('answers schema violations with every invalid field named', async () => {
    const project = await createProject(ctx.api, ds);
    const res = await ctx.api.call('POST', '/models', {
      token: ds,
      body: {
        projectId: project.projectId,
        name: 'bad name!',
        type: 'neural',
        framework: 'ONNX',
        schema: { inputs: [{ name: '1x', type: 'tensor' }], outputs: [] },
      },
    });
    expect(res.status).toBe(400);
    const fields = res.body.invalidFields.map((f: { field: string }) => f.field);
    expect(fields).toEqual(expect.arrayContaining(['body.name', 'body.type', 'body.framework', 'body.schema.inputs.0.name', 'body.schema.inputs.0.type']));
    const missingProject = await ctx.api.call('POST', '/models', {
      token: ds,
      body: { projectId: '0'.repeat(26), name: 'x', type: 'ml', framework: 'onnx', schema: CREDIT_SCHEMA },
    });
    expect(missingProject.status).toBe(404);
  });

  it('numbers versions, moves them only along the status machine, and audits each move', async () => {
    const project = await createProject(ctx.api, ds);
    const model = await createModel(ctx.api, ds, project.projectId);
    const { version, finalized } = await uploadVersion(ctx.api, ds, model.modelId, 'sagemaker-container', CONTAINER);
    expect(version).toBe(1);
    expect(finalized.status).toBe(200);
    expect(finalized.body.artifact.state).toBe('verified');
    const base = `/models/${model.modelId}/versions/1`;
    const illegal = await ctx.api.call('POST', `${base}/status`, { token: ds, body: { to: 'trained' } });
    expect(illegal.status).toBe(409);
    expect(illegal.body.type).toBe('urn:steward:problem:illegal-transition');
    expect(illegal.body.detail).toContain("from 'registered'");
    expect((await ctx.api.call('POST', `${base}/status`, { token: ds, body: { to: 'approved' } })).status).toBe(403);
    for (const to of ['evaluating', 'evaluated', 'pending-approval']) {
      expect((await ctx.api.call('POST', `${base}/status`, { token: ds, body: { to } })).status).toBe(200);
    }
    const stale = await ctx.api.call('POST', `${base}/status`, { token: ds, body: { to: 'evaluating', expectedRevision: 1 } });
    expect(stale.status).toBe(412);
    const trail = await ctx.api.call('GET', `/audit/events?targetType=version&targetId=${model.modelId}-1`, { token: tenant.tokens.viewer });
    expect(trail.body.items.map((e: { action: string }) => e.action)).toEqual([
      'version.status-changed',
      'version.status-changed',
      'version.status-changed',
      'version.artifact-verified',
      'version.registered',
    ]);
    expect(trail.body.items[0].before.status).toBe('evaluated');
    expect(trail.body.items[0].after.status).toBe('pending-approval');
  });

  it('enforces segregation of duties on approval and records the decision', async () => {
    const project = await createProject(ctx.api, ds);
    const model = await createModel(ctx.api, ds, project.projectId);
    await uploadVersion(ctx.api, ds, model.modelId, 'sagemaker-container', CONTAINER);
    const base = `/models/${model.modelId}/versions/1`;
    for (const to of ['evaluating', 'evaluated', 'pending-approval']) await ctx.api.call('POST', `${base}/status`, { token: ds, body: { to } });
    // The tenant admin also holds no approval right; the approver does, and did not build the model.
    expect((await ctx.api.call('POST', `${base}/decision`, { token: ds, body: { decision: 'approve', reason: 'mine' } })).status).toBe(403);
    const approved = await ctx.api.call('POST', `${base}/decision`, { token: tenant.tokens.approver, body: { decision: 'approve', reason: 'AUC above gate' } });
    expect(approved.status).toBe(200);
    expect(approved.body.version.status).toBe('approved');
    const decisions = await ctx.api.call('GET', `${base}/approvals`, { token: tenant.tokens.viewer });
    expect(decisions.body.items).toHaveLength(1);
    expect(decisions.body.items[0]).toMatchObject({ decision: 'approve', decidedBy: `user:${tenant.userIds.approver}` });
    const champion = await ctx.api.call('PUT', `/models/${model.modelId}/aliases/champion`, { token: tenant.tokens.deployer, body: { version: 1 } });
    expect(champion.status).toBe(200);
    expect(champion.body.aliases.champion).toBe(1);
    const champions = await ctx.api.call('GET', '/versions?stage=champion', { token: ds });
    expect(champions.body.items.map((v: { modelId: string }) => v.modelId)).toContain(model.modelId);
    expect((await ctx.api.call('PUT', `/models/${model.modelId}/aliases/champion`, { token: ds, body: { version: 1 } })).status).toBe(403);
  });

  it('searches models and versions by every indexed dimension with stable cursor pagination', async () => {
    const project = await createProject(ctx.api, ds, 'Search');
    const names = ['alpha', 'alpine', 'beta', 'gamma', 'altitude'];
    for (const name of names)
      await createModel(ctx.api, ds, project.projectId, {
        name,
        tags: name.startsWith('al') ? ['mountain'] : ['greek'],
        framework: name === 'beta' ? 'xgboost' : 'onnx',
      });
    const byProject = await ctx.api.call('GET', `/models?projectId=${project.projectId}&limit=2`, { token: ds });
    expect(byProject.body.items.map((m: { name: string }) => m.name)).toEqual(['alpha', 'alpine']);
    const page2 = await ctx.api.call('GET', `/models?projectId=${project.projectId}&limit=2&cursor=${byProject.body.next}`, { token: ds });
    expect(page2.body.items.map((m: { name: string }) => m.name)).toEqual(['altitude', 'beta']);
    const page3 = await ctx.api.call('GET', `/models?projectId=${project.projectId}&limit=2&cursor=${page2.body.next}`, { token: ds });
    expect(page3.body.items.map((m: { name: string }) => m.name)).toEqual(['gamma']);
    expect(page3.body.next).toBeUndefined();
    const prefix = await ctx.api.call('GET', `/models?projectId=${project.projectId}&namePrefix=ALP`, { token: ds });
    expect(prefix.body.items.map((m: { name: string }) => m.name)).toEqual(['alpha', 'alpine']);
    const tag = await ctx.api.call('GET', '/models?tag=mountain&order=desc', { token: ds });
    expect(tag.body.items.map((m: { name: string }) => m.name)).toEqual(['altitude', 'alpine', 'alpha']);
    const framework = await ctx.api.call('GET', '/models?framework=xgboost', { token: ds });
    expect(framework.body.items.map((m: { name: string }) => m.name)).toEqual(['beta']);
    const combined = await ctx.api.call('GET', '/models?tag=mountain&type=ml', { token: ds });
    expect(combined.status).toBe(400);
    const retagged = await ctx.api.call('GET', '/models?tag=greek', { token: ds });
    const gamma = retagged.body.items.find((m: { name: string }) => m.name === 'gamma');
    await ctx.api.call('PATCH', `/models/${gamma.modelId}`, { token: ds, body: { tags: ['mountain'] } });
    expect((await ctx.api.call('GET', '/models?tag=greek', { token: ds })).body.items.map((m: { name: string }) => m.name)).toEqual(['beta']);
    expect((await ctx.api.call('GET', '/models?tag=mountain', { token: ds })).body.items.map((m: { name: string }) => m.name)).toContain('gamma');
    const registered = await ctx.api.call('GET', `/versions?projectId=${project.projectId}`, { token: ds });
    expect(registered.body.items).toEqual([]);
  });

  it('refuses an artifact whose bytes differ from the declaration and records nothing', async () => {
    const project = await createProject(ctx.api, ds);
    const model = await createModel(ctx.api, ds, project.projectId);
    const { finalized } = await uploadVersion(ctx.api, ds, model.modelId, 'sagemaker-container', CONTAINER, { declareSha: 'b'.repeat(64) });
    expect(finalized.status).toBe(400);
    expect(finalized.body.invalidFields[0].field).toBe('artifact.sha256');
    const version = await ctx.api.call('GET', `/models/${model.modelId}/versions/1`, { token: ds });
    expect(version.body.artifact.state).toBe('awaiting-upload');
    expect(version.body.revision).toBe(1);
    expect(await ctx.platform.tenantObjects(tenant.tenantId).head(version.body.artifact.key)).toBeUndefined();
    const tooBig = await ctx.api.call('POST', `/models/${model.modelId}/versions`, {
      token: ds,
      body: { artifact: { format: 'onnx', sha256: 'c'.repeat(64), size: 10 * 1024 ** 3 } },
    });
    expect(tooBig.status).toBe(400);
    expect(tooBig.body.invalidFields[0].field).toBe('body.artifact.size');
  });

  it('enforces the plan’s model quota with a clear error', async () => {
    const small = await onboardTenant(ctx.api, ctx.adminToken, 'Quota Co', { plan: 'free', roles: ['tenant-admin', 'data-scientist'] });
    const token = small.tokens['data-scientist'];
    const project = await createProject(ctx.api, token);
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        ctx.api.call('POST', '/models', { token, body: { projectId: project.projectId, name: `m${i}`, type: 'ml', framework: 'onnx', schema: CREDIT_SCHEMA } }),
      ),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(10);
    const refused = results.find((r) => r.status === 429)!;
    expect(refused.body.type).toBe('urn:steward:problem:quota-exceeded');
    expect(refused.body.detail).toContain("'models' of 10");
    expect((await ctx.api.call('GET', '/tenant', { token })).body.usage.models).toBe(10);
  });

  it('allocates distinct numbers to concurrent registrations on one model', async () => {
    const project = await createProject(ctx.api, ds);
    const model = await createModel(ctx.api, ds, project.projectId);
    const results = await Promise.all(
      Array.from({ length: 6 }, () =>
        ctx.api.call('POST', `/models/${model.modelId}/versions`, { token: ds, body: { artifact: { format: 'onnx', sha256: 'd'.repeat(64), size: 100 } } }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(6).fill(201));
    expect(results.map((r) => r.body.version).sort()).toEqual([1, 2, 3, 4, 5, 6]);
    expect((await ctx.api.call('GET', `/models/${model.modelId}`, { token: ds })).body.latestVersion).toBe(6);
  });

  it('claims the number with the version key: a number taken elsewhere (another process) is skipped, and the model item is not rewritten', async () => {
    const project = await createProject(ctx.api, ds);
    const model = await createModel(ctx.api, ds, project.projectId);
    const register = () =>
      ctx.api.call('POST', `/models/${model.modelId}/versions`, { token: ds, body: { artifact: { format: 'onnx', sha256: 'd'.repeat(64), size: 100 } } });
    expect((await register()).body.version).toBe(1);
    // Another API process registers version 2: this process has not seen it.
    const table = ctx.platform.tenantTable(tenant.tenantId);
    const v1 = (await ctx.api.call('GET', `/models/${model.modelId}/versions/1`, { token: ds })).body;
    await table.transact([versionWrite({ ...v1, version: 2, artifact: { ...v1.artifact, key: `models/${model.modelId}/versions/000002/artifact` } }, 'new')]);
    const third = await register();
    expect(third).toMatchObject({ status: 201, body: { version: 3 } });
    const after = (await ctx.api.call('GET', `/models/${model.modelId}`, { token: ds })).body;
    expect(after).toMatchObject({ latestVersion: 3, revision: model.revision, updatedAt: model.updatedAt });
  });
});
