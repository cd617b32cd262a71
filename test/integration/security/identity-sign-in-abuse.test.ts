import { LOCKOUT_THRESHOLD } from '../../../core/identity/sign-in';
import { RateLimited } from '../../../core/errors';
import { PUBLIC_LIMITS, takePublicLimit } from '../../../core/identity/public-route-limits';
import { bootApi, onboardTenant, USER_PASSWORD, type Reply } from '../../support/api-client';

/**
 * Issue 14: parallel guesses each count, the lock follows the configured
 * count, and no answer (status, body, headers that matter) tells a known
 * email from an unknown one — nor a locked account from a wrong password.
 */
describe('sign-in abuse', () => {
  let ctx: Awaited<ReturnType<typeof bootApi>>;
  beforeAll(async () => {
    // A clock standing at the start of every limit window: no window ends mid-test.
    const windowStart = new Date('2026-11-23T10:00:00Z');
    ctx = await bootApi({ now: () => windowStart });
  }, 120_000);
  afterAll(() => ctx.local.close());

  const signIn = (email: string, password: string) => ctx.api.call('POST', '/auth/token', { body: { email, password } });
  // What a client sees, without the parts that differ per request by design.
  const visible = (r: Reply) => ({ status: r.status, body: { ...r.body, requestId: undefined }, authenticate: r.headers.get('www-authenticate') });

  it(`20 parallel wrong passwords all count: the account locks after ${LOCKOUT_THRESHOLD}, and known and unknown emails get identical answers`, async () => {
    const tenant = await onboardTenant(ctx.api, ctx.adminToken, 'Guessed At', { roles: ['tenant-admin', 'viewer'] });
    const known = tenant.emails.viewer;
    const unknown = `nobody-${Date.now()}@guessed-at.example`;
    const [onKnown, onUnknown] = await Promise.all([
      Promise.all(Array.from({ length: 20 }, (_, i) => signIn(known, `wrong password ${i}`))),
      Promise.all(Array.from({ length: 20 }, (_, i) => signIn(unknown, `wrong password ${i}`))),
    ]);
    const reference = visible(onKnown[0]);
    expect(reference.status).toBe(401);
    for (const answer of [...onKnown, ...onUnknown]) expect(visible(answer)).toEqual(reference);

    // Every one of the 20 was counted and audited (a lost race would have swallowed most of them).
    const trail = await ctx.api.call('GET', '/audit/events?actor=anonymous&limit=50', { token: tenant.tokens['tenant-admin'] });
    const failures = trail.body.items.filter((e: { action: string }) => e.action.startsWith('auth.'));
    expect(failures).toHaveLength(20);
    expect(Math.max(...failures.map((e: { after: { failedAttempts: number } }) => e.after.failedAttempts))).toBe(20);
    expect(failures.filter((e: { action: string }) => e.action === 'auth.locked-out').length).toBeGreaterThanOrEqual(1);

    // Locked: even the right password is refused, with the very same answer as a wrong one or an unknown email.
    const rightButLocked = await signIn(known, USER_PASSWORD);
    expect(visible(rightButLocked)).toEqual(reference);
    expect(visible(await signIn(unknown, USER_PASSWORD))).toEqual(reference);
  }, 300_000);

  it('limits public routes per account whoever sends them, and per IP whatever account they name', async () => {
    // Per account: redeeming guesses at one invitation (cheap to try, so no scrypt on the way).
    const guess = { invitation: 'inv_guessed-secret-0000000', password: 'a long enough password' };
    const ceiling = PUBLIC_LIMITS['accept-invitation'].perAccount;
    for (let i = 0; i < ceiling; i++) expect((await ctx.api.call('POST', '/auth/accept-invitation', { body: guess })).status).toBe(400);
    const over = await ctx.api.call('POST', '/auth/accept-invitation', { body: guess });
    expect(over.status).toBe(429);
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // Per IP: one client naming ever new accounts still runs out (counted in the store, so every process sees it).
    const table = ctx.platform.platformTable();
    const at = new Date('2026-11-23T10:00:00Z');
    const perIp = PUBLIC_LIMITS['sign-in'].perIp;
    for (let i = 0; i < perIp; i++) await takePublicLimit(table, 'sign-in', { ip: '203.0.113.7', account: `a${i}@x.example` }, at);
    await expect(takePublicLimit(table, 'sign-in', { ip: '203.0.113.7', account: 'fresh@x.example' }, at)).rejects.toBeInstanceOf(RateLimited);
    await expect(takePublicLimit(table, 'sign-in', { ip: '198.51.100.9', account: 'fresh@x.example' }, at)).resolves.toBeUndefined();
  }, 120_000);

  it('sign-up answers alike for a new address and one that already has an account; only the mail differs', async () => {
    const tenant = await onboardTenant(ctx.api, ctx.adminToken, 'Existing', { roles: ['tenant-admin'] });
    const taken = tenant.emails['tenant-admin'];
    const fresh = `new-${Date.now()}@fresh.example`;
    const a = await ctx.api.call('POST', '/signup', { body: { name: 'Second Unit', adminEmail: taken } });
    const b = await ctx.api.call('POST', '/signup', { body: { name: 'Second Unit', adminEmail: fresh } });
    expect(a.status).toBe(202);
    expect(b.status).toBe(a.status);
    expect(Object.keys(a.body).sort()).toEqual(Object.keys(b.body).sort());
    expect(a.body.status).toBe(b.body.status);
    const inbox = async (to: string) => (await (await fetch(`${process.env.STEWARD_TEST_INBOX_URL}/api/messages?to=${encodeURIComponent(to)}`)).json()).items;
    expect((await inbox(taken))[0].subject).toBe('Your Steward address was used again');
    expect((await inbox(fresh))[0].subject).toContain('Your request for the Steward tenant');
    // The platform administrator, who may know, is told when approving.
    const approve = await ctx.api.call('POST', `/platform/tenants/${a.body.tenantId}/approve`, { token: ctx.adminToken });
    expect(approve.status).toBe(409);
  }, 120_000);
});
