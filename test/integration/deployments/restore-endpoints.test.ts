import { EndpointMissing } from '../../../core/ports/endpoint-invoker';
import type { Log } from '../../../core/ports/log';
import { FOUR_FEATURE_SCHEMA as SCHEMA, fourFeatureLogistic as onnx } from '../../fixtures/artifacts/four-feature-logistic';
import { createLocalPlatform } from '../../../infra/local/local-platform';
import { freePort } from '../../../infra/local/stand-ins/ports';
import { startScoringGateway } from '../../../infra/local/stand-ins/scoring-gateway';
import { CREDIT_SCORECARD_IO, creditScorecardBytes } from '../../fixtures/artifacts/credit-scorecard';
import { bootApi, onboardTenant, type OnboardedTenant } from '../../support/api-client';
import { createProject, uploadVersion } from '../catalog/catalog-fixtures';

/**
 * A restarted local platform serves every stored live endpoint again at
 * start, in the background, on a scoring gateway that has never seen them —
 * before any call reaches it — logging one line per endpoint; an endpoint
 * that cannot be restored is logged and does not stop the start or the others.
 */
jest.setTimeout(180_000);

let ctx: Awaited<ReturnType<typeof bootApi>>;
let acme: OnboardedTenant;
let projectId: string;
const served: Record<string, { servedName: string; deploymentId: string }> = {};

beforeAll(async () => {
  ctx = await bootApi();
  acme = await onboardTenant(ctx.api, ctx.adminToken, 'Acme Restore');
  projectId = (await createProject(ctx.api, acme.tokens['data-scientist'])).projectId;
});

afterAll(async () => {
  await ctx?.local.close();
});

async function deployed(endpointName: string, type: 'ml' | 'rules', format: 'onnx' | 'rules', schema: unknown, bytes: Uint8Array) {
  const ds = acme.tokens['data-scientist'];
  const model = await ctx.api.call('POST', '/models', { token: ds, body: { projectId, name: endpointName, type, framework: format, schema } });
  if (model.status !== 201) throw new Error(JSON.stringify(model.body));
  const { version, finalized } = await uploadVersion(ctx.api, ds, model.body.modelId, format, bytes);
  if (finalized.status !== 200) throw new Error(`finalize: ${JSON.stringify(finalized.body)}`);
  for (const to of ['evaluating', 'evaluated', 'pending-approval'])
    await ctx.api.call('POST', `/models/${model.body.modelId}/versions/${version}/status`, { token: ds, body: { to } });
  await ctx.api.call('POST', `/models/${model.body.modelId}/versions/${version}/decision`, {
    token: acme.tokens.approver,
    body: { decision: 'approve', reason: 'reviewed' },
  });
  const started = await ctx.api.call('POST', '/deployments', {
    token: acme.tokens.deployer,
    body: { endpointName, variants: [{ modelId: model.body.modelId, version }], capturePercent: 0 },
  });
  if (started.status !== 202) throw new Error(`deploy: ${JSON.stringify(started.body)}`);
  await ctx.local.runner.waitFor(started.body.executionId, 60_000);
  const endpoint = (await ctx.api.call('GET', `/endpoints/${endpointName}`, { token: acme.tokens.viewer })).body.endpoint;
  expect(endpoint.liveDeploymentId).toBe(started.body.deployment.deploymentId);
  served[endpointName] = { servedName: endpoint.servedName, deploymentId: endpoint.liveDeploymentId };
  const versionRecord = (await ctx.api.call('GET', `/models/${model.body.modelId}/versions/${version}`, { token: ds })).body;
  return { artifactKey: versionRecord.artifact.key as string };
}

