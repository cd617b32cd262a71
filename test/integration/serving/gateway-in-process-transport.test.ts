import { randomUUID } from 'node:crypto';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { InvokeEndpointCommand, type InvokeEndpointCommandInput, ModelError, ValidationError } from '@aws-sdk/client-sagemaker-runtime';
import { createAwsClients } from '../../../core/adapters/aws-clients';
import { HostedGatewayInvoker } from '../../../core/adapters/sagemaker/hosted-gateway-invoker';
import { RuntimeEndpointInvoker } from '../../../core/adapters/sagemaker/runtime-endpoint-invoker';
import { readSettings } from '../../../core/config/settings';
import { serveApi } from '../../../infra/local/api-server';
import { freePort } from '../../../infra/local/stand-ins/ports';
import { createGatewayApp } from '../../../serving/gateway/app';
import { InMemoryEndpointRegistry } from '../../../serving/gateway/endpoint-registry';
import { InProcessGatewayHandler } from '../../../serving/gateway/in-process-handler';
import { createInvokeEndpoint, type InvokeEndpointCall } from '../../../serving/gateway/invoke-endpoint';
import { ModelCache, s3ModelLoader } from '../../../serving/gateway/model-cache';
import { CHURN_MODEL as MODEL, crashingAt, SILENT_LOG } from '../../fixtures/serving/churn-model';
import { testPlatform } from '../../support/test-platform';

/**
 * One gateway instance reached two ways by the platform's own
 * SageMakerRuntimeClient: over HTTP (its hono app on a loopback port) and in
 * process (InProcessGatewayHandler as the client's requestHandler). Every
 * InvokeEndpoint must come back the same: same body and headers, or the same
 * typed SDK exception with the same members.
 */
const s3Endpoint = process.env.STEWARD_TEST_S3_ENDPOINT!;
const unique = randomUUID().slice(0, 8);
const bucket = `inproc-${unique}`;
const env = { STEWARD_MODE: 'local', STEWARD_S3_ENDPOINT: s3Endpoint, STEWARD_LOG_LEVEL: 'SILENT' };
const settings = readSettings(env);
const { s3 } = createAwsClients(settings);

const artifactUri = `s3://${bucket}/tenants/t1/models/churn/1/model.json`;
const crashingUri = `s3://${bucket}/tenants/t1/models/crash/1/model.json`;

// The real S3 loader; the "crash" artifact loads, then fails at scoring the way a broken container answers 500.
const loadFromS3 = s3ModelLoader(s3);
const deps = {
  registry: new InMemoryEndpointRegistry(),
  models: new ModelCache(crashingAt(loadFromS3, crashingUri)),
  log: SILENT_LOG,
  maxPayloadBytes: 64,
};
const invoke = createInvokeEndpoint(deps);
const app = createGatewayApp(deps, invoke);
const seen: InvokeEndpointCall[] = [];
const inProcess = createAwsClients(settings, {
  sagemakerRuntimeHandler: new InProcessGatewayHandler(() => (call) => {
    seen.push(call);
    return invoke(call);
  }),
}).sagemakerRuntime;
let overHttp: ReturnType<typeof createAwsClients>['sagemakerRuntime'];
let server: Awaited<ReturnType<typeof serveApi>>;

