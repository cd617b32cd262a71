import { verifyChain } from '../../core/audit/audit-chain';
import { bootApi, onboardTenant, type Reply } from '../support/api-client';
import { AttackLog, betrayals, differences, settledSnapshot, snapshot, type Snapshot } from '../support/isolation/evidence';
import { everyCredential, QUERY_PROBES, TenantFixtures, type Credential, type Params, type Request } from '../support/isolation/fixtures';
import { fetchOpenApi, fillPath, isPaginated, operationsOf, type Operation, type PlatformOperation, type TenantOperation } from '../support/isolation/openapi';

/**
 * Tenant isolation, proven over every operation of the OpenAPI document the
 * app serves, so a route added later is attacked without editing this file.
 * Tenant B, holding each route's permission, aims at tenant A's real
 * resources; A's state, read through A's own credentials, must not change.
 */

/** Reviewed public operations. A new public route fails this suite until it is reviewed and listed here. */
const PUBLIC_ROUTES = [
  'GET /health',
  'GET /.well-known/jwks.json',
  'GET /.well-known/openid-configuration',
  'POST /auth/token',
  'POST /auth/accept-invitation',
  'POST /signup',
];

/** Headers a confused edge might take a tenant from. */
const FORGED_TENANT_HEADERS = ['x-tenant-id', 'x-steward-tenant'];

const is2xx = (status: number) => status >= 200 && status < 300;

// Each case sends hundreds of requests (every route × credential × variant): on a loaded
// two-core CI machine one took longer than the default 30 s, a timeout, not a finding.
jest.setTimeout(240_000);

/**
 * Routes whose fixture resource has nothing to show its owner either (a 404 for
 * A as for B); the refusal of another tenant's real resource is proven where named.
 */
const OWNER_NOT_FOUND: Readonly<Record<string, string>> = {
  'GET /executions/{executionId}/logs':
    'the executionId fixture is a train-segments run, which has no training log; test/integration/training/container-training.test.ts shows another tenant gets 404 for a real one',
};