function capturingLog(): Log & { lines: { level: string; message: string; extra: Record<string, unknown> }[] } {
  const lines: { level: string; message: string; extra: Record<string, unknown> }[] = [];
  const at =
    (level: string) =>
    (message: string, ...extra: Record<string, unknown>[]) =>
      void lines.push({ level, message, extra: Object.assign({}, ...extra) });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

// Both against a gateway process of their own (the HTTP transport): restarted, or not there at all.
it('serves every stored live endpoint on a fresh gateway at start, and logs the one it cannot restore without stopping', async () => {
  await deployed('restore-onnx', 'ml', 'onnx', SCHEMA, onnx(0.2));
  await deployed('restore-rules', 'rules', 'rules', CREDIT_SCORECARD_IO, creditScorecardBytes());
  const broken = await deployed('restore-broken', 'ml', 'onnx', SCHEMA, onnx(-0.3));
  // Damaged after it went live: the gateway refuses to load bytes that are not the ones verified.
  await ctx.platform.tenantObjects(acme.tenantId).put(broken.artifactKey, 'not an onnx model', 'application/octet-stream');

  const port = await freePort();
  const gateway = await startScoringGateway({ port, env: { STEWARD_LOG_LEVEL: 'WARN', STEWARD_S3_ENDPOINT: process.env.STEWARD_TEST_S3_ENDPOINT } });
  const log = capturingLog();
  const restarted = await createLocalPlatform(
    { ...ctx.local.settings, STEWARD_SCORING_TRANSPORT: 'http', STEWARD_SAGEMAKER_RUNTIME_ENDPOINT: `http://127.0.0.1:${port}` },
    { log, scheduler: false },
  );
  try {
    const report = await restarted.endpointsRestored;
    const names = (list: readonly { endpointName: string }[]) => list.map((e) => e.endpointName).sort();
    expect(names(report.restored)).toEqual(['restore-onnx', 'restore-rules']);
    expect(names(report.failed)).toEqual(['restore-broken']);
    expect(report.failed[0]).toMatchObject({
      tenantId: acme.tenantId,
      deploymentId: served['restore-broken'].deploymentId,
      error: expect.stringMatching(/SHA-256/),
    });
    // One line per endpoint, naming it.
    const restoredLines = log.lines.filter((l) => l.message === 'endpoint restored' && l.extra.tenantId === acme.tenantId);
    expect(restoredLines.map((l) => l.extra.endpointName).sort()).toEqual(['restore-onnx', 'restore-rules']);
    expect(log.lines.filter((l) => l.level === 'error' && l.extra.endpointName === 'restore-broken')).toHaveLength(1);

    // The gateway answers straight away, asked directly (the API's replay-on-first-call plays no part).
    const invoke = (endpointName: string, body: unknown) =>
      restarted.platform.serving.invoker.invoke({
        endpointName: served[endpointName].servedName,
        body: new TextEncoder().encode(JSON.stringify(body)),
        contentType: 'application/json',
        accept: 'application/json',
        inferenceId: 'restore-check',
      });
    const row = { x0: 1, x1: 2, x2: -1, x3: 0.5 };
    const z = 0.2 + 0.5 * 1 - 0.25 * 2 + 1 * -1 + 0.1 * 0.5;
    const onnxAnswer = JSON.parse(new TextDecoder().decode((await invoke('restore-onnx', [row])).body));
    expect(onnxAnswer.predictions[0].score).toBeCloseTo(1 / (1 + Math.exp(-z)), 5);
    const rulesAnswer = JSON.parse(
      new TextDecoder().decode((await invoke('restore-rules', [{ age: 30, income: 80000, employment: 'employed', has_defaults: false }])).body),
    );
    expect(rulesAnswer.predictions[0]).toEqual({ outputs: { score: 780, decision: 'approve' }, rule: 'prime' });
    await expect(invoke('restore-broken', [row])).rejects.toBeInstanceOf(EndpointMissing);
  } finally {
    await restarted.close();
    await gateway.stop();
  }
});

it('starts when the scoring gateway cannot be reached, logging each endpoint it could not restore', async () => {
  const log = capturingLog();
  const closedPort = await freePort();
  const restarted = await createLocalPlatform(
    { ...ctx.local.settings, STEWARD_SCORING_TRANSPORT: 'http', STEWARD_SAGEMAKER_RUNTIME_ENDPOINT: `http://127.0.0.1:${closedPort}` },
    { log, scheduler: false },
  );
  try {
    const report = await restarted.endpointsRestored;
    expect(report.restored).toEqual([]);
    expect(report.failed.map((f) => f.endpointName).sort()).toEqual(['restore-broken', 'restore-onnx', 'restore-rules']);
    expect(log.lines.filter((l) => l.level === 'error' && l.extra.tenantId === acme.tenantId)).toHaveLength(3);
  } finally {
    await restarted.close();
  }
});
