import { createApp } from '../../../api/app';
import { flushCaptures } from '../../../core/deployments/capture-buffer';
import { exportLinearModelToOnnx } from '../../../core/maths/onnx/linear-model-onnx';
import { createLocalPlatform } from '../../../infra/local/local-platform';
import { freePort } from '../../../infra/local/stand-ins/ports';
import { startScoringGateway } from '../../../infra/local/stand-ins/scoring-gateway';
import { ApiClient, bootApi, invitationFor, onboardTenant, type OnboardedTenant, signInAs, USER_PASSWORD } from '../../support/api-client';
import { createProject, uploadVersion } from '../catalog/catalog-fixtures';

/**
 * Deploy and score end to end over the real stand-ins: the API records the
 * deployment, the local runner executes state-machines/deploy.asl.json, the
 * scoring gateway (SageMaker runtime protocol) serves the ONNX versions, and
 * every answer is checked against the logistic function computed here.
 */
jest.setTimeout(120_000);

const N = 20;
const SCHEMA = {
  inputs: Array.from({ length: N }, (_, i) => ({ name: `x${i}`, type: 'float' })),
  outputs: [{ name: 'probability', type: 'float' }],
};

interface Logistic {
  center: number[];
  scale: number[];
  coefficients: number[];
  intercept: number;
}

function logistic(seed: number): Logistic {
  const r = (i: number) => Math.sin(seed * 97 + i * 13.7);
  return {
    center: Array.from({ length: N }, (_, i) => r(i)),
    scale: Array.from({ length: N }, (_, i) => 1 + Math.abs(r(i + 50))),
    coefficients: Array.from({ length: N }, (_, i) => r(i + 100)),
    intercept: r(7) / 2,
  };
}

function onnxOf(m: Logistic): Uint8Array {
  return exportLinearModelToOnnx({
    kind: 'logistic',
    inputName: 'features',
    ...m,
    outputs: [{ name: 'probability', role: 'score', elementType: 'float32', rank: 2 }],
  });
}

/** The independent computation: σ(b + Σ wᵢ (xᵢ − cᵢ)/sᵢ). */
function probability(m: Logistic, row: Record<string, number>): number {
  let z = m.intercept;
  for (let i = 0; i < N; i++) z += (m.coefficients[i] * (row[`x${i}`] - m.center[i])) / m.scale[i];
  return 1 / (1 + Math.exp(-z));
}

function randomRow(i: number): Record<string, number> {
  return Object.fromEntries(Array.from({ length: N }, (_, j) => [`x${j}`, Math.round(Math.cos(i * 31 + j * 7) * 300) / 100]));
}

let ctx: Awaited<ReturnType<typeof bootApi>>;
let acme: OnboardedTenant;
let projectId: string;
let modelId: string;
const models: Record<number, Logistic> = {};

async function approvedVersion(m: Logistic): Promise<number> {
  const ds = acme.tokens['data-scientist'];
  const { version, finalized } = await uploadVersion(ctx.api, ds, modelId, 'onnx', onnxOf(m));
  if (finalized.status !== 200) throw new Error(`finalize: ${JSON.stringify(finalized.body)}`);
  for (const to of ['evaluating', 'evaluated', 'pending-approval']) {
    const moved = await ctx.api.call('POST', `/models/${modelId}/versions/${version}/status`, { token: ds, body: { to } });
    if (moved.status !== 200) throw new Error(`status ${to}: ${JSON.stringify(moved.body)}`);
  }
  const approved = await ctx.api.call('POST', `/models/${modelId}/versions/${version}/decision`, {
    token: acme.tokens.approver,
    body: { decision: 'approve', reason: 'reviewed hold-out metrics' },
  });
  if (approved.status !== 200) throw new Error(`approve: ${JSON.stringify(approved.body)}`);
  models[version] = m;
  return version;
}

async function deploy(body: Record<string, unknown>, api: ApiClient = ctx.api) {
  const started = await api.call('POST', '/deployments', { token: acme.tokens.deployer, body });
  if (started.status !== 202) throw new Error(`deploy: ${started.status} ${JSON.stringify(started.body)}`);
  await ctx.local.runner.waitFor(started.body.executionId, 60_000);
  const after = await api.call('GET', `/endpoints/${body.endpointName}/deployments/${started.body.deployment.deploymentId}`, { token: acme.tokens.viewer });
  return { started, deployment: after.body };
}

