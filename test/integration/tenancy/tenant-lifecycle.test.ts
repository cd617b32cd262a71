import { ADMIN_EMAIL, bootApi, onboardTenant, signInAs, USER_PASSWORD } from '../../support/api-client';

describe('tenant lifecycle through the API', () => {
  let ctx: Awaited<ReturnType<typeof bootApi>>;
  beforeAll(async () => {
    ctx = await bootApi();
  });
  afterAll(() => ctx.local.close());

  it('refuses a malformed sign-up naming each bad field, and writes nothing', async () => {
    const before = await ctx.api.call('GET', '/platform/tenants?limit=100', { token: ctx.adminToken });
    const res = await ctx.api.call('POST', '/signup', { body: { name: 'x', adminEmail: 'not-an-email', plan: 'gold' } });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body.type).toBe('urn:steward:problem:validation-failed');
    const fields = res.body.invalidFields.map((f: { field: string }) => f.field).sort();
    expect(fields).toEqual(['body.adminEmail', 'body.name', 'body.plan']);
    expect(res.body.requestId).toBe(res.headers.get('x-request-id'));
    const after = await ctx.api.call('GET', '/platform/tenants?limit=100', { token: ctx.adminToken });
    expect(after.body.items).toHaveLength(before.body.items.length);
  });

  it('answers malformed JSON with a 400 problem, not a 500', async () => {
    const res = await ctx.api.raw('POST', '/signup', '{"name": ');
    expect(res.status).toBe(400);
    expect(res.body.invalidFields).toEqual([{ field: 'body', problem: 'malformed JSON' }]);
  });

  it('onboards: sign-up → approval → invitation → tenant admin signed in', async () => {
    const tenant = await onboardTenant(ctx.api, ctx.adminToken, 'Retail Credit', { roles: ['tenant-admin'] });
    expect(tenant.tenantId).toMatch(/^t[0-9a-z]{15}$/);
    const overview = await ctx.api.call('GET', '/tenant', { token: tenant.tokens['tenant-admin'] });
    expect(overview.status).toBe(200);
    expect(overview.body.tenant).toMatchObject({ tenantId: tenant.tenantId, status: 'active', plan: 'enterprise' });
    expect(overview.body.quotas.models).toBeGreaterThan(0);
    const audit = await ctx.api.call('GET', '/audit/events?limit=50', { token: tenant.tokens['tenant-admin'] });
    const actions = audit.body.items.map((e: { action: string }) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['tenant.requested', 'tenant.approved', 'user.invited', 'user.activated']));
    const approved = audit.body.items.find((e: { action: string }) => e.action === 'tenant.approved');
    expect(approved.before.status).toBe('requested');
    expect(approved.after.status).toBe('active');
    expect(approved.actor).toMatch(/^platform-admin:/);
  });

  it('refuses a second approval and illegal transitions with a clear 409', async () => {
    const tenant = await onboardTenant(ctx.api, ctx.adminToken, 'Twice', { roles: ['tenant-admin'] });
    const again = await ctx.api.call('POST', `/platform/tenants/${tenant.tenantId}/approve`, { token: ctx.adminToken });
    expect(again.status).toBe(409);
    const resume = await ctx.api.call('POST', `/platform/tenants/${tenant.tenantId}/resume`, { token: ctx.adminToken, body: { reason: 'not suspended' } });
    expect(resume.status).toBe(409);
  });

  it('suspension refuses every request at once and keeps the data; resume restores access', async () => {
    const tenant = await onboardTenant(ctx.api, ctx.adminToken, 'Suspended Co', { roles: ['tenant-admin'] });
    const token = tenant.tokens['tenant-admin'];
    expect((await ctx.api.call('GET', '/users', { token })).status).toBe(200);
    const ci = await ctx.api.call('POST', '/tokens', { token, body: { name: 'build', roles: ['data-scientist'], expiresInDays: 30 } });
    const suspended = await ctx.api.call('POST', `/platform/tenants/${tenant.tenantId}/suspend`, { token: ctx.adminToken, body: { reason: 'unpaid invoice' } });
    expect(suspended.status).toBe(200);
    expect((await ctx.api.call('GET', '/users', { token })).status).toBe(401);
    expect((await ctx.api.call('GET', '/me', { token: ci.body.secret })).status).toBe(401);
    const signIn = await ctx.api.call('POST', '/auth/token', { body: { email: tenant.emails['tenant-admin'], password: USER_PASSWORD } });
    expect(signIn.status).toBe(401);
    await ctx.api.call('POST', `/platform/tenants/${tenant.tenantId}/resume`, { token: ctx.adminToken, body: { reason: 'paid' } });
    const users = await ctx.api.call('GET', '/users', { token });
    expect(users.status).toBe(200);
    expect(users.body.items).toHaveLength(1);
  });

  it('deletion purges tenant data and storage but keeps the audit trail', async () => {
    const tenant = await onboardTenant(ctx.api, ctx.adminToken, 'Gone Ltd', { roles: ['tenant-admin', 'viewer'] });
    const objects = ctx.platform.tenantObjects(tenant.tenantId);
    await objects.put('datasets/x.csv', 'a,b\n1,2\n', 'text/csv');
    const deleted = await ctx.api.call('DELETE', `/platform/tenants/${tenant.tenantId}`, { token: ctx.adminToken, body: { reason: 'contract ended' } });
    expect(deleted.status).toBe(200);
    expect(deleted.body.objectsRemoved).toBe(1);
    expect(deleted.body.itemsRemoved).toBeGreaterThanOrEqual(2);
    expect(await objects.list('')).toEqual([]);
    expect((await ctx.api.call('GET', '/me', { token: tenant.tokens.viewer })).status).toBe(401);
    const table = ctx.platform.tenantTable(tenant.tenantId);
    expect((await table.query({ index: 'gsi1', partition: ['USERS'] })).items).toEqual([]);
    const trail = await table.query({ partition: ['AUDIT'], limit: 100 });
    expect(trail.items.map((e) => e.action)).toEqual(expect.arrayContaining(['tenant.requested', 'tenant.approved', 'tenant.deleted']));
    // The email is free again once the tenant is gone.
    const again = await ctx.api.call('POST', '/signup', { body: { name: 'Gone Again', adminEmail: tenant.emails['tenant-admin'] } });
    expect(again.status).toBe(202);
  });

  it('refuses platform routes to tenant users and tenant routes to platform admins', async () => {
    const tenant = await onboardTenant(ctx.api, ctx.adminToken, 'Walls', { roles: ['tenant-admin'] });
    expect((await ctx.api.call('GET', '/platform/tenants', { token: tenant.tokens['tenant-admin'] })).status).toBe(403);
    expect((await ctx.api.call('GET', '/users', { token: ctx.adminToken })).status).toBe(403);
  });

  it('needs the explicit bootstrap: no default administrator exists', async () => {
    const res = await ctx.api.call('POST', '/auth/token', { body: { email: 'admin@steward.local', password: 'admin' } });
    expect(res.status).toBe(401);
    expect(await signInAs(ctx.api, ADMIN_EMAIL, 'correct horse battery staple')).toMatch(/^ey/);
  });
});