beforeAll(async () => {
  if (!s3Endpoint) throw new Error('stand-ins are not running: integration tests need test/support/global-setup.ts');
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  for (const uri of [artifactUri, crashingUri]) {
    await s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: uri.slice(`s3://${bucket}/`.length), Body: JSON.stringify(MODEL), ContentType: 'application/json' }),
    );
  }
  server = await serveApi(app, await freePort());
  overHttp = createAwsClients(readSettings({ ...env, STEWARD_SAGEMAKER_RUNTIME_ENDPOINT: server.url })).sagemakerRuntime;
  for (const [name, uri] of [
    ['churn', artifactUri],
    ['crashing', crashingUri],
  ]) {
    const res = await app.request(`/local/endpoints/${name}-${unique}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ productionVariants: [{ variantName: 'champion', model: { runtime: 'linear', artifactUri: uri } }], tags: { TenantId: 't1' } }),
    });
    expect(res.status).toBe(201);
  }
});

afterAll(async () => {
  await server?.close();
  overHttp?.destroy();
  inProcess.destroy();
  s3.destroy();
});

/** What a caller can see of an answer or an exception, minus the per-request id. */
async function outcome(client: typeof inProcess, input: InvokeEndpointCommandInput) {
  try {
    const out = await client.send(new InvokeEndpointCommand(input));
    return {
      ok: true,
      status: out.$metadata.httpStatusCode,
      body: new TextDecoder().decode(out.Body),
      contentType: out.ContentType,
      variant: out.InvokedProductionVariant,
      attributes: out.CustomAttributes,
    };
  } catch (error) {
    const e = error as ModelError & { ErrorCode?: string };
    return {
      ok: false,
      type: e.constructor.name,
      name: e.name,
      message: e.message,
      fault: e.$fault,
      status: e.$metadata.httpStatusCode,
      members: { ErrorCode: e.ErrorCode, OriginalStatusCode: e.OriginalStatusCode, OriginalMessage: e.OriginalMessage, LogStreamArn: e.LogStreamArn },
    };
  }
}

async function sameBothWays(input: InvokeEndpointCommandInput) {
  const [http, local] = [await outcome(overHttp, input), await outcome(inProcess, input)];
  expect(local).toEqual(http);
  return local;
}

describe('the scoring gateway in process and over HTTP', () => {
  it('scores a row identically, the in-process call signed and carrying the same headers as on AWS', async () => {
    seen.length = 0;
    const out = await sameBothWays({
      EndpointName: `churn-${unique}`,
      Body: '50,2\n',
      ContentType: 'text/csv',
      Accept: 'application/json',
      InferenceId: 'row-1',
    });
    expect(out).toMatchObject({ ok: true, status: 200, contentType: 'application/json', variant: 'champion' });
    expect(JSON.parse(out.body!).predictions[0].score).toBeCloseTo(1 / (1 + Math.exp(-2)), 12);
    expect(seen).toHaveLength(1);
    const call = seen[0];
    expect(call.endpointName).toBe(`churn-${unique}`);
    expect(call.header('authorization')).toMatch(
      /^AWS4-HMAC-SHA256 Credential=S3RVER\/\d{8}\/us-east-1\/sagemaker\/aws4_request, SignedHeaders=.*, Signature=[0-9a-f]{64}$/,
    );
    expect(call.header('x-amz-date')).toMatch(/^\d{8}T\d{6}Z$/);
    expect(call.header('content-type')).toBe('text/csv');
    expect(call.header('accept')).toBe('application/json');
    expect(call.header('x-amzn-sagemaker-inference-id')).toBe('row-1');
    expect(new TextDecoder().decode(call.body as Uint8Array)).toBe('50,2\n');
  });

  it('raises the same ValidationError for an unknown endpoint', async () => {
    const out = await sameBothWays({ EndpointName: `absent-${unique}`, Body: '1,2', ContentType: 'text/csv' });
    expect(out).toMatchObject({ ok: false, type: ValidationError.name, status: 400, message: `Endpoint absent-${unique} of account 000000000000 not found.` });
  });

  it('raises the same ValidationError for an unknown target variant and for a payload over the limit', async () => {
    const variant = await sameBothWays({ EndpointName: `churn-${unique}`, Body: '50,2', ContentType: 'text/csv', TargetVariant: 'nobody' });
    expect(variant).toMatchObject({ ok: false, type: ValidationError.name, status: 400 });
    const large = await sameBothWays({ EndpointName: `churn-${unique}`, Body: '50,2\n'.repeat(20), ContentType: 'text/csv' });
    expect(large).toMatchObject({
      ok: false,
      type: ValidationError.name,
      status: 400,
      message: 'Request body exceeds the 64 byte limit of real-time inference.',
    });
  });

  it('raises the same ModelError for a payload the model refuses (4xx from the model)', async () => {
    const out = await sameBothWays({ EndpointName: `churn-${unique}`, Body: '40\n', ContentType: 'text/csv' });
    expect(out).toMatchObject({
      ok: false,
      type: ModelError.name,
      status: 424,
      members: { ErrorCode: 'CLIENT_ERROR_FROM_MODEL', OriginalStatusCode: 400, OriginalMessage: 'row 1: has 1 values; expected 2 (age, visits)' },
    });
  });

  it('raises the same ModelError for a model that fails (5xx from the model)', async () => {
    const out = await sameBothWays({ EndpointName: `crashing-${unique}`, Body: '40,1\n', ContentType: 'text/csv' });
    expect(out).toMatchObject({
      ok: false,
      type: ModelError.name,
      status: 424,
      members: { ErrorCode: 'INTERNAL_FAILURE_FROM_MODEL', OriginalStatusCode: 500, OriginalMessage: 'segfault in the model server' },
    });
    expect((out as { members: { LogStreamArn: string } }).members.LogStreamArn).toMatch(/:log-stream:champion\/local$/);
  });
});

describe("the local platform's scoring transport", () => {
  it('hosts the gateway and scores through it without the SDK by default; in-process and http keep the SDK client', async () => {
    const direct = await testPlatform();
    const viaSdk = await testPlatform({ STEWARD_SCORING_TRANSPORT: 'in-process' });
    const overTheWire = await testPlatform({ STEWARD_SCORING_TRANSPORT: 'http' });
    try {
      expect(direct.settings.STEWARD_SCORING_TRANSPORT).toBe('direct');
      expect(direct.scoringGateway).toBeDefined();
      expect(direct.platform.serving.invoker).toBeInstanceOf(HostedGatewayInvoker);
      // The SDK client of a hosted gateway still reaches it in process, for anything else in the process that uses it.
      expect(direct.clients.sagemakerRuntime.config.requestHandler).toBeInstanceOf(InProcessGatewayHandler);
      await expect(direct.platform.probes.find((p) => p.name === 'scoring-gateway')!.check()).resolves.toBe('in-process');

      expect(viaSdk.scoringGateway).toBeDefined();
      expect(viaSdk.platform.serving.invoker).toBeInstanceOf(RuntimeEndpointInvoker);
      expect(viaSdk.clients.sagemakerRuntime.config.requestHandler).toBeInstanceOf(InProcessGatewayHandler);
      await expect(viaSdk.platform.probes.find((p) => p.name === 'scoring-gateway')!.check()).resolves.toBe('in-process');

      expect(overTheWire.scoringGateway).toBeUndefined();
      expect(overTheWire.platform.serving.invoker).toBeInstanceOf(RuntimeEndpointInvoker);
      expect(overTheWire.clients.sagemakerRuntime.config.requestHandler).not.toBeInstanceOf(InProcessGatewayHandler);
    } finally {
      await direct.close();
      await viaSdk.close();
      await overTheWire.close();
    }
  });
});
