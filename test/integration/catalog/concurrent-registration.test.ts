import { bootApi, onboardTenant, type OnboardedTenant } from '../../support/api-client';
import { createModel, createProject, CREDIT_SCHEMA } from './catalog-fixtures';

const ARTIFACT = { format: 'onnx', sha256: 'a'.repeat(64), size: 1024 };

/**
 * What parallel CI jobs do: many clients registering at once. Server-assigned
 * numbers and unique names must never become the clients' problem; the only
 * 412 is a stale revision the client itself gave. On both stores.
 */
describe.each(['sqlite', 'dynamodb-local'] as const)('concurrent registrations (%s store)', (store) => {
  let ctx: Awaited<ReturnType<typeof bootApi>>;
  let tenant: OnboardedTenant;
  let ds: string;
  beforeAll(async () => {
    ctx = await bootApi({ env: { STEWARD_STORE: store } });
    tenant = await onboardTenant(ctx.api, ctx.adminToken, 'Parallel CI', { roles: ['tenant-admin', 'data-scientist'] });
    ds = tenant.tokens['data-scientist'];
  });
  afterAll(() => ctx.local.close());

  it('numbers 32 simultaneous versions of one model 1..32, every call a 201', async () => {
    const project = await createProject(ctx.api, ds);
    const model = await createModel(ctx.api, ds, project.projectId);
    const answers = await Promise.all(
      Array.from({ length: 32 }, () => ctx.api.call('POST', `/models/${model.modelId}/versions`, { token: ds, body: { artifact: ARTIFACT } })),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(32).fill(201));
    const numbers = answers.map((a) => a.body.version as number).sort((a, b) => a - b);
    expect(numbers).toEqual(Array.from({ length: 32 }, (_, i) => i + 1));
    const listed = await ctx.api.call('GET', `/models/${model.modelId}/versions?limit=100`, { token: ds });
    expect(listed.body.items.map((v: { version: number }) => v.version).sort((a: number, b: number) => a - b)).toEqual(numbers);
    expect((await ctx.api.call('GET', '/tenant', { token: ds })).body.usage.versions).toBe(32);
  });

  it('registers simultaneous models with different names, and one of two with the same name', async () => {
    const project = await createProject(ctx.api, ds);
    const body = (name: string) => ({ projectId: project.projectId, name, type: 'ml', framework: 'onnx', schema: CREDIT_SCHEMA });
    const distinct = await Promise.all(Array.from({ length: 24 }, (_, i) => ctx.api.call('POST', '/models', { token: ds, body: body(`model-${i}`) })));
    expect(distinct.map((a) => a.status)).toEqual(Array(24).fill(201));
    const same = await Promise.all([
      ctx.api.call('POST', '/models', { token: ds, body: body('twin') }),
      ctx.api.call('POST', '/models', { token: ds, body: body('TWIN') }),
    ]);
    expect(same.map((a) => a.status).sort()).toEqual([201, 409]);
  });

  it('answers 412 only to a stale expectedRevision the client gave', async () => {
    const project = await createProject(ctx.api, ds);
    const model = await createModel(ctx.api, ds, project.projectId);
    const path = `/models/${model.modelId}`;
    expect((await ctx.api.call('PATCH', path, { token: ds, body: { description: 'first', expectedRevision: model.revision } })).status).toBe(200);
    const stale = await ctx.api.call('PATCH', path, { token: ds, body: { description: 'second', expectedRevision: model.revision } });
    expect(stale.status).toBe(412);
    expect((await ctx.api.call('GET', path, { token: ds })).body.description).toBe('first');
  });
});
