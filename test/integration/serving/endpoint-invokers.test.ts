import { randomUUID } from 'node:crypto';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { createAwsClients } from '../../../core/adapters/aws-clients';
import { HostedGatewayInvoker } from '../../../core/adapters/sagemaker/hosted-gateway-invoker';
import { RuntimeEndpointInvoker } from '../../../core/adapters/sagemaker/runtime-endpoint-invoker';
import { readSettings } from '../../../core/config/settings';
import { EndpointMissing, type EndpointInvoker, type InvocationRequest, ModelFailed, ModelRefusedInput } from '../../../core/ports/endpoint-invoker';
import { serveApi } from '../../../infra/local/api-server';
import { freePort } from '../../../infra/local/stand-ins/ports';
import { createGatewayApp } from '../../../serving/gateway/app';
import { InMemoryEndpointRegistry } from '../../../serving/gateway/endpoint-registry';
import { InProcessGatewayHandler } from '../../../serving/gateway/in-process-handler';
import { createInvokeEndpoint, type ShadowCapture } from '../../../serving/gateway/invoke-endpoint';
import { ModelCache, s3ModelLoader } from '../../../serving/gateway/model-cache';
import { CHURN_MODEL as MODEL, crashingAt, SILENT_LOG } from '../../fixtures/serving/churn-model';
import type { LinearModelArtifact } from '../../../serving/runtimes/linear-model-artifact';

/**
 * The scoring port's three local adapters over ONE gateway: the SDK over HTTP
 * (how outside callers reach it), the SDK through the in-process handler, and
 * the hosted gateway's own adapter without the SDK (the local default). Every
 * invocation must give the domain the same answer, or the same port error
 * (EndpointMissing, ModelRefusedInput, ModelFailed) with the same message and
 * variant, and hand the gateway the same inference id.
 */
const s3Endpoint = process.env.STEWARD_TEST_S3_ENDPOINT!;
const unique = randomUUID().slice(0, 8);
const bucket = `invokers-${unique}`;
const env = { STEWARD_MODE: 'local', STEWARD_S3_ENDPOINT: s3Endpoint, STEWARD_LOG_LEVEL: 'SILENT' };
const settings = readSettings(env);
const { s3 } = createAwsClients(settings);

const CHALLENGER: LinearModelArtifact = { ...MODEL, coefficients: [1, 1] };
const uri = (name: string) => `s3://${bucket}/tenants/t1/models/${name}/1/model.json`;
const crashingUri = uri('crash');

const captured: ShadowCapture[] = [];
const loadFromS3 = s3ModelLoader(s3);
let draws = 0;
const deps = {
  registry: new InMemoryEndpointRegistry(),
  models: new ModelCache(crashingAt(loadFromS3, crashingUri)),
  log: SILENT_LOG,
  maxPayloadBytes: 200,
  // Pinned draws (0.25, 0.5, 0.75, 0.25, …; the variant, then the shadow, per call): each adapter's run of calls gets the same variants in the same order.
  random: () => [0.25, 0.5, 0.75][draws++ % 3],
  capture: async (record: ShadowCapture) => {
    captured.push(record);
  },
};
const invoke = createInvokeEndpoint(deps);
const app = createGatewayApp(deps, invoke);
const inProcessClient = createAwsClients(settings, { sagemakerRuntimeHandler: new InProcessGatewayHandler(() => invoke) }).sagemakerRuntime;
let httpClient: ReturnType<typeof createAwsClients>['sagemakerRuntime'];
let server: Awaited<ReturnType<typeof serveApi>>;
let invokers: Record<'sdk over HTTP' | 'sdk in process' | 'direct', EndpointInvoker>;

async function register(name: string, body: unknown) {
  const res = await app.request(`/local/endpoints/${name}-${unique}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(201);
}

beforeAll(async () => {
  if (!s3Endpoint) throw new Error('stand-ins are not running: integration tests need test/support/global-setup.ts');
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  for (const [u, model] of [
    [uri('churn'), MODEL],
    [uri('challenger'), CHALLENGER],
    [crashingUri, MODEL],
  ] as const) {
    await s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: u.slice(`s3://${bucket}/`.length), Body: JSON.stringify(model), ContentType: 'application/json' }),
    );
  }
  server = await serveApi(app, await freePort());
  httpClient = createAwsClients(readSettings({ ...env, STEWARD_SAGEMAKER_RUNTIME_ENDPOINT: server.url })).sagemakerRuntime;
  invokers = {
    'sdk over HTTP': new RuntimeEndpointInvoker(httpClient),
    'sdk in process': new RuntimeEndpointInvoker(inProcessClient),
    direct: new HostedGatewayInvoker(() => invoke),
  };
  await register('ab', {
    productionVariants: [
      { variantName: 'champion', weight: 1, model: { runtime: 'linear', artifactUri: uri('churn') } },
      { variantName: 'challenger', weight: 1, model: { runtime: 'linear', artifactUri: uri('challenger') } },
    ],
    shadowVariants: [{ variantName: 'shadow', samplingPercentage: 100, model: { runtime: 'linear', artifactUri: uri('challenger') } }],
    captureUri: `s3://${bucket}/capture`,
    tags: { TenantId: 't1' },
  });
  await register('crashing', {
    productionVariants: [{ variantName: 'champion', model: { runtime: 'linear', artifactUri: crashingUri } }],
    tags: { TenantId: 't1' },
  });
});

afterAll(async () => {
  await server?.close();
  httpClient?.destroy();
  inProcessClient.destroy();
  s3.destroy();
});

