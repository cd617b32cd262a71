import type { OpenAPIHono } from '@hono/zod-openapi';
import { createApp } from '../../api/app';
import type { ApiEnv } from '../../api/http/env';
import type { TenantRole } from '../../core/access/roles';
import { TENANT_ROLES } from '../../core/access/roles';
import { testPlatform } from './test-platform';

export interface Reply<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/** Calls the app in process, as API Gateway or the local server would. */
export class ApiClient {
  constructor(readonly app: OpenAPIHono<ApiEnv>) {}

  /** Sends `text` verbatim as a JSON body (malformed-input tests). */
  async raw<T = any>(method: string, path: string, text: string): Promise<Reply<T>> {
    const res = await this.app.request(path, { method, headers: { 'content-type': 'application/json' }, body: text });
    return { status: res.status, body: (await res.json()) as T, headers: res.headers };
  }

  async call<T = any>(method: string, path: string, options: { token?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<Reply<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const res = await this.app.request(path, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON (docs page)
    }
    return { status: res.status, body: body as T, headers: res.headers };
  }
}

export const ADMIN_EMAIL = 'root@platform.example';
export const ADMIN_PASSWORD = 'correct horse battery staple';
export const USER_PASSWORD = 'tenant user password 1';

/** A platform with a bootstrapped administrator, and the app over it. */
export async function bootApi(options: { now?: () => Date; env?: Record<string, string> } = {}) {
  const local = await testPlatform(
    { STEWARD_BOOTSTRAP_ADMIN_EMAIL: ADMIN_EMAIL, STEWARD_BOOTSTRAP_ADMIN_PASSWORD: ADMIN_PASSWORD, ...options.env },
    { now: options.now },
  );
  const api = new ApiClient(createApp(local.platform));
  const adminToken = await signInAs(api, ADMIN_EMAIL, ADMIN_PASSWORD);
  return { local, api, adminToken, platform: local.platform };
}

export async function signInAs(api: ApiClient, email: string, password: string): Promise<string> {
  const res = await api.call('POST', '/auth/token', { body: { email, password } });
  if (res.status !== 200) throw new Error(`sign-in of ${email} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.idToken;
}

export interface OnboardedTenant {
  tenantId: string;
  name: string;
  /** One signed-in user per role. */
  tokens: Record<TenantRole, string>;
  userIds: Record<TenantRole, string>;
  emails: Record<TenantRole, string>;
}

/** Sign-up → approval → invitation accepted → one user per role, each signed in. */
export async function onboardTenant(
  api: ApiClient,
  adminToken: string,
  name: string,
  options: { plan?: string; roles?: readonly TenantRole[]; inbox?: string } = {},
): Promise<OnboardedTenant> {
  const slug = `${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-${Math.random().toString(36).slice(2, 8)}`;
  const adminEmail = `admin@${slug}.example`;
  const signup = await api.call('POST', '/signup', { body: { name, adminEmail, plan: options.plan ?? 'enterprise' } });
  if (signup.status !== 202) throw new Error(`signup failed: ${JSON.stringify(signup.body)}`);
  const tenantId: string = signup.body.tenantId;
  const approved = await api.call('POST', `/platform/tenants/${tenantId}/approve`, { token: adminToken });
  if (approved.status !== 200) throw new Error(`approve failed: ${JSON.stringify(approved.body)}`);
  await accept(api, await invitationFor(adminEmail, options.inbox));
  const tenantAdmin = await signInAs(api, adminEmail, USER_PASSWORD);
  const tokens = { 'tenant-admin': tenantAdmin } as Record<TenantRole, string>;
  const me = await api.call('GET', '/me', { token: tenantAdmin });
  const userIds = { 'tenant-admin': me.body.id } as Record<TenantRole, string>;
  const emails = { 'tenant-admin': adminEmail } as Record<TenantRole, string>;
  for (const role of (options.roles ?? TENANT_ROLES).filter((r) => r !== 'tenant-admin')) {
    const email = `${role}@${slug}.example`;
    const invited = await api.call('POST', '/users', { token: tenantAdmin, body: { email, roles: [role] } });
    if (invited.status !== 201) throw new Error(`invite failed: ${JSON.stringify(invited.body)}`);
    await accept(api, await invitationFor(email, options.inbox));
    tokens[role] = await signInAs(api, email, USER_PASSWORD);
    userIds[role] = invited.body.user.userId;
    emails[role] = email;
  }
  return { tenantId, name, tokens, userIds, emails };
}

/** The newest invitation mailed to `email`, read from the mail catcher's JSON API (test/support/global-setup.ts). */
export async function invitationFor(email: string, inbox = process.env.STEWARD_TEST_INBOX_URL): Promise<string> {
  if (!inbox) throw new Error('no mail catcher: integration tests need test/support/global-setup.ts');
  const { items } = (await (await fetch(`${inbox}/api/messages?to=${encodeURIComponent(email)}`)).json()) as { items: Array<{ text: string }> };
  const secret = items.map((m) => /^Invitation: (\S+)$/m.exec(m.text)?.[1]).find(Boolean);
  if (!secret) throw new Error(`no invitation was mailed to ${email}`);
  return secret;
}

async function accept(api: ApiClient, invitation: string): Promise<void> {
  const res = await api.call('POST', '/auth/accept-invitation', { body: { invitation, password: USER_PASSWORD } });
  if (res.status !== 200) throw new Error(`accept failed: ${JSON.stringify(res.body)}`);
}