describe('tenant isolation over every operation of the OpenAPI document', () => {
  let ctx: Awaited<ReturnType<typeof bootApi>>;
  let ops: Operation[];
  let tenantOps: TenantOperation[];
  let platformOps: PlatformOperation[];
  let A: TenantFixtures;
  let B: TenantFixtures;
  let before: Snapshot;
  /** Operations whose fixtures could not be made, with why (they fail the coverage test). */
  const unprepared = new Map<string, string>();
  /** The request B replayed on A's first fixture, per operation: the positive controls re-send it as A. */
  const replayed = new Map<string, Request>();
  const log = new AttackLog();
  const started = Date.now();
  let cursorAttempts = 0;
  const cursorSkipped: string[] = [];

  beforeAll(async () => {
    ctx = await bootApi();
    const [a, b] = await Promise.all([onboardTenant(ctx.api, ctx.adminToken, 'Isolation A'), onboardTenant(ctx.api, ctx.adminToken, 'Isolation B')]);
    const doc = await fetchOpenApi(ctx.api);
    ops = operationsOf(doc);
    tenantOps = ops.filter((o): o is TenantOperation => o.kind === 'tenant');
    platformOps = ops.filter((o): o is PlatformOperation => o.kind === 'platform');
    A = new TenantFixtures('A', ctx.api, doc, ops, a);
    B = new TenantFixtures('B', ctx.api, doc, ops, b);
    for (const fx of [A, B]) {
      await fx.ciToken();
      // Fixtures and requests, built before the snapshot: building may act.
      for (const [key, why] of await fx.prepare([...tenantOps, ...platformOps])) unprepared.set(key, `${fx.label}: ${why}`);
    }
    before = await settledSnapshot(
      A,
      tenantOps.filter((o) => !unprepared.has(o.key)),
    );
  }, 180_000);

  afterAll(async () => {
    log.report('tenant-isolation', {
      tenantRoutes: tenantOps?.length,
      platformRoutes: platformOps?.length,
      publicRoutes: ops?.filter((o) => o.kind === 'public').length,
      cursorAttempts,
      cursorSkipped,
      unprepared: Object.fromEntries(unprepared),
      durationMs: Date.now() - started,
    });
    await ctx?.local.close();
  });

  const ready = <T extends Operation>(list: T[]) => list.filter((o) => !unprepared.has(o.key));

  function checkBetrayals(op: Operation, credential: Credential | undefined, request: Request, res: Reply): void {
    for (const problem of betrayals(A, B.tenant.tenantId, request, res)) log.leak(op, credential, request, res, problem);
  }

  /**
   * B aimed at A's resource: only 403 or 404 is a refusal — or, for a listing
   * under a path (GET /datasets/{id}/used-by), an empty page of B's own.
   */
  function expectRefused(op: Operation, credential: Credential, request: Request, res: Reply): void {
    log.count(op);
    checkBetrayals(op, credential, request, res);
    if (res.status === 403 || res.status === 404) return;
    if (op.method === 'GET' && isPaginated(op) && res.status === 200 && Array.isArray(res.body?.items) && res.body.items.length === 0) return;
    if (is2xx(res.status) || [409, 412, 422].includes(res.status)) log.leak(op, credential, request, res, `B reached A's resource: ${res.status}`);
    else
      log.error(
        op,
        credential,
        request,
        res,
        res.status === 400 ? 'the request is invalid (fix its fixture or BODIES entry)' : `expected 403 or 404, got ${res.status}`,
      );
  }

  /** B's write naming A's resources in its body: any refusal will do, acceptance is a leak. */
  function expectReferenceRefused(op: Operation, credential: Credential, request: Request, res: Reply): void {
    log.count(op);
    checkBetrayals(op, credential, request, res);
    if (is2xx(res.status)) log.leak(op, credential, request, res, `B's request naming A's resources was accepted: ${res.status}`);
    else if (res.status >= 500 || res.status === 401 || res.status === 429) log.error(op, credential, request, res, `unexpected status ${res.status}`);
  }

  /** B's own request on a collection: succeeds, with B's data only. */
  function expectOwnOnly(op: Operation, credential: Credential, request: Request, res: Reply, allowed: (status: number) => boolean = is2xx): void {
    log.count(op);
    checkBetrayals(op, credential, request, res);
    if (!allowed(res.status)) log.error(op, credential, request, res, `unexpected status ${res.status}`);
  }

  function expectNoNewFindings(leaksBefore: number, errorsBefore: number): void {
    expect(log.leaks.slice(leaksBefore)).toEqual([]);
    expect(log.errors.slice(errorsBefore)).toEqual([]);
  }

  it('every operation declares who may call it; the public ones are exactly the reviewed list', () => {
    const undeclared = ops.filter((o) => o.kind === 'undeclared').map((o) => o.key);
    expect(undeclared).toEqual([]);
    const publicOps = [...ops.filter((o) => o.kind === 'public').map((o) => o.key), ...undeclared].sort();
    expect(publicOps).toEqual([...PUBLIC_ROUTES].sort());
    expect(tenantOps.length).toBeGreaterThan(0);
    expect(platformOps.length).toBeGreaterThan(0);
    // The tenant comes only from the verified identity: no tenant route takes one from the path or query.
    expect(tenantOps.filter((o) => [...o.pathParams, ...o.queryParams].some((p) => /^tenant/i.test(p.name))).map((o) => o.key)).toEqual([]);
  });

  it('every tenant and platform route has fixtures for its path parameters and a buildable request', () => {
    expect(Object.fromEntries(unprepared)).toEqual({});
  });

  it('platform routes refuse every tenant role and CI token of A and B (403)', async () => {
    const [leaks, errors] = [log.leaks.length, log.errors.length];
    for (const op of ready(platformOps)) {
      for (const [caller, other] of [
        [A, B],
        [B, A],
      ] as const) {
        for (const credential of await everyCredential(caller)) {
          const targets = op.pathParams.some((p) => p.name === 'tenantId') ? [caller.tenant.tenantId, other.tenant.tenantId] : [undefined];
          for (const tenantId of targets) {
            const params: Params = { ...(await caller.params(op)), ...(tenantId ? { tenantId } : {}) };
            const request = await caller.buildRequest(op, params);
            const res = await caller.send(credential, request);
            log.count(op);
            if (res.status === 403) continue;
            if (res.status === 401 || res.status === 429) log.error(op, credential, request, res, `expected 403, got ${res.status}`);
            else log.leak(op, credential, request, res, `a tenant credential passed a platform route: ${res.status}`);
          }
        }
      }
    }
    expectNoNewFindings(leaks, errors);
  });

  it("B reaches none of A's resources by id, with every credential holding the route's permission", async () => {
    const [leaks, errors] = [log.leaks.length, log.errors.length];
    for (const op of ready(tenantOps).filter((o) => o.pathParams.length > 0)) {
      const credentials = await B.holders(op.permission);
      for (const [i, params] of (await A.paramSets(op)).entries()) {
        const own = await A.requestFor(op, params);
        if (i === 0) replayed.set(op.key, own);
        const request = A.replayBy(B, own);
        for (const credential of credentials) expectRefused(op, credential, request, await B.send(credential, request));
      }
      // A's body (an uploadId, a projectId) sent on B's own resource: a reference across tenants must not resolve.
      const own = await A.requestFor(op, await A.params(op));
      if (own.body !== undefined && A.isNamedIn({ ...own, path: '', query: {} })) {
        const request = { ...A.replayBy(B, own), path: fillPath(op.path, await B.params(op)) };
        for (const credential of credentials) expectReferenceRefused(op, credential, request, await B.send(credential, request));
      }
    }
    expectNoNewFindings(leaks, errors);
  });

  it("B's collection routes answer with B's data only, even when filters or bodies name A's resources", async () => {
    const [leaks, errors] = [log.leaks.length, log.errors.length];
    for (const op of ready(tenantOps).filter((o) => o.pathParams.length === 0)) {
      for (const credential of await B.holders(op.permission)) {
        const own = await B.buildRequest(op, {});
        expectOwnOnly(op, credential, own, await B.send(credential, own));

        // A's own request replayed by B: if it names A's resources, it must be refused.
        const theirs = A.replayBy(B, await A.requestFor(op, {}));
        if (op.mutating && A.isNamedIn(theirs)) expectReferenceRefused(op, credential, theirs, await B.send(credential, theirs));

        // Filters naming A's resources: generic ones (query parameters named like a fixture) and QUERY_PROBES.
        const probes: Params[] = [...(QUERY_PROBES[op.key]?.(A) ?? [])];
        for (const q of op.queryParams.filter((p) => A.knownIds(p.name).size > 0)) {
          for (const id of A.knownIds(q.name)) probes.push({ [q.name]: id });
        }
        for (const probe of probes) {
          const request = { ...own, query: { ...own.query, ...probe } };
          expectOwnOnly(op, credential, request, await B.send(credential, request), (s) => is2xx(s) || [400, 403, 404].includes(s));
        }
      }
    }
    expectNoNewFindings(leaks, errors);
  });

  it('a tenant id forged into the query, a header or the body changes nothing', async () => {
    const [leaks, errors] = [log.leaks.length, log.errors.length];
    const forged = A.tenant.tenantId;
    for (const op of ready(tenantOps)) {
      const onA = op.pathParams.length > 0;
      // B's own requests are built afresh for every attempt (creates need unique names); A's are the prepared ones.
      const base = async () => (onA ? A.replayBy(B, await A.requestFor(op, await A.params(op))) : await B.buildRequest(op, {}));
      const variants: Array<(r: Request) => Request | undefined> = [
        (r) => ({ ...r, query: { ...r.query, tenantId: forged } }),
        ...FORGED_TENANT_HEADERS.map((h) => (r: Request) => ({ ...r, headers: { [h]: forged } })),
        (r) =>
          op.mutating && (r.body === undefined || (typeof r.body === 'object' && !Array.isArray(r.body)))
            ? { ...r, body: { ...(r.body ?? {}), tenantId: forged } }
            : undefined,
      ];
      for (const credential of await B.holders(op.permission)) {
        for (const variant of variants) {
          const request = variant(await base());
          if (!request) continue;
          const res = await B.send(credential, request);
          if (onA) expectRefused(op, credential, request, res);
          // A strict schema may refuse the unknown field (400): a refusal, not a leak.
          else expectOwnOnly(op, credential, request, res, (s) => is2xx(s) || s === 400);
        }
      }
    }
    expectNoNewFindings(leaks, errors);
  });

  it("a cursor from A's listing, or B's cursor rewritten to name A, is refused or stays in B", async () => {
    const [leaks, errors] = [log.leaks.length, log.errors.length];
    for (const op of ready(tenantOps).filter((o) => o.method === 'GET' && o.pathParams.length === 0 && isPaginated(o))) {
      const cursors: string[] = [];
      const aRequest = await A.requestFor(op, {});
      const aPage = await A.send(A.credentialFor(op.permission), { ...aRequest, query: { ...aRequest.query, limit: '1' } });
      if (aPage.status === 200 && typeof aPage.body?.next === 'string') cursors.push(aPage.body.next);
      else cursorSkipped.push(`${op.key}: A's first page of one item has no next cursor`);

      const bRequest = await B.buildRequest(op, {});
      const bPage = await B.send(B.credentialFor(op.permission), { ...bRequest, query: { ...bRequest.query, limit: '1' } });
      const rewritten = typeof bPage.body?.next === 'string' ? rewriteCursor(bPage.body.next, B.tenant.tenantId, A.tenant.tenantId) : undefined;
      if (rewritten) cursors.push(rewritten);
      else cursorSkipped.push(`${op.key}: B's cursor could not be rewritten (no next, or not base64url JSON)`);

      for (const credential of await B.holders(op.permission)) {
        for (const cursor of cursors) {
          for (const limit of ['1', '100']) {
            const request = { ...bRequest, query: { ...bRequest.query, cursor, limit } };
            cursorAttempts += 1;
            expectOwnOnly(op, credential, request, await B.send(credential, request), (s) => s === 400 || s === 200);
          }
        }
      }
    }
    expectNoNewFindings(leaks, errors);
  });

  it("A's state, read through A's own credentials, is identical after every attempt", async () => {
    const after = await snapshot(A, ready(tenantOps));
    const changes = differences(before, after);
    for (const change of changes) log.leak('snapshot of A', undefined, 'A reads its own state', undefined, change);
    expect(changes).toEqual([]);
    expect(before.auditEvents).toBeGreaterThan(0);
    // B still works: nothing the attempts did locked B out either.
    expect((await B.call('tenant-admin', 'GET', '/me')).status).toBe(200);
  });

  it('positive controls: A itself reaches every resource the attempts named, with the same requests', async () => {
    const errors = log.errors.length;
    const order = (op: Operation) => (op.method === 'GET' ? 0 : op.method === 'DELETE' ? 2 : 1);
    for (const op of ready(tenantOps)
      .filter((o) => replayed.has(o.key))
      .sort((x, y) => order(x) - order(y))) {
      const request = replayed.get(op.key)!;
      const credential = A.credentialFor(op.permission);
      const res = await A.send(credential, request);
      if (res.status === 404 && OWNER_NOT_FOUND[op.key]) continue;
      if ([400, 401, 403, 404].includes(res.status) || res.status >= 500) {
        log.error(op, credential, request, res, `A's own request failed (${res.status}): B's refusal proves nothing for this route`);
      }
    }
    expect(log.errors.slice(errors)).toEqual([]);
  });

  it("leaves A's, B's and the platform's audit chains whole after every operation was called", async () => {
    // Every tenant route ran above, attack and positive control alike: each kind of event was linked
    // into its chain (at commit, as npm start does), and each must hash as it reads back.
    for (const fx of [A, B]) {
      const report = await fx.call('tenant-admin', 'GET', '/audit/verify');
      expect(report.status).toBe(200);
      expect(report.body).toMatchObject({ ok: true, complete: true, unsealed: 0 });
      expect(report.body.checked).toBeGreaterThan(ready(tenantOps).length / 2);
    }
    expect(await verifyChain(ctx.platform.platformTable())).toMatchObject({ ok: true });
  });

  it('covers every tenant and platform route, and finds no leak', () => {
    const expected = [...tenantOps, ...platformOps].map((o) => o.key).sort();
    expect([...log.routes].filter((k) => expected.includes(k)).sort()).toEqual(expected);
    expect(log.errors).toEqual([]);
    expect(log.leaks).toHaveLength(0);
  });
});

/** B's own cursor with every mention of B's tenant replaced by A's (a forged page start). */
function rewriteCursor(cursor: string, from: string, to: string): string | undefined {
  try {
    const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
    JSON.parse(decoded);
    if (!decoded.includes(from)) return undefined;
    return Buffer.from(decoded.split(from).join(to), 'utf8').toString('base64url');
  } catch {
    return undefined;
  }
}