/** What the domain sees of one invocation: the answer, or the port error's class, message, variant and endpoint. */
async function outcome(invoker: EndpointInvoker, request: InvocationRequest) {
  try {
    const answer = await invoker.invoke(request);
    return { ok: true, body: JSON.parse(new TextDecoder().decode(answer.body)), contentType: answer.contentType, variant: answer.variant };
  } catch (error) {
    const e = error as Error & { variant?: string; endpointName?: string };
    return { ok: false, type: e.constructor.name, message: e.message, variant: e.variant, endpointName: e.endpointName };
  }
}

/** The same requests through each adapter in turn (each run starting at the same variant draw): every run must equal the first. */
async function sameThroughEach(requests: InvocationRequest[]) {
  const runs: Record<string, unknown[]> = {};
  for (const [name, invoker] of Object.entries(invokers)) {
    draws = 0;
    runs[name] = [];
    for (const request of requests) runs[name].push(await outcome(invoker, request));
  }
  for (const name of Object.keys(runs)) expect({ name, outcomes: runs[name] }).toEqual({ name, outcomes: runs['sdk over HTTP'] });
  return runs.direct as Array<Awaited<ReturnType<typeof outcome>>>;
}

const csv = (text: string) => new TextEncoder().encode(text);
const ab = `ab-${unique}`;

describe("the scoring port's adapters over one gateway", () => {
  it('answer the same predictions from the same variants: weighted choice and a target variant', async () => {
    const requests: InvocationRequest[] = [
      { endpointName: ab, body: csv('50,2\n'), contentType: 'text/csv', accept: 'application/json' },
      { endpointName: ab, body: csv('50,2\n30,1\n'), contentType: 'text/csv', accept: 'application/json' },
      { endpointName: ab, body: csv(JSON.stringify({ instances: [{ age: 50, visits: 2 }] })), contentType: 'application/json' },
      { endpointName: ab, body: csv('50,2\n'), contentType: 'text/csv', targetVariant: 'challenger' },
      { endpointName: ab, body: csv('50,2\n'), contentType: 'text/csv', targetVariant: 'champion' },
    ];
    const out = await sameThroughEach(requests);
    // Drawn 0.25 → champion, 0.75 → challenger, 0.5 → challenger (half the weight); then the targets.
    expect(out.map((o) => o.variant)).toEqual(['champion', 'challenger', 'challenger', 'challenger', 'champion']);
    expect(out.every((o) => o.ok && o.contentType === 'application/json')).toBe(true);
    expect((out[0].body as { predictions: Array<{ score: number }> }).predictions[0].score).toBeCloseTo(1 / (1 + Math.exp(-2)), 12);
    expect((out[1].body as { predictions: unknown[] }).predictions).toHaveLength(2);
  });

  it('hand the gateway the same inference id: the shadow capture records it for each', async () => {
    // Told apart by their body from shadows of earlier calls still being captured.
    const body = '51,3\n';
    const ours = () => captured.filter((c) => new TextDecoder().decode(c.input.body) === body);
    await sameThroughEach([{ endpointName: ab, body: csv(body), contentType: 'text/csv', accept: 'application/json', inferenceId: 'req-42' }]);
    // Shadows are captured after the answer: wait for the three.
    for (let i = 0; i < 100 && ours().length < 3; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(ours().map((c) => [c.inferenceId, c.variant, c.input.contentType])).toEqual(Array(3).fill(['req-42', 'shadow', 'text/csv']));
  });

  it('raise EndpointMissing for an unknown endpoint', async () => {
    const [out] = await sameThroughEach([{ endpointName: `absent-${unique}`, body: csv('1,2'), contentType: 'text/csv' }]);
    expect(out).toEqual({
      ok: false,
      type: EndpointMissing.name,
      message: `endpoint absent-${unique} does not exist`,
      variant: undefined,
      endpointName: `absent-${unique}`,
    });
  });

  it('raise ModelRefusedInput naming the row and the field for input the model refuses', async () => {
    const out = await sameThroughEach([
      { endpointName: ab, body: csv('40\n'), contentType: 'text/csv', targetVariant: 'champion' },
      {
        endpointName: ab,
        body: csv(
          JSON.stringify({
            instances: [
              { age: 50, visits: 2 },
              { age: 'old', visits: 2 },
            ],
          }),
        ),
        contentType: 'application/json',
        targetVariant: 'challenger',
      },
    ]);
    expect(out[0]).toEqual({
      ok: false,
      type: ModelRefusedInput.name,
      message: 'row 1: has 1 values; expected 2 (age, visits)',
      variant: 'champion',
      endpointName: undefined,
    });
    expect(out[1]).toMatchObject({ ok: false, type: ModelRefusedInput.name, variant: 'challenger' });
    expect(out[1].message).toMatch(/row 2/);
    expect(out[1].message).toMatch(/age/);
  });

  it('raise ModelRefusedInput for an unknown target variant and a payload over the limit', async () => {
    const out = await sameThroughEach([
      { endpointName: ab, body: csv('50,2'), contentType: 'text/csv', targetVariant: 'nobody' },
      { endpointName: ab, body: csv('50,2\n'.repeat(50)), contentType: 'text/csv' },
    ]);
    expect(out[0]).toMatchObject({ ok: false, type: ModelRefusedInput.name, variant: undefined });
    expect(out[0].message).toMatch(/variant nobody not found/);
    expect(out[1]).toMatchObject({ ok: false, type: ModelRefusedInput.name, message: 'Request body exceeds the 200 byte limit of real-time inference.' });
  });

  it('raise ModelFailed naming the variant when the model fails', async () => {
    const [out] = await sameThroughEach([{ endpointName: `crashing-${unique}`, body: csv('40,1\n'), contentType: 'text/csv' }]);
    expect(out).toEqual({ ok: false, type: ModelFailed.name, message: 'segfault in the model server', variant: 'champion', endpointName: undefined });
  });
});
