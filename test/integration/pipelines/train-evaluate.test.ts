import { getExecution, listExecutions } from '../../../core/pipelines/execution-log';
import { scoreWithOnnx } from '../../../core/pipelines/onnx-scoring';
import { step as recordFailure } from '../../../functions/pipeline-steps/record-pipeline-failure';
import { bootApi, invitationFor, onboardTenant, type OnboardedTenant, signInAs, USER_PASSWORD } from '../../support/api-client';
import { BREAST_CANCER_CSV, BREAST_CANCER_FEATURES } from '../../fixtures/pipelines/breast-cancer';
import { createBreastCancerModel, registerBreastCancerDataset, waitForExecution } from '../../fixtures/pipelines/catalog-model';
import { randomTenantId } from '../../fixtures/pipelines/tenants';

const STATES_AUTO = [
  'ValidateInput',
  'TrainerRoute',
  'TrainModel',
  'RegisterVersion',
  'EvaluateModel',
  'CompareWithChampion',
  'ApplyApprovalPolicy',
  'ApprovalRoute',
  'AutoApprove',
  'Done',
];

describe('train-evaluate through the executions API, into the model catalog', () => {
  let ctx: Awaited<ReturnType<typeof bootApi>>;
  let acme: OnboardedTenant;
  let other: OnboardedTenant;

  beforeAll(async () => {
    ctx = await bootApi();
    acme = await onboardTenant(ctx.api, ctx.adminToken, 'Acme Oncology');
    other = await onboardTenant(ctx.api, ctx.adminToken, 'Other Labs', { roles: ['data-scientist'] });
  });

  afterAll(async () => {
    await ctx?.local.close();
  });

  const call = (token: string, method: string, path: string, body?: unknown) => ctx.api.call(method, path, { token, ...(body !== undefined ? { body } : {}) });

  async function start(tenant: OnboardedTenant, input: Record<string, unknown>, query = ''): Promise<string> {
    const res = await call(tenant.tokens['data-scientist'], 'POST', `/pipelines/train-evaluate/executions${query}`, input);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ pipeline: 'train-evaluate', status: 'RUNNING', location: `/executions/${res.body.executionId}` });
    expect(res.headers.get('location')).toBe(`/executions/${res.body.executionId}`);
    return res.body.executionId;
  }

  it('trains on a dataset version, registers, verifies, evaluates and auto-approves version 1 in the catalog, as the pipeline', async () => {
    const ds = acme.tokens['data-scientist'];
    const { modelId, projectId } = await createBreastCancerModel(ctx.api, ds);
    // Automatic approval is the tenant admin's to grant (here for this project), not the run's to ask for.
    const policy = await call(acme.tokens['tenant-admin'], 'PUT', `/projects/${projectId}/policy`, { gates: ['auc >= 0.8'], autoApprove: true });
    expect(policy.status).toBe(200);
    const dataset = await registerBreastCancerDataset(ctx.api, ds, ctx.platform, acme.tenantId);
    const executionId = await start(acme, {
      modelId,
      dataset: { datasetId: dataset.datasetId, version: dataset.version },
      target: 'benign',
      hyperparameters: { l2: 1 },
      policy: { metric: 'auc', minimum: 0.9, autoApprove: true },
      codeRevision: '3f2a9c1',
    });
    expect(executionId).toMatch(/^[0-9a-z]{26}$/);
    const pipelineActor = `pipeline:${executionId}`;

    // Progress: the execution, ordered states with start, end, duration and outcome, and every transition.
    const done = await waitForExecution(ctx.api, acme.tokens.viewer, executionId);
    expect(done.body).toMatchObject({
      executionId,
      pipeline: 'train-evaluate',
      status: 'SUCCEEDED',
      actor: `user:${acme.userIds['data-scientist']}`,
      currentState: 'Done',
    });
    expect(done.body.input).toMatchObject({ modelId, dataset: { datasetId: dataset.datasetId, version: dataset.version }, target: 'benign' });
    expect(done.body.durationMs).toEqual(expect.any(Number));
    expect(done.body.states.map((s: { name: string }) => s.name)).toEqual(STATES_AUTO);
    for (const state of done.body.states) {
      expect(state).toMatchObject({
        status: 'succeeded',
        attempts: 1,
        enteredAt: expect.any(String),
        exitedAt: expect.any(String),
        durationMs: expect.any(Number),
      });
    }
    expect(done.body.transitions[0]).toMatchObject({ seq: 0, type: 'ExecutionStarted' });
    expect(done.body.transitions.at(-1)).toMatchObject({ type: 'ExecutionSucceeded' });
    expect(done.body.transitions.map((t: { seq: number }) => t.seq)).toEqual(done.body.transitions.map((_: unknown, i: number) => i));

    // Version 1 of the catalog model: trained, ONNX verified, lineage, approved by the policy.
    const v1 = await call(ds, 'GET', `/models/${modelId}/versions/1`);
    expect(v1.status).toBe(200);
    expect(v1.body).toMatchObject({
      modelId,
      version: 1,
      source: 'trained',
      status: 'approved',
      createdBy: pipelineActor,
      artifact: {
        format: 'onnx',
        state: 'verified',
        key: expect.stringMatching(/^artifacts\/sha256\/[0-9a-f]{64}$/),
        summary: { binding: { kind: 'packed', fields: BREAST_CANCER_FEATURES } },
      },
      lineage: {
        executionId,
        codeRevision: '3f2a9c1',
        hyperparameters: { l2: 1, maxIterations: 100, tolerance: 1e-8 },
        datasets: [{ datasetId: dataset.datasetId, version: dataset.version, role: 'training' }],
      },
    });
    // The state as it went: the version as registered ($.version), then as the policy left it ($.approval).
    expect(done.body.output.version).toMatchObject({ modelId, version: 1, status: 'trained', artifactSha256: v1.body.artifact.sha256 });
    expect(done.body.output.approval).toMatchObject({ modelId, version: 1, status: 'approved' });

    // Its evaluation: recorded by the pipeline, AUC > 0.9, the full report referenced and readable.
    const evaluations = await call(ds, 'GET', `/models/${modelId}/versions/1/evaluations`);
    expect(evaluations.body.items).toHaveLength(1);
    const [evaluation] = evaluations.body.items;
    expect(evaluation).toMatchObject({
      executionId,
      createdBy: pipelineActor,
      source: 'platform',
      dataset: { datasetId: dataset.datasetId, version: dataset.version },
    });
    expect(evaluation.details).toMatchObject({
      task: 'binary',
      confusion: expect.any(Object),
      calibration: { strategy: 'uniform' },
      featureImportance: { metric: 'auc' },
    });
    expect(evaluation.details.rocCurve.length).toBeGreaterThan(2);
    expect(typeof evaluation.metrics.brier).toBe('number');
    expect(evaluation.metrics.auc).toBeGreaterThan(0.9);
    expect(evaluation.metrics.accuracy).toBeGreaterThan(0.85);
    const reportKey = `models/${modelId}/runs/${executionId}/evaluation.json`;
    expect(evaluation.notes).toContain(reportKey);
    const report = JSON.parse(new TextDecoder().decode(await ctx.platform.tenantObjects(acme.tenantId).getBytes(reportKey)));
    expect(report).toMatchObject({ model: { modelId, version: 1, artifactSha256: v1.body.artifact.sha256 }, confusion: expect.any(Object) });
    expect(report.rocCurve.length).toBeGreaterThan(2);

    // The approval is the policy's, recorded through the catalog's approval decision.
    const approvals = await call(ds, 'GET', `/models/${modelId}/versions/1/approvals`);
    expect(approvals.body.items).toEqual([
      expect.objectContaining({ decision: 'approve', decidedBy: 'system:approval-policy', policy: { scope: 'project', projectId, revision: 1 } }),
    ]);

    // The audit trail: every version event, with the pipeline (and the policy) as actor.
    const audit = await call(acme.tokens.viewer, 'GET', `/audit/events?targetType=version&targetId=${modelId}-1&limit=50`);
    expect(audit.status).toBe(200);
    const events = [...audit.body.items].reverse() as Array<{ action: string; actor: string; requestId: string }>;
    expect(events.map((e) => [e.action, e.actor])).toEqual([
      ['version.registered', pipelineActor],
      ['version.artifact-verified', pipelineActor],
      ['version.status-changed', pipelineActor], // training → trained
      ['version.status-changed', pipelineActor], // trained → evaluating
      ['version.evaluation-recorded', pipelineActor],
      ['version.status-changed', pipelineActor], // evaluating → evaluated
      ['version.status-changed', pipelineActor], // evaluated → pending-approval
      ['version.approved', 'system:approval-policy'],
    ]);
    expect(new Set(events.map((e) => e.requestId))).toEqual(new Set([executionId]));
    const byActor = await call(acme.tokens.viewer, 'GET', `/audit/events?actor=${pipelineActor}&limit=50`);
    expect(byActor.body.items).toHaveLength(7);

    // The registered ONNX artifact scores the data sensibly in onnxruntime.
    const bytes = await ctx.platform.tenantObjects(acme.tenantId).getBytes(v1.body.artifact.key);
    const lines = BREAST_CANCER_CSV.trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(',').map(Number));
    const probabilities = await scoreWithOnnx(
      bytes,
      lines.map((r) => r.slice(0, 30)),
      { inputName: 'features', outputName: 'probability' },
    );
    // Probabilities (float32: the most certain rows saturate at 0 or 1), both classes, mostly right.
    expect(probabilities.every((p) => p >= 0 && p <= 1)).toBe(true);
    expect(probabilities.some((p) => p > 0.05 && p < 0.95)).toBe(true);
    const correct = probabilities.filter((p, i) => (p >= 0.5 ? 1 : 0) === lines[i][30]).length;
    expect(correct / lines.length).toBeGreaterThan(0.9);
    expect(v1.body.artifact.summary.smokeRun.outputs.probability.values[0]).toEqual(expect.any(Number));

    // The lineage graph joins dataset, run and version.
    const lineage = await call(ds, 'GET', `/models/${modelId}/versions/1/lineage`);
    expect(lineage.body.edges).toEqual(
      expect.arrayContaining([
        { from: `dataset:${dataset.datasetId}/${dataset.version}`, to: `version:${modelId}/1`, relation: 'trained-on' },
        { from: `execution:${executionId}`, to: `version:${modelId}/1`, relation: 'produced' },
      ]),
    );
  });

  it('keeps whoever started the run from approving what it trained, even holding the approver role', async () => {
    const ds = acme.tokens['data-scientist'];
    // A data scientist who is also an approver, and owns nothing: only the run links them to the version.
    const both = await call(acme.tokens['tenant-admin'], 'POST', '/users', { email: 'both@acme.example', roles: ['data-scientist', 'approver'] });
    expect(both.status).toBe(201);
    expect(
      (await ctx.api.call('POST', '/auth/accept-invitation', { body: { invitation: await invitationFor('both@acme.example'), password: USER_PASSWORD } }))
        .status,
    ).toBe(200);
    const token = await signInAs(ctx.api, 'both@acme.example', USER_PASSWORD);
    const { modelId } = await createBreastCancerModel(ctx.api, ds);
    await ctx.platform.tenantObjects(acme.tenantId).put('datasets/sod.csv', BREAST_CANCER_CSV, 'text/csv');
    const started = await call(token, 'POST', '/pipelines/train-evaluate/executions', { modelId, dataset: { key: 'datasets/sod.csv' }, target: 'benign' });
    expect(started.status).toBe(202);
    expect((await waitForExecution(ctx.api, token, started.body.executionId)).body.status).toBe('SUCCEEDED');
    const version = await call(token, 'GET', `/models/${modelId}/versions/1`);
    expect(version.body).toMatchObject({ status: 'pending-approval', lineage: { startedBy: `user:${(await call(token, 'GET', '/me')).body.id}` } });
    const own = await call(token, 'POST', `/models/${modelId}/versions/1/decision`, { decision: 'approve', reason: 'looks good to me' });
    expect(own.status).toBe(403);
    expect(own.body.detail).toContain('segregation of duties');
    expect(
      (await call(acme.tokens.approver, 'POST', `/models/${modelId}/versions/1/decision`, { decision: 'approve', reason: 'independent review' })).status,
    ).toBe(200);
  });

  it('leaves a version pending-approval under a manual policy; an approver decides; the next run meets the catalog’s champion', async () => {
    const ds = acme.tokens['data-scientist'];
    const { modelId, projectId } = await createBreastCancerModel(ctx.api, ds);
    await ctx.platform.tenantObjects(acme.tenantId).put('datasets/breast-cancer.csv', BREAST_CANCER_CSV, 'text/csv');
    const input = { modelId, dataset: { key: 'datasets/breast-cancer.csv' }, target: 'benign' };
    const first = await waitForExecution(ctx.api, ds, await start(acme, input));
    expect(first.body.status).toBe('SUCCEEDED');
    expect(first.body.states.map((s: { name: string }) => s.name)).toContain('RequestApproval');
    const pending = await call(ds, 'GET', `/models/${modelId}/versions/1`);
    expect(pending.body).toMatchObject({ status: 'pending-approval', lineage: { datasets: [] } });
    expect(pending.body.statusReason).toContain('a person must decide');

    // The model's owner cannot decide (no approval right, and segregation of duties); an approver can.
    expect((await call(ds, 'POST', `/models/${modelId}/versions/1/decision`, { decision: 'approve', reason: 'my own model' })).status).toBe(403);
    const decided = await call(acme.tokens.approver, 'POST', `/models/${modelId}/versions/1/decision`, {
      decision: 'approve',
      reason: 'AUC 0.99 on the hold-out set, reviewed',
    });
    expect(decided.status).toBe(200);
    expect(decided.body.version.status).toBe('approved');
    expect((await call(acme.tokens.deployer, 'PUT', `/models/${modelId}/aliases/champion`, { version: 1 })).status).toBe(200);

    // Same data, same hyper-parameters: version 2 ties the champion (from the catalog, not the input) and the run's own gate rejects it.
    expect((await call(acme.tokens['tenant-admin'], 'PUT', `/projects/${projectId}/policy`, { autoApprove: true })).status).toBe(200);
    const second = await waitForExecution(ctx.api, ds, await start(acme, { ...input, policy: { autoApprove: true, gates: ['auc > champion.auc'] } }));
    expect(second.body.status).toBe('SUCCEEDED');
    expect(second.body.states.map((s: { name: string }) => s.name)).toContain('RejectCandidate');
    expect(second.body.output.comparison).toMatchObject({ metric: 'auc', championVersion: 1, comparable: true, candidateWins: false });
    const v2 = await call(ds, 'GET', `/models/${modelId}/versions/2`);
    expect(v2.body).toMatchObject({ status: 'rejected', source: 'trained' });
    expect(v2.body.statusReason).toMatch(/auc > champion\.auc: auc 0\.\d+ > champion\.auc 0\.\d+ \(v1\) does not hold/);
    const approvals = await call(ds, 'GET', `/models/${modelId}/versions/2/approvals`);
    expect(approvals.body.items).toEqual([expect.objectContaining({ decision: 'reject', decidedBy: 'system:approval-policy' })]);
  });

  it('fails with a clear cause when the dataset is missing, registering no version', async () => {
    const ds = acme.tokens['data-scientist'];
    const { modelId } = await createBreastCancerModel(ctx.api, ds);
    const done = await waitForExecution(ctx.api, ds, await start(acme, { modelId, dataset: { key: 'datasets/nowhere.csv' }, target: 'benign' }));
    expect(done.body).toMatchObject({
      status: 'FAILED',
      error: 'ValidationFailed',
      cause: "dataset 'datasets/nowhere.csv' was not found in this tenant's storage",
    });
    expect(done.body.states.map((s: { name: string; status: string }) => [s.name, s.status])).toEqual([
      ['ValidateInput', 'caught'],
      ['RecordFailure', 'succeeded'],
      ['PipelineFailed', 'failed'],
    ]);
    expect((await call(ds, 'GET', `/models/${modelId}/versions`)).body.items).toEqual([]);

    const missingVersion = await waitForExecution(
      ctx.api,
      ds,
      await start(acme, { modelId, dataset: { datasetId: '01jd0000000000000000000000', version: 1 }, target: 'benign' }),
    );
    expect(missingVersion.body).toMatchObject({
      status: 'FAILED',
      error: 'ValidationFailed',
      cause: "dataset 01jd0000000000000000000000 has no version 1 in this tenant's catalog",
    });
  });

  it('marks the version a failed run had registered as failed, with the cause (record-pipeline-failure)', async () => {
    const ds = acme.tokens['data-scientist'];
    const { modelId } = await createBreastCancerModel(ctx.api, ds);
    // A run that died after registering: its version is `training`, found by the lineage's execution id.
    const registered = await call(ds, 'POST', `/models/${modelId}/versions`, {
      source: 'trained',
      artifact: { format: 'onnx', sha256: 'a'.repeat(64), size: 100 },
      lineage: { executionId: 'run-that-died', hyperparameters: {} },
    });
    expect(registered.body).toMatchObject({ version: 1, status: 'training' });
    const awsStyleCause = JSON.stringify({ errorType: 'DependencyFailed', errorMessage: 'object store request failed', trace: [] });
    const result = await recordFailure.invoke(ctx.platform, {
      context: {
        tenantId: acme.tenantId,
        actor: 'user:x',
        executionId: 'arn:aws:states:eu-west-1:123456789012:execution:steward-train-evaluate:run-that-died',
      },
      caught: { Error: 'DependencyFailed', Cause: awsStyleCause },
      state: { plan: { modelId }, training: {} },
    });
    expect(result).toMatchObject({
      error: 'DependencyFailed',
      cause: 'object store request failed',
      versionMarkedFailed: true,
      version: { modelId, version: 1, status: 'failed' },
    });
    const failed = await call(ds, 'GET', `/models/${modelId}/versions/1`);
    expect(failed.body).toMatchObject({
      status: 'failed',
      statusReason: 'pipeline execution run-that-died failed: DependencyFailed: object store request failed',
    });
    // Nothing to mark when the run registered nothing.
    await expect(
      recordFailure.invoke(ctx.platform, {
        context: { tenantId: acme.tenantId, actor: 'user:x', executionId: 'other-run' },
        caught: { Error: 'X', Cause: 'y' },
        state: { plan: { modelId } },
      }),
    ).resolves.toMatchObject({ versionMarkedFailed: false });
  });

  it('keeps executions to their tenant, lists them newest first with filters, and guards who may start them', async () => {
    const ds = acme.tokens['data-scientist'];
    const { modelId } = await createBreastCancerModel(ctx.api, ds);
    const named = await start(acme, { modelId, dataset: { key: 'datasets/nowhere.csv' }, target: 'benign' }, '?name=nightly-2025-01-01');
    // A run name is taken once per tenant and pipeline: the same name again is a 409 naming it, and starts nothing.
    const again = await call(ds, 'POST', '/pipelines/train-evaluate/executions?name=nightly-2025-01-01', {
      modelId,
      dataset: { key: 'datasets/nowhere.csv' },
      target: 'benign',
    });
    expect(again.status).toBe(409);
    expect(again.body.detail).toContain("named 'nightly-2025-01-01'");
    expect(again.body.detail).toContain(named);
    await waitForExecution(ctx.api, ds, named);

    const page = await call(acme.tokens.viewer, 'GET', '/executions?limit=1');
    expect(page.status).toBe(200);
    expect(page.body.items.map((e: { executionId: string }) => e.executionId)).toEqual([named]);
    expect(page.body.items[0]).toMatchObject({ pipeline: 'train-evaluate', name: 'nightly-2025-01-01', status: 'FAILED' });
    const next = await call(acme.tokens.viewer, 'GET', `/executions?limit=100&cursor=${encodeURIComponent(page.body.next)}`);
    expect(next.body.items.length).toBeGreaterThanOrEqual(4);
    const started = next.body.items.map((e: { startedAt: string }) => e.startedAt);
    expect(started).toEqual([...started].sort().reverse());
    const failed = await call(acme.tokens.viewer, 'GET', '/executions?status=FAILED&pipeline=train-evaluate&limit=100');
    expect(failed.body.items.length).toBeGreaterThanOrEqual(3);
    expect(failed.body.items.every((e: { status: string }) => e.status === 'FAILED')).toBe(true);
    const succeeded = await call(acme.tokens.viewer, 'GET', '/executions?status=SUCCEEDED&limit=100');
    expect(succeeded.body.items.length).toBeGreaterThanOrEqual(3);
    expect(succeeded.body.items.every((e: { status: string }) => e.status === 'SUCCEEDED')).toBe(true);
    expect((await call(acme.tokens.viewer, 'GET', '/executions?pipeline=deploy')).body.items).toEqual([]);

    // Another tenant: 404 on the execution, nothing in its list, and it cannot start a run on this tenant's model.
    expect((await call(other.tokens['data-scientist'], 'GET', `/executions/${named}`)).status).toBe(404);
    expect((await call(other.tokens['data-scientist'], 'GET', '/executions')).body.items).toEqual([]);
    const foreign = await call(other.tokens['data-scientist'], 'POST', '/pipelines/train-evaluate/executions', {
      modelId,
      dataset: { key: 'x.csv' },
      target: 'benign',
    });
    expect(foreign.status).toBe(404);
    expect((await listExecutions(ctx.platform.tenantTable(other.tenantId))).items).toEqual([]);
    await expect(getExecution(ctx.platform.tenantTable(other.tenantId), named)).rejects.toMatchObject({ name: 'NotFound' });

    // Who may start: pipelines:run (a viewer may only read); the body is the pipeline's own schema.
    expect(
      (await call(acme.tokens.viewer, 'POST', '/pipelines/train-evaluate/executions', { modelId, dataset: { key: 'x.csv' }, target: 'benign' })).status,
    ).toBe(403);
    const invalid = await call(ds, 'POST', '/pipelines/train-evaluate/executions', { model: { name: 'churn' }, dataset: { key: 'x.csv' }, target: 'benign' });
    expect(invalid.status).toBe(400);
    expect(JSON.stringify(invalid.body)).toContain('body.modelId');
    expect((await call(ds, 'POST', '/pipelines/no-such/executions', { modelId })).status).toBe(404);
    expect((await call(ds, 'GET', '/executions/not%20an%20id')).status).toBe(400);
    expect((await call(ds, 'GET', `/executions/${randomTenantId()}`)).status).toBe(404);
  });

  it('scopes run names to the tenant: another tenant may use a name this one took, and gets its own execution', async () => {
    const theirs = await createBreastCancerModel(ctx.api, other.tokens['data-scientist']);
    const input = { modelId: theirs.modelId, dataset: { key: 'datasets/nowhere.csv' }, target: 'benign' };
    const executionId = await start(other, input, '?name=nightly-2025-01-01');
    const acmeRuns = (await listExecutions(ctx.platform.tenantTable(acme.tenantId), { limit: 100 })).items.filter((e) => e.name === 'nightly-2025-01-01');
    expect(acmeRuns).toHaveLength(1);
    expect(executionId).not.toBe(acmeRuns[0].executionId);
    const done = await waitForExecution(ctx.api, other.tokens['data-scientist'], executionId);
    expect(done.body).toMatchObject({ executionId, name: 'nightly-2025-01-01', status: 'FAILED' });
    expect((await call(other.tokens['data-scientist'], 'POST', '/pipelines/train-evaluate/executions?name=nightly-2025-01-01', input)).status).toBe(409);
    // Without a name every start is a new execution.
    expect(await start(other, input)).not.toBe(executionId);
  });

  it('refuses unknown pipelines and a malformed tenant id at the runner, and reports its definitions as healthy', async () => {
    await expect(ctx.platform.pipelines.start({ tenantId: randomTenantId(), pipeline: 'no-such', actor: 'user:x', input: {} })).rejects.toMatchObject({
      name: 'NotFound',
    });
    await expect(ctx.platform.pipelines.start({ tenantId: 'T-bad', pipeline: 'train-evaluate', actor: 'user:x', input: {} })).rejects.toMatchObject({
      name: 'ValidationFailed',
    });
    await expect(ctx.local.runner.probe().check()).resolves.toBe(
      '6 pipeline(s): batch-score, deploy, evaluate, profile-dataset, train-evaluate, train-segments',
    );
  });

  it('documents the executions API with the pipeline’s own input schema', async () => {
    const doc = await ctx.api.call('GET', '/openapi.json');
    expect(doc.status).toBe(200);
    const start = doc.body.paths['/pipelines/train-evaluate/executions'].post;
    expect(start['x-steward-permission']).toBe('pipelines:run');
    expect(JSON.stringify(start.requestBody)).toContain('modelId');
    expect(doc.body.paths['/executions'].get['x-steward-permission']).toBe('pipelines:read');
    expect(doc.body.paths['/executions/{executionId}'].get['x-steward-permission']).toBe('pipelines:read');
  });

  it('refuses to act for a tenant the registry does not know', async () => {
    const stranger = randomTenantId();
    const { executionId } = await ctx.platform.pipelines.start({
      tenantId: stranger,
      pipeline: 'train-evaluate',
      actor: 'user:x',
      input: { modelId: '01jd0000000000000000000000', dataset: { key: 'x.csv' }, target: 'y' },
    });
    const stopped = await ctx.local.runner.waitFor(executionId, 30_000);
    expect(stopped).toMatchObject({ status: 'FAILED', error: 'NotFound', cause: `tenant '${stranger}' was not found` });
  });
});
