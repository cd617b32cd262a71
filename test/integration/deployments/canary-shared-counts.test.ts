import { exportLinearModelToOnnx } from '../../../core/maths/onnx/linear-model-onnx';
import { type ApiProcess, startApiProcess } from '../../support/api-process';
import { bootApi, onboardTenant, type OnboardedTenant, signInAs, USER_PASSWORD } from '../../support/api-client';
import { createProject } from '../catalog/catalog-fixtures';
import { approvedOnnxVersion, deployAndWait } from './deployment-fixtures';

/**
 * The canary's verdict weighs every API process's calls. Two API processes
 * over one store — the test's own, and a child process that shares no memory
 * with it, as two Lambda instances share none —
 * each send the canary fewer calls than its `minRequests`; together they
 * send more, and the canary crossing its threshold is rolled back.
 */
jest.setTimeout(150_000);

const N = 4;
const SCHEMA = { inputs: Array.from({ length: N }, (_, i) => ({ name: `x${i}`, type: 'float' })), outputs: [{ name: 'probability', type: 'float' }] };
const MIN_REQUESTS = 8;

function onnxOf(seed: number): Uint8Array {
  const r = (i: number) => Math.sin(seed * 97 + i * 13.7);
  return exportLinearModelToOnnx({
    kind: 'logistic',
    inputName: 'features',
    center: Array.from({ length: N }, (_, i) => r(i)),
    scale: Array.from({ length: N }, () => 1),
    coefficients: Array.from({ length: N }, (_, i) => r(i + 100)),
    intercept: 0.1,
    outputs: [{ name: 'probability', role: 'score', elementType: 'float32', rank: 2 }],
  });
}

const row = (i: number) => Object.fromEntries(Array.from({ length: N }, (_, j) => [`x${j}`, Math.cos(i + j)]));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let ctx: Awaited<ReturnType<typeof bootApi>>;
let acme: OnboardedTenant;
let second: (ApiProcess & { token: string }) | undefined;

beforeAll(async () => {
  ctx = await bootApi();
  acme = await onboardTenant(ctx.api, ctx.adminToken, 'Acme Canary Counts');
});

afterAll(async () => {
  await second?.stop();
  await ctx?.local.close();
});

const approvedVersion = (modelId: string, seed: number) => approvedOnnxVersion(ctx.api, acme, modelId, onnxOf(seed));
const deploy = (body: { endpointName: string } & Record<string, unknown>) => deployAndWait(ctx.api, ctx.local.runner, acme, body);

it('rolls a canary back on the calls of two API processes together, when neither alone has enough', async () => {
  const ds = acme.tokens['data-scientist'];
  const { projectId } = await createProject(ctx.api, ds);
  const model = await ctx.api.call('POST', '/models', { token: ds, body: { projectId, name: 'shared-canary', type: 'ml', framework: 'onnx', schema: SCHEMA } });
  expect(model.status).toBe(201);
  const modelId: string = model.body.modelId;
  const v1 = await approvedVersion(modelId, 1);
  const v2 = await approvedVersion(modelId, 2);
  expect((await deploy({ endpointName: 'shared', variants: [{ modelId, version: v1 }], capturePercent: 0 })).status).toBe('live');
  const live = (await ctx.api.call('GET', '/endpoints/shared', { token: acme.tokens.viewer })).body.endpoint.liveDeploymentId;
  // Every call is slower than 0.01 ms: once the canary has MIN_REQUESTS calls, its p99 crosses the threshold.
  const canary = await deploy({
    endpointName: 'shared',
    canary: { modelId, version: v2, steps: [50, 100], bakeSeconds: 3600, maxLatencyMs: 0.01, minRequests: MIN_REQUESTS },
  });
  expect(canary).toMatchObject({ status: 'live', canary: { variantName: `canary-v${v2}` } });
  const child = await startApiProcess(ctx.local.settings);
  // Its issuer keys are its own (in memory): sign in on it.
  second = { ...child, stop: () => child.stop(), token: await signInAs(child.api, acme.emails.deployer, USER_PASSWORD) };

  const processes = [
    { name: 'first', api: ctx.api, token: acme.tokens.deployer, canaryCalls: 0 },
    { name: 'second', api: second.api, token: second.token, canaryCalls: 0 },
  ];
  const rolledBack = async () => (await ctx.api.call('GET', '/endpoints/shared', { token: acme.tokens.viewer })).body.endpoint.liveDeploymentId === live;
  // Each process answers with the canary at most MIN_REQUESTS - 1 times: alone, neither could ever judge it.
  const callUntil = async (p: (typeof processes)[number], canaryCalls: number) => {
    for (let i = 0; p.canaryCalls < canaryCalls && i < 200; i++) {
      const res = await p.api.call('POST', '/endpoints/shared/invocations', { token: p.token, body: [row(i)] });
      if (res.status !== 200) throw new Error(`${p.name}: ${res.status} ${JSON.stringify(res.body)}`);
      if (res.body.variant === `canary-v${v2}`) p.canaryCalls++;
    }
  };
  // Each sends its calls in one burst and then nothing more: no later call is left to trigger a verdict.
  // The verdict comes from the weighing that follows each burst once the process has written its counts
  // (the last process to write reads everyone's), however the two bursts fell against the flushes.
  await callUntil(processes[0], MIN_REQUESTS - 1);
  await callUntil(processes[1], MIN_REQUESTS - 1);
  let done = false;
  // Patient: other suites may share the cores.
  for (let i = 0; i < 100 && !done; i++) {
    await sleep(300);
    done = await rolledBack();
  }
  expect(processes.map((p) => p.canaryCalls).every((n) => n < MIN_REQUESTS)).toBe(true);
  expect(done).toBe(true);
  const after = await ctx.api.call('GET', `/endpoints/shared/deployments/${canary.deploymentId}`, { token: acme.tokens.viewer });
  expect(after.body).toMatchObject({ status: 'rolled-back' });
  expect(after.body.reason).toMatch(/p99 latency .* over (\d+) requests/);
  expect(Number(/over (\d+) requests/.exec(after.body.reason)![1])).toBeGreaterThanOrEqual(MIN_REQUESTS);
});

it('shows every process’s calls in GET /endpoints/{name}/metrics', async () => {
  await sleep(1500); // the earlier calls' buffers have flushed
  const before = (await ctx.api.call('GET', '/endpoints/shared/metrics', { token: acme.tokens.viewer })).body;
  const requests = (m: { variants: { requests: number }[] }) => m.variants.reduce((s, v) => s + v.requests, 0);
  // Both processes score after the rollback, whichever of them made it: each serves what the store says is
  // live (the other's own scoring gateway had gone on serving the rolled-back canary), so every call counts
  // for the restored deployment's variant.
  for (let i = 0; i < 5; i++)
    expect((await second!.api.call('POST', '/endpoints/shared/invocations', { token: second!.token, body: [row(i)] })).status).toBe(200);
  for (let i = 0; i < 5; i++)
    expect((await ctx.api.call('POST', '/endpoints/shared/invocations', { token: acme.tokens.deployer, body: [row(i)] })).status).toBe(200);
  let after = before;
  for (let i = 0; i < 30 && requests(after) < requests(before) + 10; i++) {
    await sleep(200);
    after = (await ctx.api.call('GET', '/endpoints/shared/metrics', { token: acme.tokens.viewer })).body;
  }
  expect(requests(after)).toBe(requests(before) + 10);
  expect(after.variants[0].p99Ms).toBeGreaterThan(0);
});