async function score(endpointName: string, rows: Record<string, number>[], api: ApiClient = ctx.api, token = acme.tokens.deployer) {
  return api.call('POST', `/endpoints/${endpointName}/invocations`, { token, body: rows });
}

beforeAll(async () => {
  ctx = await bootApi();
  acme = await onboardTenant(ctx.api, ctx.adminToken, 'Acme Deploy');
  projectId = (await createProject(ctx.api, acme.tokens['data-scientist'])).projectId;
  const model = await ctx.api.call('POST', '/models', {
    token: acme.tokens['data-scientist'],
    body: { projectId, name: `churn-${Math.random().toString(36).slice(2, 8)}`, type: 'ml', framework: 'onnx', schema: SCHEMA },
  });
  if (model.status !== 201) throw new Error(JSON.stringify(model.body));
  modelId = model.body.modelId;
});

afterAll(async () => {
  await ctx?.local.close();
});

describe('deploy and score', () => {
  it('refuses a version that is not approved, an unknown endpoint, and a deployer who is not allowed', async () => {
    const { version } = await uploadVersion(ctx.api, acme.tokens['data-scientist'], modelId, 'onnx', onnxOf(logistic(99)));
    const refused = await ctx.api.call('POST', '/deployments', {
      token: acme.tokens.deployer,
      body: { endpointName: 'churn', variants: [{ modelId, version }] },
    });
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toContain('only approved versions deploy');
    expect(
      (await ctx.api.call('POST', '/deployments', { token: acme.tokens['data-scientist'], body: { endpointName: 'churn', variants: [{ modelId, version }] } }))
        .status,
    ).toBe(403);
    expect((await score('nowhere', [randomRow(1)])).status).toBe(404);
    expect((await ctx.api.call('GET', '/endpoints/churn', { token: acme.tokens.viewer })).status).toBe(404);
  });

  it('deploys an approved ONNX version through the deploy pipeline and scores it as the logistic function says', async () => {
    const v = await approvedVersion(logistic(1));
    const { deployment } = await deploy({ endpointName: 'churn', variants: [{ modelId, version: v }], capturePercent: 100 });
    expect(deployment).toMatchObject({ status: 'live', variants: [{ modelId, version: v, weight: 1, role: 'production' }] });

    const rows = Array.from({ length: 25 }, (_, i) => randomRow(i));
    const res = await score('churn', rows);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ endpointName: 'churn', deploymentId: deployment.deploymentId, modelId, version: v, variant: `v${v}` });
    expect(res.body.predictions).toHaveLength(25);
    res.body.predictions.forEach((p: { score: number; predictionId: string }, i: number) => {
      expect(p.score).toBeCloseTo(probability(models[v], rows[i]), 5);
      expect(p.predictionId).toMatch(/-\d+$/);
    });
    expect(new Set(res.body.predictions.map((p: { predictionId: string }) => p.predictionId)).size).toBe(25);

    // What is served shows everywhere: version status, champion, lineage, report, audit.
    expect((await ctx.api.call('GET', `/models/${modelId}/versions/${v}`, { token: acme.tokens.viewer })).body.status).toBe('deployed');
    expect((await ctx.api.call('GET', `/models/${modelId}`, { token: acme.tokens.viewer })).body.aliases.champion).toBe(v);
    const served = await ctx.api.call('GET', `/models/${modelId}/versions/${v}/deployments`, { token: acme.tokens.viewer });
    expect(served.body.items).toEqual([expect.objectContaining({ deploymentId: deployment.deploymentId, endpointName: 'churn', status: 'live', weight: 1 })]);
    const report = await ctx.api.call('GET', `/models/${modelId}/versions/${v}/report?format=markdown`, { token: acme.tokens.viewer });
    expect(String(report.body)).toMatch(new RegExp(`\\| churn \\| ${deployment.deploymentId} \\| v${v} \\| production \\| 1 \\| live \\|`));
    const trail = await ctx.api.call('GET', `/audit/events?targetType=deployment&targetId=${deployment.deploymentId}`, { token: acme.tokens['tenant-admin'] });
    expect(trail.status).toBe(200);
    expect(trail.body.items.map((e: { action: string }) => e.action)).toEqual(expect.arrayContaining(['deployment.requested', 'deployment.activated']));

    // Captured sample (100 % here) lands in the tenant's storage.
    await flushCaptures();
    const captured = await ctx.platform.tenantObjects(acme.tenantId).list('captures/churn/');
    expect(captured.length).toBeGreaterThan(0);
    const lines = new TextDecoder()
      .decode(await ctx.platform.tenantObjects(acme.tenantId).getBytes(captured[0].key))
      .trim()
      .split('\n');
    expect(JSON.parse(lines[0])).toMatchObject({ endpointName: 'churn', modelId, version: v, variant: `v${v}` });
  });

  it('refuses rows that do not match the schema and payloads over the limit, naming what is wrong', async () => {
    const bad = await score('churn', [{ ...randomRow(1), x3: 'lots' as unknown as number }]);
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toMatch(/row 1.*x3/);
    const missing = await score('churn', [{ x0: 1 }]);
    expect(missing.status).toBe(400);
    const big = await ctx.api.app.request('/endpoints/churn/invocations', {
      method: 'POST',
      headers: { authorization: `Bearer ${acme.tokens.deployer}`, 'content-type': 'application/json', 'content-length': String(7 * 1024 * 1024) },
      body: '[]',
    });
    expect(big.status).toBe(413);
    const badName = await ctx.api.app.request('/endpoints/Not_A_Name/invocations', {
      method: 'POST',
      headers: { authorization: `Bearer ${acme.tokens.deployer}`, 'content-type': 'application/json' },
      body: JSON.stringify([randomRow(1)]),
    });
    expect(badName.status).toBe(400);
    expect(await badName.json()).toMatchObject({
      detail: 'invalid param',
      invalidFields: [{ field: 'param.endpointName', problem: expect.stringContaining('lowercase letters') }],
    });
  });

  it('splits traffic by weight (A/B) within statistical bounds, and a rollback restores the previous variants', async () => {
    const before = (await ctx.api.call('GET', '/endpoints/churn', { token: acme.tokens.viewer })).body.endpoint.liveDeploymentId;
    const v1 = Number(Object.keys(models)[0]);
    const v2 = await approvedVersion(logistic(2));
    const { deployment } = await deploy({
      endpointName: 'churn',
      variants: [
        { modelId, version: v1, weight: 3 },
        { modelId, version: v2, weight: 1 },
      ],
      capturePercent: 0,
    });
    expect(deployment.status).toBe('live');
    const calls = 2000;
    const counts: Record<string, number> = {};
    for (let i = 0; i < calls; i++) {
      const row = randomRow(i);
      const res = await score('churn', [row]);
      expect(res.status).toBe(200);
      counts[res.body.variant] = (counts[res.body.variant] ?? 0) + 1;
      if (i % 97 === 0) expect(res.body.predictions[0].score).toBeCloseTo(probability(models[res.body.version], row), 5);
    }
    // Binomial(2000, 0.25): sd ≈ 19.4; 5 sd either side.
    expect(Math.abs((counts[`v${v2}`] ?? 0) - calls * 0.25)).toBeLessThan(5 * Math.sqrt(calls * 0.25 * 0.75));
    expect(Object.keys(counts).sort()).toEqual([`v${v1}`, `v${v2}`].sort());

    const rolled = await ctx.api.call('POST', '/endpoints/churn/rollback', {
      token: acme.tokens.deployer,
      body: { reason: 'v2 complaints from the call centre' },
    });
    expect(rolled.status).toBe(200);
    expect(rolled.body.live.deploymentId).toBe(before);
    expect(rolled.body.rolledBack).toMatchObject({ deploymentId: deployment.deploymentId, status: 'rolled-back' });
    for (let i = 0; i < 30; i++) expect((await score('churn', [randomRow(i)])).body.variant).toBe(`v${v1}`);
    expect((await ctx.api.call('GET', `/models/${modelId}/versions/${v2}`, { token: acme.tokens.viewer })).body.status).toBe('approved');
  });

  it('sends a copy of every request to a shadow, captures its answers and never returns them', async () => {
    const v1 = Number(Object.keys(models)[0]);
    const v2 = Number(Object.keys(models)[1]);
    const { deployment } = await deploy({
      endpointName: 'churn-shadow',
      variants: [{ modelId, version: v1 }],
      shadow: { modelId, version: v2 },
      capturePercent: 0,
    });
    expect(deployment.status).toBe('live');
    for (let i = 0; i < 20; i++) {
      const res = await score('churn-shadow', [randomRow(i)]);
      expect(res.body.variant).toBe(`v${v1}`);
      expect(JSON.stringify(res.body)).not.toContain(`shadow-v${v2}`);
      expect(res.body.version).toBe(v1);
    }
    const objects = ctx.platform.tenantObjects(acme.tenantId);
    let captured: { key: string }[] = [];
    // 20 scored requests and the deploy pipeline's smoke-test row: the shadow gets a copy of each.
    for (let i = 0; i < 50 && captured.length < 21; i++) {
      captured = await objects.list('captures/churn-shadow/shadow/', 100);
      if (captured.length < 21) await new Promise((r) => setTimeout(r, 100));
    }
    expect(captured.length).toBe(21);
    const one = JSON.parse(new TextDecoder().decode(await objects.getBytes(captured[0].key)));
    expect(one.variant).toBe(`shadow-v${v2}`);
    const input = JSON.parse(one.input.data)[0];
    expect(JSON.parse(one.output.data).predictions[0].score).toBeCloseTo(probability(models[v2], input), 5);
  });

  it('rolls a canary back by itself when it crosses its latency threshold', async () => {
    const v3 = await approvedVersion(logistic(3));
    const live = (await ctx.api.call('GET', '/endpoints/churn', { token: acme.tokens.viewer })).body.endpoint.liveDeploymentId;
    const { deployment } = await deploy({
      endpointName: 'churn',
      canary: { modelId, version: v3, steps: [50, 100], bakeSeconds: 3600, maxLatencyMs: 0.01, minRequests: 3 },
    });
    expect(deployment).toMatchObject({ status: 'live', canary: { variantName: `canary-v${v3}`, stepIndex: 0 } });
    let endpoint: { liveDeploymentId: string } | undefined;
    // Bounded by time, not by calls: the rollback runs beside the calls, and fast calls could all be made
    // before a loaded machine finished it.
    for (let i = 0, deadline = Date.now() + 30_000; Date.now() < deadline; i++) {
      await score('churn', [randomRow(i)]);
      endpoint = (await ctx.api.call('GET', '/endpoints/churn', { token: acme.tokens.viewer })).body.endpoint;
      if (endpoint?.liveDeploymentId === live) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(endpoint?.liveDeploymentId).toBe(live);
    const after = await ctx.api.call('GET', `/endpoints/churn/deployments/${deployment.deploymentId}`, { token: acme.tokens.viewer });
    expect(after.body).toMatchObject({ status: 'rolled-back' });
    expect(after.body.reason).toContain('p99 latency');
  });

  it('records a deployment whose model fails to load as failed, with why, and keeps the previous one serving', async () => {
    const v4 = await approvedVersion(logistic(4));
    const version = (await ctx.api.call('GET', `/models/${modelId}/versions/${v4}`, { token: acme.tokens.viewer })).body;
    // The stored artifact is damaged after verification: the serving side refuses to load bytes that are not the ones verified.
    await ctx.platform.tenantObjects(acme.tenantId).put(version.artifact.key, 'not an onnx model', 'application/octet-stream');
    const live = (await ctx.api.call('GET', '/endpoints/churn', { token: acme.tokens.viewer })).body.endpoint.liveDeploymentId;
    const { started, deployment } = await deploy({ endpointName: 'churn', variants: [{ modelId, version: v4 }] });
    expect(deployment.status).toBe('failed');
    // The SageMaker service integrations ran locally: UpdateEndpoint was accepted, DescribeEndpoint found the endpoint still on the live config
    // with a FailureReason (as SageMaker reports a failed update it rolled back), so the rollback branch had nothing to re-apply.
    const { events } = await ctx.local.runner.describe(acme.tenantId, started.body.executionId);
    const entered = events.filter((e) => e.type === 'StateEntered').map((e) => e.state);
    expect(entered).toEqual(
      expect.arrayContaining([
        'PlanDeployment',
        'CreateModels',
        'CreateEndpointConfig',
        'UpdateEndpoint',
        'DescribeEndpoint',
        'EndpointFailed',
        'Rollback',
        'RestoreModels',
        'RestoreConfig',
        'DescribeBeforeRestore',
        'Restored',
        'RecordFailure',
      ]),
    );
    expect(entered).not.toContain('SmokeTest');
    // Like SageMaker: the update is accepted, and DescribeEndpoint reports why the endpoint failed.
    expect(deployment.reason).toMatch(
      /^EndpointFailed: endpoint [a-z0-9]+-churn was refused: .*not a valid model: its SHA-256 is [0-9a-f]{64}, not the expected/,
    );
    const endpoint = (await ctx.api.call('GET', '/endpoints/churn', { token: acme.tokens.viewer })).body.endpoint;
    expect(endpoint.liveDeploymentId).toBe(live);
    expect(endpoint.pendingDeploymentId).toBeUndefined();
    expect((await score('churn', [randomRow(5)])).status).toBe(200);
  });

  it('serves the same endpoints after a restart: a new gateway and a new platform on the same data', async () => {
    const port = await freePort();
    const gateway = await startScoringGateway({ port, env: { STEWARD_LOG_LEVEL: 'WARN', STEWARD_S3_ENDPOINT: process.env.STEWARD_TEST_S3_ENDPOINT } });
    const restarted = await createLocalPlatform({ ...ctx.local.settings, STEWARD_SAGEMAKER_RUNTIME_ENDPOINT: `http://127.0.0.1:${port}` });
    try {
      const api = new ApiClient(createApp(restarted.platform));
      // The test platform's issuer keys live in memory: the restarted one signs anew.
      const token = await signInAs(api, acme.emails.deployer, USER_PASSWORD);
      const v1 = Number(Object.keys(models)[0]);
      const row = randomRow(42);
      const res = await score('churn', [row], api, token);
      expect(res.status).toBe(200);
      expect(res.body.version).toBe(v1);
      expect(res.body.predictions[0].score).toBeCloseTo(probability(models[v1], row), 5);
      expect((await score('churn-shadow', [row], api, token)).status).toBe(200);
    } finally {
      await restarted.close();
      await gateway.stop();
    }
  });
  it('keeps the approver of a version from deploying it when the governing policy says so (approverCannotDeploy)', async () => {
    const admin = acme.tokens['tenant-admin'];
    // The default policy lets an approver deploy (core/governance/approval-policy.ts); this project's does not.
    const strict = await ctx.api.call('PUT', `/projects/${projectId}/policy`, { token: admin, body: { approverCannotDeploy: true } });
    expect(strict.status).toBe(200);
    const email = `approver-deployer-${Math.random().toString(36).slice(2, 8)}@acme.example`;
    const invited = await ctx.api.call('POST', '/users', { token: admin, body: { email, roles: ['approver', 'deployer'] } });
    expect(invited.status).toBe(201);
    expect((await ctx.api.call('POST', '/auth/accept-invitation', { body: { invitation: await invitationFor(email), password: USER_PASSWORD } })).status).toBe(
      200,
    );
    const both = await signInAs(ctx.api, email, USER_PASSWORD);
    const ds = acme.tokens['data-scientist'];
    const { version } = await uploadVersion(ctx.api, ds, modelId, 'onnx', onnxOf(logistic(5)));
    for (const to of ['evaluating', 'evaluated', 'pending-approval'])
      await ctx.api.call('POST', `/models/${modelId}/versions/${version}/status`, { token: ds, body: { to } });
    expect(
      (await ctx.api.call('POST', `/models/${modelId}/versions/${version}/decision`, { token: both, body: { decision: 'approve', reason: 'fine' } })).status,
    ).toBe(200);
    const refused = await ctx.api.call('POST', '/deployments', { token: both, body: { endpointName: 'churn-sod', variants: [{ modelId, version }] } });
    expect(refused.status).toBe(403);
    expect(refused.body.detail).toMatch(/segregation of duties: you approved version \d+, and project \w+ policy .* may not deploy it/);
    expect((await ctx.api.call('GET', '/endpoints/churn-sod', { token: acme.tokens.viewer })).status).toBe(404);
    const { deployment } = await deploy({ endpointName: 'churn-sod', variants: [{ modelId, version }] });
    expect(deployment.status).toBe('live');
    expect((await ctx.api.call('GET', `/models/${modelId}`, { token: acme.tokens.viewer })).body.aliases.champion).toBe(version);

    // Undeploy: nothing answers any more, the version is approved again and no longer champion.
    const undeployed = await ctx.api.call('DELETE', '/endpoints/churn-sod', { token: acme.tokens.deployer });
    expect(undeployed.status).toBe(200);
    expect((await score('churn-sod', [randomRow(1)])).status).toBe(404);
    expect((await ctx.api.call('GET', `/models/${modelId}/versions/${version}`, { token: acme.tokens.viewer })).body.status).toBe('approved');
    expect((await ctx.api.call('GET', `/models/${modelId}`, { token: acme.tokens.viewer })).body.aliases.champion).toBeUndefined();
    const after = await ctx.api.call('GET', `/endpoints/churn-sod/deployments/${deployment.deploymentId}`, { token: acme.tokens.viewer });
    expect(after.body.status).toBe('undeployed');
  });
});
