import { PERMISSIONS, PLATFORM_PERMISSIONS, ROLE_PERMISSIONS, rolesGrant, type Permission } from '../../core/access/permissions';
import { TENANT_ROLES, type TenantRole } from '../../core/access/roles';
import { bootApi, onboardTenant } from '../support/api-client';
import { AttackLog, differences, settledSnapshot, snapshot, type Snapshot } from '../support/isolation/evidence';
import { TenantFixtures, type Credential, type Params } from '../support/isolation/fixtures';
import { fetchOpenApi, operationsOf, type Operation, type TenantOperation } from '../support/isolation/openapi';

/**
 * The role matrix, enforced at the edge for every tenant route of the OpenAPI
 * document: a role holding the route's permission gets past the guard, a role
 * lacking it gets exactly 403 and changes nothing. The matrix itself is
 * written out below, so changing core/access/permissions.ts is a reviewed edit
 * of this table too.
 */

const EXPECTED_PERMISSIONS: readonly Permission[] = [
  'tenant:read',
  'users:read',
  'users:manage',
  'tokens:read',
  'tokens:manage',
  'audit:read',
  'catalog:read',
  'catalog:write',
  'artifacts:write',
  'pipelines:read',
  'pipelines:run',
  'approvals:decide',
  'policy:manage',
  'deployments:read',
  'deployments:manage',
  'scoring:invoke',
  'batch:read',
  'batch:run',
  'schedules:manage',
];

const EXPECTED_PLATFORM_PERMISSIONS = ['platform:tenants:read', 'platform:tenants:manage', 'platform:health:read'];

// prettier-ignore
const EXPECTED_MATRIX: Record<Permission, Record<TenantRole, boolean>> = {
  //                      tenant-admin        data-scientist        approver        deployer        viewer
  'tenant:read':        { 'tenant-admin': true,  'data-scientist': true,  approver: true,  deployer: true,  viewer: true },
  'users:read':         { 'tenant-admin': true,  'data-scientist': false, approver: false, deployer: false, viewer: true },
  'users:manage':       { 'tenant-admin': true,  'data-scientist': false, approver: false, deployer: false, viewer: false },
  'tokens:read':        { 'tenant-admin': true,  'data-scientist': false, approver: false, deployer: false, viewer: false },
  'tokens:manage':      { 'tenant-admin': true,  'data-scientist': false, approver: false, deployer: false, viewer: false },
  'audit:read':         { 'tenant-admin': true,  'data-scientist': false, approver: true,  deployer: false, viewer: true },
  'catalog:read':       { 'tenant-admin': true,  'data-scientist': true,  approver: true,  deployer: true,  viewer: true },
  'catalog:write':      { 'tenant-admin': false, 'data-scientist': true,  approver: false, deployer: false, viewer: false },
  'artifacts:write':    { 'tenant-admin': false, 'data-scientist': true,  approver: false, deployer: false, viewer: false },
  'pipelines:read':     { 'tenant-admin': true,  'data-scientist': true,  approver: true,  deployer: true,  viewer: true },
  'pipelines:run':      { 'tenant-admin': false, 'data-scientist': true,  approver: false, deployer: false, viewer: false },
  'approvals:decide':   { 'tenant-admin': false, 'data-scientist': false, approver: true,  deployer: false, viewer: false },
  'policy:manage':      { 'tenant-admin': true,  'data-scientist': false, approver: false, deployer: false, viewer: false },
  'deployments:read':   { 'tenant-admin': true,  'data-scientist': true,  approver: true,  deployer: true,  viewer: true },
  'deployments:manage': { 'tenant-admin': false, 'data-scientist': false, approver: false, deployer: true,  viewer: false },
  'scoring:invoke':     { 'tenant-admin': false, 'data-scientist': true,  approver: false, deployer: true,  viewer: false },
  'batch:read':         { 'tenant-admin': true,  'data-scientist': true,  approver: true,  deployer: true,  viewer: true },
  'batch:run':          { 'tenant-admin': false, 'data-scientist': true,  approver: false, deployer: true,  viewer: false },
  'schedules:manage':   { 'tenant-admin': false, 'data-scientist': true,  approver: false, deployer: true,  viewer: false },
};

describe('the role matrix as written', () => {
  it('lists exactly the reviewed permissions', () => {
    expect([...PERMISSIONS]).toEqual(EXPECTED_PERMISSIONS);
    expect([...PLATFORM_PERMISSIONS]).toEqual(EXPECTED_PLATFORM_PERMISSIONS);
    expect([...TENANT_ROLES]).toEqual(['tenant-admin', 'data-scientist', 'approver', 'deployer', 'viewer']);
  });

  it('grants exactly the reviewed table', () => {
    const actual = Object.fromEntries(PERMISSIONS.map((p) => [p, Object.fromEntries(TENANT_ROLES.map((r) => [r, ROLE_PERMISSIONS[r].has(p)]))]));
    expect(actual).toEqual(EXPECTED_MATRIX);
    for (const role of TENANT_ROLES) {
      // No role holds anything outside PERMISSIONS (e.g. a platform permission).
      expect([...ROLE_PERMISSIONS[role]].filter((p) => !PERMISSIONS.includes(p))).toEqual([]);
    }
  });

  it('keeps segregation of duties: who decides approvals neither writes the catalog nor deploys', () => {
    for (const role of TENANT_ROLES) {
      const grants = ROLE_PERMISSIONS[role];
      if (grants.has('approvals:decide')) expect(grants.has('catalog:write') || grants.has('deployments:manage') || grants.has('users:manage')).toBe(false);
    }
  });
});

