import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Reply } from '../api-client';
import { requestText, type Credential, type Request, type TenantFixtures } from './fixtures';
import { isListRoute, isPaginated, type Operation, type TenantOperation } from './openapi';

/** Fields a tenant's own reads may change: a CI token's last use, a report's generation time. */
export const VOLATILE_FIELDS = new Set(['lastUsedAt', 'generatedAt']);

/**
 * Hash-chain links the audit sealer adds to events after they are written
 * (GET /audit/verify and /audit/export seal pending events as they read).
 * Appearing is not a change; a link that changes value is.
 */
export const SEAL_FIELDS = new Set(['seq', 'prevHash', 'hash']);

const ISO_TIME = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z/g;

/** A reply body as compared across snapshots. */
export function comparable(body: unknown): unknown {
  // Rendered documents (reports) stamp the time they were made.
  if (typeof body === 'string') return body.replace(ISO_TIME, '<time>');
  // A problem's requestId names the request, not the state.
  if (body && typeof body === 'object' && 'type' in body && 'status' in body && 'requestId' in body) {
    const { requestId: _r, ...problem } = body as Record<string, unknown>;
    return stable(problem);
  }
  return stable(body);
}

export interface Finding {
  readonly route: string;
  readonly credential: string;
  readonly request: string;
  readonly status: number;
  readonly problem: string;
}

/** Counts and findings of one suite, written where the lead can quote them. */
export class AttackLog {
  attempts = 0;
  readonly routes = new Set<string>();
  readonly leaks: Finding[] = [];
  /** Harness problems (invalid generated request, 5xx, missing fixture): not leaks, but the suite fails on them. */
  readonly errors: Finding[] = [];

  /** Counts one request made against a route. */
  count(op: Operation): void {
    this.attempts += 1;
    this.routes.add(op.key);
  }

  leak(op: Operation | string, credential: Credential | undefined, request: Request | string, res: Reply | undefined, problem: string): void {
    this.leaks.push(finding(op, credential, request, res, problem));
  }

  error(op: Operation | string, credential: Credential | undefined, request: Request | string, res: Reply | undefined, problem: string): void {
    this.errors.push(finding(op, credential, request, res, problem));
  }

  /** Writes the figures under the OS temp dir and prints them; returns the file. */
  report(suite: string, extra: Record<string, unknown> = {}): string {
    const dir = join(tmpdir(), 'steward-isolation');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${suite}.json`);
    const summary = {
      suite,
      at: new Date().toISOString(),
      routesCovered: this.routes.size,
      attempts: this.attempts,
      leaks: this.leaks.length,
      errors: this.errors.length,
      ...extra,
      routes: [...this.routes].sort(),
      leakDetails: this.leaks,
      errorDetails: this.errors,
    };
    writeFileSync(file, JSON.stringify(summary, null, 2));

    console.log(
      `[${suite}] routes covered: ${summary.routesCovered}, attempts: ${summary.attempts}, leaks: ${summary.leaks}, harness errors: ${summary.errors} → ${file}`,
    );
    return file;
  }
}

function finding(op: Operation | string, credential: Credential | undefined, request: Request | string, res: Reply | undefined, problem: string): Finding {
  return {
    route: typeof op === 'string' ? op : op.key,
    credential: credential?.label ?? 'none',
    request:
      typeof request === 'string'
        ? request
        : `${request.method} ${decodeURIComponent(request.path)}${Object.keys(request.query).length ? '?' + new URLSearchParams(request.query) : ''}${request.headers ? ' ' + JSON.stringify(request.headers) : ''}${request.body !== undefined ? ' ' + JSON.stringify(request.body).slice(0, 300) : ''}`,
    status: res?.status ?? 0,
    problem: `${problem}${res && res.status >= 400 ? ` (${JSON.stringify(res.body).slice(0, 300)})` : ''}`,
  };
}

/**
 * What in a reply to the attacker betrays the victim: any victim secret the
 * attacker did not send itself, and any `tenantId` that is not the attacker's.
 */
export function betrayals(victim: TenantFixtures, attackerTenantId: string, request: Request, res: Reply): string[] {
  const sent = requestText(request);
  const text = `${typeof res.body === 'string' ? res.body : JSON.stringify(res.body ?? null)} ${res.headers.get('location') ?? ''}`;
  const out: string[] = [];
  for (const secret of victim.secrets) {
    if (secret && text.includes(secret) && !sent.includes(secret)) out.push(`reply contains ${victim.label}'s '${secret}'`);
  }
  walk(res.body, (key, value) => {
    if (key === 'tenantId' && typeof value === 'string' && value !== attackerTenantId) out.push(`reply names tenantId '${value}', not the caller's`);
  });
  return out;
}

