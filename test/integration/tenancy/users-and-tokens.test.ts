import { LOCKOUT_THRESHOLD } from '../../../core/identity/sign-in';
import { bootApi, onboardTenant, USER_PASSWORD } from '../../support/api-client';

describe('users, roles and CI tokens', () => {
  let clock = new Date('2026-11-23T10:00:00Z').getTime();
  let ctx: Awaited<ReturnType<typeof bootApi>>;
  beforeAll(async () => {
    ctx = await bootApi({ now: () => new Date(clock) });
  });
  afterAll(() => ctx.local.close());

  it('a CI token works, records last use, and is refused on the very next request after revocation', async () => {
    const tenant = await onboardTenant(ctx.api, ctx.adminToken, 'Tokens Inc', { roles: ['tenant-admin'] });
    const admin = tenant.tokens['tenant-admin'];
    const created = await ctx.api.call('POST', '/tokens', { token: admin, body: { name: 'github-actions', roles: ['data-scientist'], expiresInDays: 90 } });
    expect(created.status).toBe(201);
    const secret: string = created.body.secret;
    expect(secret).toMatch(/^stw_[0-9a-z]{26}_[A-Za-z0-9_-]{43}$/);
    const me = await ctx.api.call('GET', '/me', { token: secret });
    expect(me.body).toMatchObject({ kind: 'token', tenantId: tenant.tenantId, roles: ['data-scientist'], name: 'github-actions' });
    // The stored record has no secret, only what an admin needs.
    const stored = await ctx.platform.tenantTable(tenant.tenantId).get({ partition: ['TOKEN', created.body.token.tokenId], sort: 'META' });
    expect(JSON.stringify(stored)).not.toContain(secret.slice('stw_'.length + 26 + 1));
    await new Promise((r) => setTimeout(r, 50));
    const listed = await ctx.api.call('GET', '/tokens', { token: admin });
    expect(listed.body.items[0].lastUsedAt).toBeDefined();
    expect(listed.body.items[0]).not.toHaveProperty('secretHash');
    const revoked = await ctx.api.call('DELETE', `/tokens/${created.body.token.tokenId}`, { token: admin });
    expect(revoked.status).toBe(200);
    const after = await ctx.api.call('GET', '/me', { token: secret });
    expect(after.status).toBe(401);
    expect(after.body.detail).toContain('revoked');
  });

  it('refuses an expired CI token and a tampered one', async () => {
    const tenant = await onboardTenant(ctx.api, ctx.adminToken, 'Expiry', { roles: ['tenant-admin'] });
    const created = await ctx.api.call('POST', '/tokens', {
      token: tenant.tokens['tenant-admin'],
      body: { name: 'nightly', roles: ['viewer'], expiresInDays: 1 },
    });
    const secret: string = created.body.secret;
    expect((await ctx.api.call('GET', '/me', { token: secret })).status).toBe(200);
    const tampered = secret.slice(0, -2) + (secret.endsWith('AA') ? 'BB' : 'AA');
    expect((await ctx.api.call('GET', '/me', { token: tampered })).status).toBe(401);
    clock += 2 * 86_400_000;
    const expired = await ctx.api.call('GET', '/me', { token: secret });
    expect(expired.status).toBe(401);
    expect(expired.body.detail).toContain('expired');
  });

  it('keeps tenant-admin off CI tokens and validates expiry', async () => {
    const tenant = await onboardTenant(ctx.api, ctx.adminToken, 'Least Privilege', { roles: ['tenant-admin'] });
    const res = await ctx.api.call('POST', '/tokens', {
      token: tenant.tokens['tenant-admin'],
      body: { name: 'x', roles: ['tenant-admin'], expiresInDays: 9999 },
    });
    expect(res.status).toBe(400);
    expect(res.body.invalidFields.map((f: { field: string }) => f.field).sort()).toEqual(['body.expiresInDays', 'body.roles.0']);
  });

  it('role changes and disabling act on the next request', async () => {
    const tenant = await onboardTenant(ctx.api, ctx.adminToken, 'Roles', { roles: ['tenant-admin', 'viewer'] });
    const admin = tenant.tokens['tenant-admin'];
    const viewer = tenant.tokens.viewer;
    expect((await ctx.api.call('GET', '/tokens', { token: viewer })).status).toBe(403);
    const patched = await ctx.api.call('PATCH', `/users/${tenant.userIds.viewer}`, { token: admin, body: { roles: ['viewer', 'tenant-admin'] } });
    expect(patched.status).toBe(200);
    expect((await ctx.api.call('GET', '/tokens', { token: viewer })).status).toBe(200);
    await ctx.api.call('POST', `/users/${tenant.userIds.viewer}/disable`, { token: admin });
    expect((await ctx.api.call('GET', '/me', { token: viewer })).status).toBe(401);
    const trail = await ctx.api.call('GET', `/audit/events?targetType=user&targetId=${tenant.userIds.viewer}`, { token: admin });
    expect(trail.body.items.map((e: { action: string }) => e.action)).toEqual(['user.disabled', 'user.updated', 'user.activated', 'user.invited']);
  });

  it('a tenant admin cannot lock themselves out', async () => {
    const tenant = await onboardTenant(ctx.api, ctx.adminToken, 'Self', { roles: ['tenant-admin'] });
    const admin = tenant.tokens['tenant-admin'];
    expect((await ctx.api.call('PATCH', `/users/${tenant.userIds['tenant-admin']}`, { token: admin, body: { roles: ['viewer'] } })).status).toBe(403);
    expect((await ctx.api.call('POST', `/users/${tenant.userIds['tenant-admin']}/disable`, { token: admin })).status).toBe(403);
  });

  it('keeps one account per email platform-wide without telling another tenant that the address exists', async () => {
    const a = await onboardTenant(ctx.api, ctx.adminToken, 'Dup A', { roles: ['tenant-admin', 'viewer'] });
    const b = await onboardTenant(ctx.api, ctx.adminToken, 'Dup B', { roles: ['tenant-admin'] });
    const fresh = await ctx.api.call('POST', '/users', {
      token: b.tokens['tenant-admin'],
      body: { email: `nobody-${Date.now()}@dup.example`, roles: ['viewer'] },
    });
    const taken = await ctx.api.call('POST', '/users', { token: b.tokens['tenant-admin'], body: { email: a.emails.viewer, roles: ['viewer'] } });
    expect(taken.status).toBe(fresh.status);
    expect(Object.keys(taken.body).sort()).toEqual(Object.keys(fresh.body).sort());
    expect(taken.body.invitation).toEqual({ delivery: 'email', to: a.emails.viewer });
    // The owner of the address got a notice, no invitation; their account in A is untouched.
    const mail = await (await fetch(`${process.env.STEWARD_TEST_INBOX_URL}/api/messages?to=${encodeURIComponent(a.emails.viewer)}`)).json();
    expect(mail.items[0].subject).toBe('Your Steward address was used again');
    expect(mail.items[0].text).not.toMatch(/^Invitation:/m);
    expect((await ctx.api.call('GET', '/me', { token: a.tokens.viewer })).body.tenantId).toBe(a.tenantId);
    // Inside one tenant a duplicate is still a plain 409: its admin can list its users anyway.
    expect((await ctx.api.call('POST', '/users', { token: b.tokens['tenant-admin'], body: { email: a.emails.viewer, roles: ['viewer'] } })).status).toBe(409);
  }, 120_000);

  it(`locks an account after ${LOCKOUT_THRESHOLD} failed sign-ins and audits each failure`, async () => {
    const tenant = await onboardTenant(ctx.api, ctx.adminToken, 'Lockout', { roles: ['tenant-admin', 'approver'] });
    const email = tenant.emails.approver;
    for (let i = 0; i < LOCKOUT_THRESHOLD; i++) {
      expect((await ctx.api.call('POST', '/auth/token', { body: { email, password: 'wrong password!!' } })).status).toBe(401);
    }
    const locked = await ctx.api.call('POST', '/auth/token', { body: { email, password: USER_PASSWORD } });
    expect(locked.status).toBe(401);
    expect(locked.body.detail).toContain('locked');
    const trail = await ctx.api.call('GET', '/audit/events?actor=anonymous&limit=20', { token: tenant.tokens['tenant-admin'] });
    const actions = trail.body.items.map((e: { action: string }) => e.action);
    expect(actions.filter((a: string) => a === 'auth.sign-in-failed')).toHaveLength(LOCKOUT_THRESHOLD - 1);
    expect(actions).toContain('auth.locked-out');
    expect(actions[0]).toBe('auth.sign-in-refused-locked');
    clock += 16 * 60_000;
    expect((await ctx.api.call('POST', '/auth/token', { body: { email, password: USER_PASSWORD } })).status).toBe(200);
  });

  it('rate-limits a tenant at its plan with 429 and retry-after', async () => {
    const tenant = await onboardTenant(ctx.api, ctx.adminToken, 'Small Plan', { plan: 'free', roles: ['tenant-admin'] });
    const statuses: number[] = [];
    for (let i = 0; i < 60; i++) statuses.push((await ctx.api.call('GET', '/me', { token: tenant.tokens['tenant-admin'] })).status);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    const limited = await ctx.api.call('GET', '/me', { token: tenant.tokens['tenant-admin'] });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });
});