// Each case sends a request per route and role: on a loaded two-core CI machine that can pass 30 s.
jest.setTimeout(240_000);

describe('the role matrix at the edge, over every tenant route of the OpenAPI document', () => {
  let ctx: Awaited<ReturnType<typeof bootApi>>;
  let tenantOps: TenantOperation[];
  let ops: Operation[];
  let A: TenantFixtures;
  let before: Snapshot;
  const unprepared = new Map<string, string>();
  const log = new AttackLog();
  const started = Date.now();
  let platformAdmin: Credential;
  /** Status each credential got on each route, for the report. */
  const observed: Record<string, Record<string, number>> = {};
  const note = (op: Operation, credential: Credential, status: number) => ((observed[op.key] ??= {})[credential.label] = status);

  beforeAll(async () => {
    ctx = await bootApi();
    const tenant = await onboardTenant(ctx.api, ctx.adminToken, 'Role Matrix');
    const doc = await fetchOpenApi(ctx.api);
    ops = operationsOf(doc);
    tenantOps = ops.filter((o): o is TenantOperation => o.kind === 'tenant');
    A = new TenantFixtures('A', ctx.api, doc, ops, tenant);
    platformAdmin = { label: 'platform-admin', token: ctx.adminToken, roles: [] };
    // Fixtures and requests, built before the snapshot: building may act.
    for (const [key, why] of await A.prepare(tenantOps)) unprepared.set(key, why);
    before = await settledSnapshot(A, ready());
  }, 180_000);

  afterAll(async () => {
    log.report('role-matrix', { tenantRoutes: tenantOps?.length, observed, unprepared: Object.fromEntries(unprepared), durationMs: Date.now() - started });
    await ctx?.local.close();
  });

  const ready = () => tenantOps.filter((o) => !unprepared.has(o.key));

  it('every tenant route has fixtures and a buildable request, and names a permission some role holds', () => {
    expect(Object.fromEntries(unprepared)).toEqual({});
    expect(tenantOps.filter((o) => !TENANT_ROLES.some((r) => rolesGrant([r], o.permission))).map((o) => `${o.key} (${o.permission})`)).toEqual([]);
  });

  it('refuses every tenant and platform route without a credential (401)', async () => {
    const wrong: string[] = [];
    for (const op of ops.filter((o) => o.kind === 'tenant' || o.kind === 'platform')) {
      // Real ids where the fixtures exist (cached: nothing is created here), placeholders otherwise.
      const params: Params = await A.params(op).catch(() => ({}));
      const res = await ctx.api.call(
        op.method,
        op.path.replace(/\{([^}]+)\}/g, (_, n: string) => encodeURIComponent(params[n] ?? 'x')),
      );
      log.count(op);
      if (res.status !== 401) wrong.push(`${op.key}: ${res.status}`);
    }
    expect(wrong).toEqual([]);
  });

  it('gives exactly 403 to every role lacking the permission, and to the platform administrator; nothing changes', async () => {
    const errors = log.errors.length;
    for (const op of ready()) {
      const lacking: Credential[] = [...TENANT_ROLES.filter((r) => !rolesGrant([r], op.permission)).map((r) => A.roleCredential(r)), platformAdmin];
      for (const credential of lacking) {
        const request = await A.requestFor(op, await A.params(op));
        const res = await A.send(credential, request);
        log.count(op);
        note(op, credential, res.status);
        if (res.status !== 403) log.error(op, credential, request, res, `expected 403 for ${credential.label} lacking '${op.permission}', got ${res.status}`);
      }
    }
    expect(log.errors.slice(errors)).toEqual([]);
    // The follow-up read: every resource and list of the tenant, as before the refused calls.
    const after = await snapshot(A, ready());
    expect(differences(before, after)).toEqual([]);
  });

  it('lets every role holding the permission past the guard, with a valid request (not 400, 401 or 403)', async () => {
    const errors = log.errors.length;
    const order = (op: Operation) => (op.method === 'GET' ? 0 : op.method === 'DELETE' ? 2 : 1);
    for (const op of [...ready()].sort((x, y) => order(x) - order(y))) {
      for (const role of TENANT_ROLES.filter((r) => rolesGrant([r], op.permission))) {
        const credential = A.roleCredential(role);
        // A deletion gets a resource of its own; other calls act on the first fixture (GETs first, DELETEs last).
        const params = await A.params(op, 0, op.method === 'DELETE');
        const request = await A.buildRequest(op, params);
        const res = await A.send(credential, request);
        log.count(op);
        note(op, credential, res.status);
        if ([400, 401, 403].includes(res.status) || res.status >= 500) {
          log.error(op, credential, request, res, `${role} holds '${op.permission}' but got ${res.status}`);
        }
      }
    }
    expect(log.errors.slice(errors)).toEqual([]);
  });

  it('covers every tenant route', () => {
    expect([...log.routes].filter((k) => tenantOps.some((o) => o.key === k)).sort()).toEqual(tenantOps.map((o) => o.key).sort());
  });
});
