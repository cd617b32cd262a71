import { assertMayDeploy } from '../../../core/governance/deploy-segregation';
import { tenantScope } from '../../../core/tenancy/tenant-scope';
import { PLANS } from '../../../core/tenancy/plans';
import { bootApi, invitationFor, onboardTenant, type OnboardedTenant, signInAs, USER_PASSWORD } from '../../support/api-client';
import { fetchOpenApi, fillPath, operationsOf } from '../../support/isolation/openapi';
import { createModel, createProject, uploadVersion } from '../catalog/catalog-fixtures';
import { BREAST_CANCER_CSV } from '../../fixtures/pipelines/breast-cancer';
import { createBreastCancerModel, waitForExecution } from '../../fixtures/pipelines/catalog-model';

const CONTAINER = new TextEncoder().encode(JSON.stringify({ image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/credit-model@sha256:' + 'b'.repeat(64) }));

/**
 * Governance that cannot be talked around: approval policies as tenant
 * settings (per-project overrides, revisions), gates over counted evaluations
 * and the champion, multi-approver decisions, the inbox, compare.
 */
describe('approval governance', () => {
  let ctx: Awaited<ReturnType<typeof bootApi>>;
  let bank: OnboardedTenant;
  let ds: string;
  let admin: string;
  let secondApprover: string;
  /** A data scientist who is also an approver: segregation of duties must stop them on their own versions. */
  let dsApprover: string;

  const call = (token: string, method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
    ctx.api.call(method, path, { token, ...(body !== undefined ? { body } : {}), ...(headers ? { headers } : {}) });

  async function invite(email: string, roles: string[]): Promise<string> {
    const res = await call(admin, 'POST', '/users', { email, roles });
    expect(res.status).toBe(201);
    expect((await ctx.api.call('POST', '/auth/accept-invitation', { body: { invitation: await invitationFor(email), password: USER_PASSWORD } })).status).toBe(
      200,
    );
    return signInAs(ctx.api, email, USER_PASSWORD);
  }

  /** An imported version taken to pending-approval by `owner`, with the evaluations `owner` posts. */
  async function pendingVersion(modelId: string, metrics: Record<string, number>, owner = ds): Promise<number> {
    const { version } = await uploadVersion(ctx.api, owner, modelId, 'sagemaker-container', CONTAINER);
    const base = `/models/${modelId}/versions/${version}`;
    expect((await call(owner, 'POST', `${base}/status`, { to: 'evaluating' })).status).toBe(200);
    expect((await call(owner, 'POST', `${base}/evaluations`, { metrics })).status).toBe(201);
    for (const to of ['evaluated', 'pending-approval']) expect((await call(owner, 'POST', `${base}/status`, { to })).status).toBe(200);
    return version;
  }

  async function governedModel(policy?: Record<string, unknown>): Promise<{ projectId: string; modelId: string }> {
    const project = await createProject(ctx.api, ds);
    const model = await createModel(ctx.api, ds, project.projectId);
    if (policy) expect((await call(admin, 'PUT', `/projects/${project.projectId}/policy`, policy)).status).toBe(200);
    return { projectId: project.projectId, modelId: model.modelId };
  }

  beforeAll(async () => {
    ctx = await bootApi();
    bank = await onboardTenant(ctx.api, ctx.adminToken, 'Governed Bank');
    ds = bank.tokens['data-scientist'];
    admin = bank.tokens['tenant-admin'];
    secondApprover = await invite('second-approver@governed.example', ['approver']);
    dsApprover = await invite('ds-approver@governed.example', ['data-scientist', 'approver']);
  }, 180_000);

  afterAll(async () => {
    await ctx?.local.close();
  });

  it('keeps the policy as a tenant setting: default, revisions, project overrides, audit', async () => {
    const initial = await call(ds, 'GET', '/policies/tenant');
    expect(initial.status).toBe(200);
    expect(initial.body).toMatchObject({
      ref: { scope: 'default', revision: 0 },
      policy: { gates: [], autoApprove: false, approvals: { count: 1, roles: ['approver'] } },
    });

    const set = await call(admin, 'PUT', '/policies/tenant?expectedRevision=0', {
      gates: ['auc >= 0.80 and auc >= champion.auc - 0.01', 'disparate_impact >= 0.8', 'brier <= 0.1'],
    });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ ref: { scope: 'tenant', revision: 1 }, updatedBy: `user:${bank.userIds['tenant-admin']}` });
    // A stale writer is refused; the current revision is kept.
    expect((await call(admin, 'PUT', '/policies/tenant?expectedRevision=0', { gates: [] })).status).toBe(412);
    const second = await call(admin, 'PUT', '/policies/tenant', { gates: [] });
    expect(second.body.ref.revision).toBe(2);
    const revisions = await call(admin, 'GET', '/policies/tenant/revisions');
    expect(revisions.body.items.map((r: { ref: { revision: number } }) => r.ref.revision)).toEqual([2, 1]);
    expect(revisions.body.items[1].policy.gates).toHaveLength(3);

    const { projectId } = await governedModel();
    expect((await call(ds, 'GET', `/projects/${projectId}/policy`)).body).toMatchObject({ governing: { ref: { scope: 'tenant', revision: 2 } } });
    const override = await call(admin, 'PUT', `/projects/${projectId}/policy`, { approvals: { count: 2, roles: ['approver'] } });
    expect(override.body).toMatchObject({ ref: { scope: 'project', projectId, revision: 1 }, policy: { approvals: { count: 2 } } });
    expect((await call(ds, 'GET', `/projects/${projectId}/policy`)).body).toMatchObject({
      governing: { ref: { scope: 'project', revision: 1 } },
      override: { ref: { revision: 1 } },
    });
    const removed = await call(admin, 'DELETE', `/projects/${projectId}/policy`);
    expect(removed.body).toMatchObject({ removed: true, governing: { ref: { scope: 'tenant', revision: 2 } } });
    expect((await call(admin, 'DELETE', `/projects/${projectId}/policy`)).body.removed).toBe(false);
    // Revisions continue after a removal.
    expect((await call(admin, 'PUT', `/projects/${projectId}/policy`, {})).body.ref.revision).toBe(3);
    const projectRevisions = await call(admin, 'GET', `/projects/${projectId}/policy/revisions`);
    expect(projectRevisions.body.items.map((r: { ref: { revision: number }; active: boolean }) => [r.ref.revision, r.active])).toEqual([
      [3, true],
      [2, false],
      [1, true],
    ]);
    const audit = await call(admin, 'GET', '/audit/events?targetType=approval-policy&targetId=tenant');
    expect(audit.body.items.map((e: { action: string }) => e.action)).toEqual(['policy.updated', 'policy.updated']);
  });

  it('refuses a malformed gate, an unknown metric, a policy no role could satisfy and unknown fields — naming each, storing nothing', async () => {
    const before = await call(admin, 'GET', '/policies/tenant');
    const cases: Array<[Record<string, unknown>, string, RegExp]> = [
      [{ gates: ['auc >= '] }, 'body.gates.0', /malformed expression/],
      [{ gates: ['auc >= 0.8', 'aucc >= 0.8'] }, 'body.gates.1', /unknown metric 'aucc'/],
      [{ gates: ['auc >= champion.recal'] }, 'body.gates.0', /unknown metric 'champion.recal'/],
      [{ gates: ['auc'] }, 'body.gates.0', /not a condition/],
      [{ approvals: { count: 1, roles: ['viewer'] } }, 'body.approvals.roles', /no one could satisfy this policy: 'viewer' cannot decide approvals/],
      [{ approvals: { count: 1, roles: ['data-scientist', 'deployer'] } }, 'body.approvals.roles', /no one could satisfy/],
      [{ autoaprove: true }, 'body', /autoaprove/],
      [{ approvals: { count: 9 } }, 'body.approvals.count', /./],
    ];
    for (const [policy, field, problem] of cases) {
      for (const path of ['/policies/tenant', `/projects/${(await governedModel()).projectId}/policy`]) {
        const res = await call(admin, 'PUT', path, policy);
        expect({ path, policy, status: res.status }).toEqual({ path, policy, status: 400 });
        const named = (res.body.invalidFields as Array<{ field: string; problem: string }>).find((f) => f.field.startsWith(field));
        expect(named).toBeDefined();
        expect(`${named!.field}: ${named!.problem} ${res.body.detail}`).toMatch(problem);
      }
    }
    expect((await call(admin, 'GET', '/policies/tenant')).body).toEqual(before.body);
    expect((await call(admin, 'GET', '/policies/tenant/revisions')).body.items).toHaveLength(before.body.ref.revision);
  });

  it('lets no data scientist loosen the policy or approve their own version, by any route', async () => {
    const { projectId, modelId } = await governedModel({ approvals: { count: 1, roles: ['approver'] }, gates: ['auc >= 0.9'] });
    const tenantBefore = await call(admin, 'GET', '/policies/tenant');
    const projectBefore = await call(admin, 'GET', `/projects/${projectId}/policy`);

    // Every route of the document that writes a policy: the data scientist (and the one who is also an approver) gets 403.
    const doc = await fetchOpenApi(ctx.api);
    const policyWrites = operationsOf(doc).filter((o) => o.mutating && /polic/.test(o.path));
    expect(policyWrites.map((o) => o.key).sort()).toEqual(['DELETE /projects/{projectId}/policy', 'PUT /policies/tenant', 'PUT /projects/{projectId}/policy']);
    for (const op of policyWrites) {
      for (const token of [ds, dsApprover]) {
        const res = await call(token, op.method, fillPath(op.path, { projectId }), op.method === 'PUT' ? { gates: [], autoApprove: true } : undefined);
        expect({ route: op.key, status: res.status }).toEqual({ route: op.key, status: 403 });
      }
    }

    // Their own version: not by decision, not by status, not by alias, not even holding the approver role.
    const mine = await pendingVersion(modelId, { auc: 0.99 }, dsApprover);
    const base = `/models/${modelId}/versions/${mine}`;
    expect((await call(ds, 'POST', `${base}/decision`, { decision: 'approve', reason: 'looks fine' })).status).toBe(403);
    const own = await call(dsApprover, 'POST', `${base}/decision`, { decision: 'approve', reason: 'my own work' });
    expect(own.status).toBe(403);
    expect(own.body.detail).toContain('segregation of duties');
    expect((await call(dsApprover, 'POST', `${base}/status`, { to: 'approved' })).status).toBe(403);
    expect((await call(dsApprover, 'PUT', `/models/${modelId}/aliases/champion`, { version: mine })).status).toBe(403);
    const inbox = await call(dsApprover, 'GET', '/approvals/inbox?limit=100');
    const item = inbox.body.items.find((i: { modelId: string; version: number }) => i.modelId === modelId && i.version === mine);
    expect(item).toMatchObject({ canApprove: false, canReject: false });
    expect(item.cannotApproveBecause.join(' ')).toContain('segregation of duties');

    // A run cannot ask for a looser policy: automatic approval, or sources the policy does not count.
    const { modelId: trained } = await createBreastCancerModel(ctx.api, ds);
    await ctx.platform.tenantObjects(bank.tenantId).put('datasets/governed.csv', BREAST_CANCER_CSV, 'text/csv');
    const input = { modelId: trained, dataset: { key: 'datasets/governed.csv' }, target: 'benign' };
    for (const policy of [{ metric: 'auc', minimum: 0, autoApprove: true }, { autoApprove: true }]) {
      const res = await call(ds, 'POST', '/pipelines/train-evaluate/executions', { ...input, policy });
      expect(res.status).toBe(403);
      expect(res.body.detail).toContain('policy.autoApprove');
    }
    expect((await call(admin, 'PUT', '/policies/tenant', { evaluationSources: ['platform'] })).status).toBe(200);
    const widen = await call(ds, 'POST', '/pipelines/train-evaluate/executions', { ...input, policy: { evaluationSources: ['platform', 'person'] } });
    expect(widen.status).toBe(403);
    expect(widen.body.detail).toContain('policy.evaluationSources');
    expect((await call(ds, 'POST', '/pipelines/train-evaluate/executions', { ...input, policy: { gates: ['auc >= '] } })).status).toBe(400);
    // Restore the tenant policy as it was, for the other tests.
    expect((await call(admin, 'PUT', '/policies/tenant', tenantBefore.body.policy)).status).toBe(200);

    // The same loosening attempted by the step itself (AWS runs do not pass the API preflight): the run fails, nothing is approved.
    const runs = await ctx.platform.pipelines.start({
      tenantId: bank.tenantId,
      actor: `user:${bank.userIds['data-scientist']}`,
      pipeline: 'train-evaluate',
      input: { ...input, policy: { autoApprove: true } },
    });
    const done = await waitForExecution(ctx.api, ds, runs.executionId.slice(runs.executionId.lastIndexOf(':') + 1));
    expect(done.body).toMatchObject({ status: 'FAILED', error: 'Forbidden' });
    expect((await call(ds, 'GET', `/models/${trained}/versions`)).body.items).toEqual([]);

    expect((await call(admin, 'GET', `/projects/${projectId}/policy`)).body).toEqual(projectBefore.body);
    expect((await call(ds, 'GET', `${base}`)).body.status).toBe('pending-approval');
  });

  it('needs two approvers when the policy says two; each names its reason and the policy revision; a rejection ends it', async () => {
    const { projectId, modelId } = await governedModel({ approvals: { count: 2, roles: ['approver'] }, gates: ['auc >= 0.8'] });
    const version = await pendingVersion(modelId, { auc: 0.93, brier: 0.07 });
    const base = `/models/${modelId}/versions/${version}`;

    const first = await call(bank.tokens.approver, 'POST', `${base}/decision`, { decision: 'approve', reason: 'hold-out AUC 0.93, reviewed' });
    expect(first.status).toBe(200);
    expect(first.body.version.status).toBe('pending-approval');
    expect(first.body.approval).toMatchObject({ policy: { scope: 'project', projectId, revision: 1 }, approvalsRequired: 2, approvalsGiven: 1 });
    expect(first.body.version.statusReason).toContain('1 of 2 approvals');

    // The same approver cannot count twice; the inbox says why.
    const again = await call(bank.tokens.approver, 'POST', `${base}/decision`, { decision: 'approve', reason: 'me again' });
    expect(again.status).toBe(409);
    expect(again.body.detail).toContain('already decided');
    const inbox = await call(bank.tokens.approver, 'GET', '/approvals/inbox?limit=100');
    const waiting = inbox.body.items.find((i: { modelId: string }) => i.modelId === modelId);
    expect(waiting).toMatchObject({
      version,
      policy: { scope: 'project', revision: 1 },
      approvals: { required: 2, given: 1 },
      gates: { verdict: 'pass', results: [{ expression: 'auc >= 0.8', outcome: 'passed', reason: 'auc 0.93 >= 0.8 holds' }] },
      canApprove: false,
    });
    expect(waiting.cannotApproveBecause).toEqual([expect.stringContaining('already decided')]);
    const theirs = (await call(secondApprover, 'GET', '/approvals/inbox?limit=100')).body.items.find((i: { modelId: string }) => i.modelId === modelId);
    expect(theirs).toMatchObject({ canApprove: true, cannotApproveBecause: [] });

    const second = await call(secondApprover, 'POST', `${base}/decision`, { decision: 'approve', reason: 'calibration acceptable' });
    expect(second.status).toBe(200);
    expect(second.body.version.status).toBe('approved');
    expect(second.body.approval).toMatchObject({ approvalsGiven: 2, approvalsRequired: 2 });
    const decisions = await call(bank.tokens.viewer, 'GET', `${base}/approvals`);
    expect(decisions.body.items.map((a: { reason: string; policy: { revision: number } }) => [a.reason, a.policy.revision])).toEqual([
      ['hold-out AUC 0.93, reviewed', 1],
      ['calibration acceptable', 1],
    ]);
    const report = await call(bank.tokens.viewer, 'GET', `${base}/report?format=markdown`);
    expect(report.status).toBe(200);
    expect(report.body).toContain(`project ${projectId} policy revision 1`);

    // A rejection ends it at once, whatever the count.
    const other = await pendingVersion(modelId, { auc: 0.95 });
    const rejected = await call(secondApprover, 'POST', `/models/${modelId}/versions/${other}/decision`, {
      decision: 'reject',
      reason: 'training data predates the fix',
    });
    expect(rejected.body.version.status).toBe('rejected');
    expect(
      (await call(bank.tokens.approver, 'POST', `/models/${modelId}/versions/${other}/decision`, { decision: 'approve', reason: 'too late' })).status,
    ).toBe(409);
  });

  it('fails a version whose champion is better, by a gate expression; compare shows why', async () => {
    const { modelId } = await governedModel({ gates: ['auc >= 0.80 and auc >= champion.auc - 0.01'] });
    const v1 = await pendingVersion(modelId, { auc: 0.95, brier: 0.05 });
    expect(
      (await call(bank.tokens.approver, 'POST', `/models/${modelId}/versions/${v1}/decision`, { decision: 'approve', reason: 'first version' })).status,
    ).toBe(200);
    expect((await call(bank.tokens.deployer, 'PUT', `/models/${modelId}/aliases/champion`, { version: v1 })).status).toBe(200);

    const worse = await pendingVersion(modelId, { auc: 0.9, brier: 0.08 });
    const refused = await call(bank.tokens.approver, 'POST', `/models/${modelId}/versions/${worse}/decision`, { decision: 'approve', reason: 'looks fine' });
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toContain('no approval overrides a failed gate');
    expect(refused.body.detail).toContain('auc 0.9 >= (champion.auc 0.95 (v1) - 0.01 = 0.94) does not hold');
    const close = await pendingVersion(modelId, { auc: 0.945, brier: 0.04 });
    expect(
      (
        await call(bank.tokens.approver, 'POST', `/models/${modelId}/versions/${close}/decision`, {
          decision: 'approve',
          reason: 'within a point of the champion',
        })
      ).status,
    ).toBe(200);

    const compared = await call(bank.tokens.viewer, 'GET', `/models/${modelId}/compare?versions=${v1},${worse},${close}`);
    expect(compared.status).toBe(200);
    expect(compared.body).toMatchObject({
      champion: { version: v1, metrics: { auc: 0.95 } },
      metrics: [
        { name: 'auc', higherIsBetter: true },
        { name: 'brier', higherIsBetter: false },
      ],
    });
    const byVersion = Object.fromEntries(compared.body.versions.map((v: { version: number }) => [v.version, v]));
    expect(byVersion[v1]).toMatchObject({ isChampion: true, deltas: { auc: 0, brier: 0 } });
    expect(byVersion[worse].deltas.auc).toBeCloseTo(-0.05, 12);
    expect(byVersion[worse].betterThanChampion).toEqual({ auc: false, brier: false });
    expect(byVersion[close].betterThanChampion).toEqual({ auc: false, brier: true });
    expect(byVersion[close].evaluations).toEqual([expect.objectContaining({ source: 'person' })]);
    expect((await call(bank.tokens.viewer, 'GET', `/models/${modelId}/compare?versions=1,99`)).status).toBe(404);
    expect((await call(bank.tokens.viewer, 'GET', `/models/${modelId}/compare?versions=one`)).status).toBe(400);
  });

  it('does not let posted metrics satisfy a policy that counts platform evaluations only', async () => {
    const { modelId } = await governedModel({ gates: ['auc >= 0.8'], evaluationSources: ['platform'] });
    const version = await pendingVersion(modelId, { auc: 0.99 });
    const evaluations = await call(ds, 'GET', `/models/${modelId}/versions/${version}/evaluations`);
    expect(evaluations.body.items).toEqual([expect.objectContaining({ source: 'person', createdBy: `user:${bank.userIds['data-scientist']}` })]);
    const res = await call(bank.tokens.approver, 'POST', `/models/${modelId}/versions/${version}/decision`, {
      decision: 'approve',
      reason: 'the numbers look great',
    });
    expect(res.status).toBe(409);
    expect(res.body.detail).toContain('the counted evaluations record no auc');
    const item = (await call(bank.tokens.approver, 'GET', '/approvals/inbox?limit=100')).body.items.find((i: { modelId: string }) => i.modelId === modelId);
    expect(item).toMatchObject({ gates: { verdict: 'fail', sources: ['platform'] }, metrics: {}, canApprove: false, canReject: true });

    // Counting people's evaluations too, the same numbers pass.
    const counted = await governedModel({ gates: ['auc >= 0.8'], evaluationSources: ['platform', 'person'] });
    const passing = await pendingVersion(counted.modelId, { auc: 0.99 });
    expect(
      (await call(bank.tokens.approver, 'POST', `/models/${counted.modelId}/versions/${passing}/decision`, { decision: 'approve', reason: 'reviewed' })).status,
    ).toBe(200);
  });

  it('judges a pipeline run under the stored policy: a better champion rejects it, automatic approval only where the policy grants it', async () => {
    const { projectId, modelId } = await createBreastCancerModel(ctx.api, ds);
    await ctx.platform.tenantObjects(bank.tenantId).put('datasets/champion.csv', BREAST_CANCER_CSV, 'text/csv');
    expect((await call(admin, 'PUT', `/projects/${projectId}/policy`, { gates: ['auc >= 0.8', 'auc >= champion.auc'], autoApprove: true })).status).toBe(200);
    // Version 1 by the platform: no champion to beat, auto-approved under project revision 1.
    const first = await call(ds, 'POST', '/pipelines/train-evaluate/executions', { modelId, dataset: { key: 'datasets/champion.csv' }, target: 'benign' });
    expect(first.status).toBe(202);
    const run1 = await waitForExecution(ctx.api, ds, first.body.executionId);
    expect(run1.body.output.decision).toMatchObject({ outcome: 'AUTO_APPROVED', policy: { scope: 'project', projectId, revision: 1 } });
    expect((await call(bank.tokens.deployer, 'PUT', `/models/${modelId}/aliases/champion`, { version: 1 })).status).toBe(200);
    // Revision 2 asks to beat the champion; the same data and seed give the same AUC: a tie does not beat it.
    expect((await call(admin, 'PUT', `/projects/${projectId}/policy`, { gates: ['auc >= 0.8', 'auc > champion.auc'], autoApprove: true })).status).toBe(200);
    const second = await call(ds, 'POST', '/pipelines/train-evaluate/executions', { modelId, dataset: { key: 'datasets/champion.csv' }, target: 'benign' });
    const run2 = await waitForExecution(ctx.api, ds, second.body.executionId);
    expect(run2.body.output.decision).toMatchObject({ outcome: 'REJECTED', policy: { scope: 'project', revision: 2 } });
    expect(run2.body.output.decision.reasons.join(' ')).toMatch(/auc > champion\.auc: auc 0\.\d+ > champion\.auc 0\.\d+ \(v1\) does not hold/);
    const v2 = await call(ds, 'GET', `/models/${modelId}/versions/2`);
    expect(v2.body.status).toBe('rejected');
    const approvals = await call(ds, 'GET', `/models/${modelId}/versions/2/approvals`);
    expect(approvals.body.items).toEqual([
      expect.objectContaining({ decidedBy: 'system:approval-policy', decision: 'reject', policy: { scope: 'project', projectId, revision: 2 } }),
    ]);
    // The platform's evaluations are marked as such.
    expect((await call(ds, 'GET', `/models/${modelId}/versions/2/evaluations`)).body.items).toEqual([expect.objectContaining({ source: 'platform' })]);
  });

  it('keeps whoever approved a version from deploying it when the policy says so', async () => {
    const { modelId } = await governedModel({ approverCannotDeploy: true });
    const version = await pendingVersion(modelId, { auc: 0.9 });
    expect((await call(bank.tokens.approver, 'POST', `/models/${modelId}/versions/${version}/decision`, { decision: 'approve', reason: 'fine' })).status).toBe(
      200,
    );
    const scopeOf = (userId: string, roles: ('approver' | 'deployer')[]) =>
      tenantScope(ctx.platform, { kind: 'user', userId, tenantId: bank.tenantId, email: 'x@governed.example', roles }, { requestId: 'test' }, PLANS.enterprise);
    await expect(assertMayDeploy(scopeOf(bank.userIds.approver, ['approver', 'deployer']), modelId, version)).rejects.toThrow(/you approved version/);
    await expect(assertMayDeploy(scopeOf(bank.userIds.deployer, ['deployer']), modelId, version)).resolves.toBeUndefined();
  });

  describe('Idempotency-Key', () => {
    it('returns the first answer to a retried POST and creates one thing; another body under the same key is a 422', async () => {
      const key = `ci-run-${Math.random().toString(36).slice(2)}`;
      const body = { name: `idem-${key}`, description: 'created once' };
      const first = await call(ds, 'POST', '/projects', body, { 'idempotency-key': key });
      expect(first.status).toBe(201);
      const retry = await call(ds, 'POST', '/projects', body, { 'idempotency-key': key });
      expect(retry.status).toBe(201);
      expect(retry.body).toEqual(first.body);
      expect(retry.headers.get('idempotent-replayed')).toBe('true');
      const other = await call(ds, 'POST', '/projects', { ...body, description: 'something else' }, { 'idempotency-key': key });
      expect(other.status).toBe(422);
      expect(other.body.type).toBe('urn:steward:problem:idempotency-key-reused');
      // Another caller reusing the key is a different request too.
      expect((await call(dsApprover, 'POST', '/projects', body, { 'idempotency-key': key })).status).toBe(422);
      const listed = await call(ds, 'GET', `/projects?namePrefix=idem-${key}`);
      expect(listed.body.items).toHaveLength(1);
      expect((await call(ds, 'POST', '/projects', body, { 'idempotency-key': 'x'.repeat(300) })).status).toBe(400);
      // Documented on every tenant POST, by the route factory.
      const doc = await fetchOpenApi(ctx.api);
      const posts = operationsOf(doc).filter((o) => o.kind === 'tenant' && o.method === 'POST');
      expect(posts.length).toBeGreaterThan(10);
      for (const op of posts) {
        const parameters: Array<{ name: string; in: string }> = doc.paths[op.path].post.parameters ?? [];
        expect({ route: op.key, documented: parameters.some((p) => p.in === 'header' && p.name === 'idempotency-key') }).toEqual({
          route: op.key,
          documented: true,
        });
      }
    });

    it('lets concurrent duplicates create one thing and all get its answer', async () => {
      const key = `burst-${Math.random().toString(36).slice(2)}`;
      const project = await createProject(ctx.api, ds);
      const body = {
        projectId: project.projectId,
        name: `burst-${key}`,
        type: 'ml',
        framework: 'onnx',
        tags: [],
        schema: { inputs: [{ name: 'x', type: 'double' }], outputs: [{ name: 'y', type: 'double' }] },
      };
      const replies = await Promise.all(Array.from({ length: 6 }, () => call(ds, 'POST', '/models', body, { 'idempotency-key': key })));
      expect(replies.map((r) => [r.status, r.status === 201 ? '' : JSON.stringify(r.body)])).toEqual(Array(6).fill([201, '']));
      expect(new Set(replies.map((r) => r.body.modelId)).size).toBe(1);
      expect(replies.filter((r) => r.headers.get('idempotent-replayed') !== 'true')).toHaveLength(1);
      const models = await call(ds, 'GET', `/models?projectId=${project.projectId}`);
      expect(models.body.items).toHaveLength(1);
      const audit = await call(bank.tokens.viewer, 'GET', `/audit/events?targetType=model&targetId=${replies[0].body.modelId}`);
      expect(audit.body.items.filter((e: { action: string }) => e.action === 'model.created')).toHaveLength(1);
    });

    it('frees the key of a request that failed, and keeps pipeline runs to one per key', async () => {
      const key = `retry-${Math.random().toString(36).slice(2)}`;
      const bad = await call(ds, 'POST', '/projects', { name: '' }, { 'idempotency-key': key });
      expect(bad.status).toBe(400);
      const good = await call(ds, 'POST', '/projects', { name: `fixed-${key}` }, { 'idempotency-key': key });
      expect(good.status).toBe(201);

      const { modelId } = await createBreastCancerModel(ctx.api, ds);
      const input = { modelId, dataset: { key: 'datasets/nowhere.csv' }, target: 'benign' };
      const runKey = `run-${key}`;
      const [a, b] = await Promise.all([0, 1].map(() => call(ds, 'POST', '/pipelines/train-evaluate/executions', input, { 'idempotency-key': runKey })));
      expect([a.status, b.status]).toEqual([202, 202]);
      expect(a.body.executionId).toBe(b.body.executionId);
      await waitForExecution(ctx.api, ds, a.body.executionId);
      const runs = await call(ds, 'GET', '/executions?limit=100');
      expect(runs.body.items.filter((e: { executionId: string }) => e.executionId === a.body.executionId)).toHaveLength(1);
    });
  });
});
