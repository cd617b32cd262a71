import { ADMIN_EMAIL, bootApi, invitationFor, signInAs, USER_PASSWORD } from '../../support/api-client';

/**
 * Issue 14: the platform admin who approves a tenant never sees the tenant
 * admin's invitation secret (nor does a tenant admin see an invitee's): it
 * reaches the invitee by mail, in the local inbox.
 */
describe('invitations are delivered, not handed over', () => {
  let ctx: Awaited<ReturnType<typeof bootApi>>;
  beforeAll(async () => {
    ctx = await bootApi();
  }, 120_000);
  afterAll(() => ctx.local.close());

  const inbox = async (to: string) => {
    const res = await fetch(`${process.env.STEWARD_TEST_INBOX_URL}/api/messages?to=${encodeURIComponent(to)}`);
    return (await res.json()).items as Array<{ to: string[]; subject: string; text: string }>;
  };

  it('the approving admin never sees the invitation secret; the invitee receives it in the local inbox and redeems it', async () => {
    const adminEmail = `owner-${Date.now()}@delivered.example`;
    const signup = await ctx.api.call('POST', '/signup', { body: { name: 'Delivered', adminEmail } });
    const approved = await ctx.api.call('POST', `/platform/tenants/${signup.body.tenantId}/approve`, { token: ctx.adminToken });
    expect(approved.status).toBe(200);
    expect(approved.body.invitation).toEqual({ delivery: 'email', to: adminEmail });

    const secret = await invitationFor(adminEmail);
    expect(secret).toMatch(/^inv_[A-Za-z0-9_-]{20,}$/);
    // Nowhere in what the platform admin received or can read: the answer, the tenant views, the admin's own mail.
    const seenByAdmin = [
      JSON.stringify(approved.body),
      JSON.stringify(approved.headers),
      JSON.stringify((await ctx.api.call('GET', `/platform/tenants/${signup.body.tenantId}`, { token: ctx.adminToken })).body),
      JSON.stringify((await ctx.api.call('GET', '/platform/tenants?limit=100', { token: ctx.adminToken })).body),
      JSON.stringify(await inbox(ADMIN_EMAIL)),
    ].join('\n');
    expect(seenByAdmin).not.toContain(secret);
    expect(seenByAdmin).not.toMatch(/inv_[A-Za-z0-9_-]{20,}/);
    // Only the invitee got it.
    const mails = await inbox(adminEmail);
    expect(mails.filter((m) => m.text.includes(secret)).map((m) => m.to)).toEqual([[adminEmail]]);
    // People read it in the inbox page: escaped, no scripts allowed to run there.
    const page = await fetch(`${process.env.STEWARD_TEST_INBOX_URL}/?to=${encodeURIComponent(adminEmail)}`);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await page.text();
    expect(html).toContain('You are invited to the tenant &quot;Delivered&quot; on Steward');
    expect(html).toContain(`Invitation: ${secret}`);

    expect((await ctx.api.call('POST', '/auth/accept-invitation', { body: { invitation: secret, password: USER_PASSWORD } })).status).toBe(200);
    const tenantAdmin = await signInAs(ctx.api, adminEmail, USER_PASSWORD);

    // The same for a user a tenant admin invites.
    const userEmail = `analyst-${Date.now()}@delivered.example`;
    const invited = await ctx.api.call('POST', '/users', { token: tenantAdmin, body: { email: userEmail, roles: ['viewer'] } });
    expect(invited.status).toBe(201);
    const userSecret = await invitationFor(userEmail);
    expect(JSON.stringify(invited.body)).not.toContain(userSecret);
    expect(JSON.stringify((await ctx.api.call('GET', '/users', { token: tenantAdmin })).body)).not.toContain(userSecret);
    expect((await ctx.api.call('POST', '/auth/accept-invitation', { body: { invitation: userSecret, password: USER_PASSWORD } })).status).toBe(200);
  }, 180_000);
});