function walk(node: unknown, visit: (key: string, value: unknown) => void): void {
  if (!node || typeof node !== 'object') return;
  for (const [k, v] of Object.entries(node)) {
    visit(k, v);
    walk(v, visit);
  }
}

/**
 * Removes fields a tenant's own reads change, recursively. A presigned grant
 * (an object with `url` and `expiresAt`) is signed afresh on every read: its
 * expiry and the URL's query string are left out.
 */
export function stable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stable);
  if (value && typeof value === 'object') {
    const grant = 'url' in value && 'expiresAt' in value;
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k]) => !VOLATILE_FIELDS.has(k) && !(grant && k === 'expiresAt'))
        .map(([k, v]) => [k, grant && k === 'url' && typeof v === 'string' ? v.split('?')[0] : stable(v)]),
    );
  }
  return value;
}

export interface Snapshot {
  readonly reads: Record<string, { status: number; body: unknown }>;
  readonly auditEvents: number;
}

/**
 * A tenant's whole visible state, read through its own credentials: every
 * list route (all pages), every read of every known resource, and the audit
 * event count. Creates nothing (fixtures must already exist).
 */
export async function snapshot(fx: TenantFixtures, ops: readonly TenantOperation[]): Promise<Snapshot> {
  const reads: Record<string, { status: number; body: unknown }> = {};
  let auditEvents = -1;
  for (const op of ops.filter((o) => o.method === 'GET')) {
    const credential = fx.credentialFor(op.permission);
    if (isListRoute(op)) {
      const items: unknown[] = [];
      let cursor: string | undefined;
      let status = 0;
      let body: unknown;
      for (let page = 0; page < 200; page++) {
        const query: Record<string, string> = {};
        if (isPaginated(op)) query.limit = '100';
        if (cursor) query.cursor = cursor;
        const base = await fx.requestFor(op, {});
        const request = { ...base, query: { ...base.query, ...query } };
        const res = await fx.send(credential, request);
        status = res.status;
        body = res.body;
        if (res.status !== 200 || !isPaginated(op) || !Array.isArray(res.body?.items)) break;
        items.push(...res.body.items);
        cursor = res.body.next;
        if (!cursor) break;
      }
      reads[op.key] = { status, body: isPaginated(op) && status === 200 ? stable(items) : comparable(body) };
      if (op.key === 'GET /audit/events' && status === 200) auditEvents = items.length;
      continue;
    }
    for (const params of await fx.paramSets(op)) {
      const request = await fx.requestFor(op, params);
      const res = await fx.send(credential, request);
      reads[`${op.key} ${JSON.stringify(params)}`] = { status: res.status, body: comparable(res.body) };
    }
  }
  return { reads, auditEvents };
}

/** Lines naming each read that differs between two snapshots. */
export function differences(before: Snapshot, after: Snapshot): string[] {
  const out: string[] = [];
  if (before.auditEvents !== after.auditEvents) out.push(`audit events: ${before.auditEvents} → ${after.auditEvents}`);
  for (const key of new Set([...Object.keys(before.reads), ...Object.keys(after.reads)])) {
    const a = JSON.stringify(before.reads[key]);
    const b = JSON.stringify(after.reads[key]);
    if (a === b) continue;
    const changes = fieldChanges(before.reads[key], after.reads[key]);
    const real = changes.filter((c) => !(SEAL_FIELDS.has(c.field) && c.before === undefined));
    if (changes.length > 0 && real.length === 0) continue;
    const detail = real.slice(0, 8).map((c) => `${c.path}: ${JSON.stringify(c.before)?.slice(0, 120)} → ${JSON.stringify(c.after)?.slice(0, 120)}`);
    out.push(`${key}: ${detail.length > 0 ? detail.join('; ') : `${a?.slice(0, 300)} → ${b?.slice(0, 300)}`}`);
  }
  return out;
}

/** Leaf-level changes between two JSON values. */
function fieldChanges(a: unknown, b: unknown, path = '', field = ''): Array<{ path: string; field: string; before: unknown; after: unknown }> {
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].flatMap((k) => fieldChanges((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`, k));
  }
  return [{ path: path || '.', field, before: a, after: b }];
}

/**
 * A snapshot taken once the tenant's state stops moving on its own (a
 * pipeline run started by a fixture, say): two consecutive snapshots agree.
 */
export async function settledSnapshot(
  fx: TenantFixtures,
  ops: readonly TenantOperation[],
  options: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<Snapshot> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  let last = await snapshot(fx, ops);
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 300));
    const next = await snapshot(fx, ops);
    const moving = differences(last, next);
    if (moving.length === 0) return next;
    if (Date.now() > deadline)
      throw new Error(`${fx.label}'s state keeps changing with no attack under way, so no change can be pinned on one: ${moving.slice(0, 5).join('; ')}`);
    last = next;
  }
}
