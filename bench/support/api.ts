import type { BenchTarget } from '../scenarios/scenario';
import { required } from '../scenarios/scenario';

/**
 * A small client of the Steward API over HTTP, for scenario set-up (never for
 * the measured load, which autocannon sends). Set-up goes through the API
 * exactly as a user would: what the scenarios then measure is a platform in a
 * state the product itself produced.
 */
export class BenchApi {
  constructor(readonly baseUrl: string) {}

  async call<T = any>(method: string, path: string, options: { token?: string; body?: unknown; expect?: number } = {}): Promise<T> {
    const headers: Record<string, string> = {};
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${this.baseUrl}${path}`, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
    const text = await res.text();
    const expected = options.expect ?? (method === 'POST' ? 201 : 200);
    if (res.status !== expected) throw new Error(`${method} ${path} answered ${res.status} (expected ${expected}): ${text.slice(0, 400)}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  async signIn(email: string, password: string): Promise<string> {
    const body = await this.call<{ idToken: string }>('POST', '/auth/token', { body: { email, password }, expect: 200 });
    return body.idToken;
  }
}

export const BENCH_PASSWORD = 'bench user password 1';

/** A tenant onboarded through the API, with the credentials the scenarios use. */
export interface BenchTenant {
  readonly tenantId: string;
  readonly name: string;
  readonly plan: string;
  /** ID token (POST /auth/token) of the tenant administrator. */
  readonly adminIdToken: string;
  /** ID token of a user whose only role is data-scientist. */
  readonly dataScientistIdToken: string;
  /** A CI token `stw_…` (POST /tokens) with the role data-scientist. */
  readonly ciToken: string;
  readonly ciTokenId: string;
}

/**
 * Onboards a tenant as a business unit would: sign-up → a platform
 * administrator approves → the invitation is accepted → the tenant admin signs
 * in, invites a data scientist (who accepts and signs in) and creates a CI
 * token with the role data-scientist.
 */
export async function onboardTenant(
  target: BenchTarget,
  name: string,
  options: { plan?: 'free' | 'standard' | 'enterprise'; report?: (line: string) => void } = {},
): Promise<BenchTenant> {
  const api = new BenchApi(required(target, 'apiUrl'));
  if (!target.admin) {
    throw new Error(
      'onboarding a bench tenant needs a platform administrator: give --admin-email/--admin-password (or STEWARD_BOOTSTRAP_ADMIN_EMAIL/PASSWORD) for a running platform',
    );
  }
  const plan = options.plan ?? 'enterprise';
  const slug = `${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-${Math.random().toString(36).slice(2, 8)}`;
  const adminEmail = `admin@${slug}.example`;
  options.report?.(`  onboarding tenant '${name}' (${plan}) through the API: signup → approve → accept invitation → sign in → CI token`);
  const platformAdmin = await api.signIn(target.admin.email, target.admin.password);
  const { tenantId } = await api.call<{ tenantId: string }>('POST', '/signup', { body: { name, adminEmail, plan }, expect: 202 });
  await api.call('POST', `/platform/tenants/${tenantId}/approve`, { token: platformAdmin, expect: 200 });
  await api.call('POST', '/auth/accept-invitation', {
    body: { invitation: await mailedInvitation(target, adminEmail), password: BENCH_PASSWORD },
    expect: 200,
  });
  const adminIdToken = await api.signIn(adminEmail, BENCH_PASSWORD);
  const scientistEmail = `data-scientist@${slug}.example`;
  await api.call('POST', '/users', { token: adminIdToken, body: { email: scientistEmail, roles: ['data-scientist'] } });
  await api.call('POST', '/auth/accept-invitation', {
    body: { invitation: await mailedInvitation(target, scientistEmail), password: BENCH_PASSWORD },
    expect: 200,
  });
  const dataScientistIdToken = await api.signIn(scientistEmail, BENCH_PASSWORD);
  const created = await api.call<{ token: { tokenId: string }; secret: string }>('POST', '/tokens', {
    token: adminIdToken,
    body: { name: 'bench', roles: ['data-scientist'], expiresInDays: 1 },
  });
  return { tenantId, name, plan, adminIdToken, dataScientistIdToken, ciToken: created.secret, ciTokenId: created.token.tokenId };
}

/** The invitation mailed to `email`, read from the local inbox's JSON API (the API never returns it). */
export async function mailedInvitation(target: BenchTarget, email: string): Promise<string> {
  const inbox = target.inboxUrl ?? process.env.STEWARD_INBOX_URL ?? 'http://127.0.0.1:7705';
  const { items } = (await (await fetch(`${inbox}/api/messages?to=${encodeURIComponent(email)}`)).json()) as { items: Array<{ text: string }> };
  const secret = items.map((m) => /^Invitation: (\S+)$/m.exec(m.text)?.[1]).find(Boolean);
  if (!secret) throw new Error(`no invitation was mailed to ${email} (inbox ${inbox})`);
  return secret;
}

/** Runs `work` over `items` with at most `concurrency` in flight; results in input order. */
export async function inPool<T, R>(items: readonly T[], concurrency: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await work(items[index], index);
      }
    }),
  );
  return results;
}
