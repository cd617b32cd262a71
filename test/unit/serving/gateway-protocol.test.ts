import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { InvokeEndpointCommand, ModelError, SageMakerRuntimeClient, ValidationError } from '@aws-sdk/client-sagemaker-runtime';
import type { Log } from '../../../core/ports/log';
import { ArtifactUnavailable } from '../../../serving/artifacts/artifact-errors';
import { singleFileArtifact } from '../../../serving/artifacts/model-artifacts';
import { createGatewayApp } from '../../../serving/gateway/app';
import { InMemoryEndpointRegistry } from '../../../serving/gateway/endpoint-registry';
import { ModelCache } from '../../../serving/gateway/model-cache';
import { linearRuntime } from '../../../serving/runtimes/linear-runtime';
import { bytes, LINEAR, LOGISTIC, sigmoidByHand, text } from './fixtures';

/**
 * The gateway over loopback HTTP, called through the real SageMaker runtime
 * SDK client: proves the wire protocol (path, headers, error shapes) without
 * emulators. Artifacts come from an in-memory map instead of S3.
 */
const artifacts = new Map<string, Uint8Array>();
const logged: { level: string; message: string; extra: Record<string, unknown> }[] = [];
const log: Log = Object.fromEntries(
  ['debug', 'info', 'warn', 'error'].map((level) => [
    level,
    (message: string, ...extra: Record<string, unknown>[]) => logged.push({ level, message, extra: Object.assign({}, ...extra) }),
  ]),
) as unknown as Log;
let draw = 0;
let server: ServerType;
let url: string;
let client: SageMakerRuntimeClient;

const CRASHING = 's3://models/crash.json';

beforeAll(async () => {
  artifacts.set('s3://models/logistic.json', bytes(JSON.stringify(LOGISTIC)));
  artifacts.set('s3://models/linear.json', bytes(JSON.stringify(LINEAR)));
  const models = new ModelCache(async (ref) => {
    if (ref.artifactUri === CRASHING) return { invoke: async () => Promise.reject(new TypeError('boom')) };
    const content = artifacts.get(ref.artifactUri);
    if (!content) throw new ArtifactUnavailable(ref.artifactUri, 'no such object');
    return linearRuntime.load(singleFileArtifact(ref.artifactUri, 'model.json', content));
  });
  const app = createGatewayApp({ registry: new InMemoryEndpointRegistry(), models, log, random: () => draw, maxPayloadBytes: 4096 });
  await new Promise<void>((resolve) => {
    server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve());
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  client = new SageMakerRuntimeClient({ endpoint: url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
});

afterAll(async () => {
  client.destroy();
  await new Promise((resolve) => server.close(resolve));
});

async function register(name: string, config: unknown): Promise<Response> {
  return fetch(`${url}/local/endpoints/${name}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(config) });
}

const variant = (variantName: string, artifactUri: string, weight = 1) => ({ variantName, weight, model: { runtime: 'linear', artifactUri } });

async function failure(command: InvokeEndpointCommand): Promise<Error & { $metadata: { httpStatusCode?: number; attempts?: number; requestId?: string } }> {
  try {
    await client.send(command);
  } catch (error) {
    return error as never;
  }
  throw new Error('expected the invocation to fail');
}

describe('InvokeEndpoint through the SDK', () => {
  beforeAll(async () => {
    const res = await register('churn', {
      productionVariants: [variant('blue', 's3://models/logistic.json', 1), variant('green', 's3://models/logistic.json', 3)],
      tags: { TenantId: 't000000000000001' },
    });
    expect(res.status).toBe(201);
  });

  it('answers ValidationError for an unknown endpoint, without retrying', async () => {
    const error = await failure(new InvokeEndpointCommand({ EndpointName: 'nope', Body: bytes('1,2'), ContentType: 'text/csv' }));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toBe('Endpoint nope of account 000000000000 not found.');
    expect(error.$metadata).toMatchObject({ httpStatusCode: 400, attempts: 1, requestId: expect.any(String) });
  });

  it('returns the model body, its content type and the variant that served it', async () => {
    draw = 0.1; // weights 1:3 → [0, 0.25) is blue
    const out = await client.send(new InvokeEndpointCommand({ EndpointName: 'churn', Body: bytes('1,2\n3,0'), ContentType: 'text/csv', Accept: 'text/csv' }));
    expect(out.InvokedProductionVariant).toBe('blue');
    expect(out.ContentType).toBe('text/csv');
    const lines = text(out.Body).trim().split('\n');
    expect(Number(lines[0].split(',')[0])).toBeCloseTo(sigmoidByHand(-2.5), 12);
    expect(lines[1].split(',')[1]).toBe('churn');
    expect(logged).toContainEqual(
      expect.objectContaining({
        message: 'invocation',
        extra: expect.objectContaining({ endpointName: 'churn', variant: 'blue', tenant: 't000000000000001' }),
      }),
    );
  });

  it('splits by weight and honours TargetVariant', async () => {
    draw = 0.5;
    const random = await client.send(new InvokeEndpointCommand({ EndpointName: 'churn', Body: bytes('[{"a":1,"b":2}]'), ContentType: 'application/json' }));
    expect(random.InvokedProductionVariant).toBe('green');
    const targeted = await client.send(
      new InvokeEndpointCommand({ EndpointName: 'churn', Body: bytes('1,2'), ContentType: 'text/csv', TargetVariant: 'blue' }),
    );
    expect(targeted.InvokedProductionVariant).toBe('blue');
    expect(JSON.parse(text(targeted.Body)).predictions[0].label).toBe('stay');
  });

  it('answers ValidationError for a TargetVariant the endpoint lacks', async () => {
    const error = await failure(new InvokeEndpointCommand({ EndpointName: 'churn', Body: bytes('1,2'), ContentType: 'text/csv', TargetVariant: 'red' }));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toMatch(/variant red not found for endpoint churn/);
  });

  it('relays input the model refuses as ModelError with the original status and message', async () => {
    const error = await failure(new InvokeEndpointCommand({ EndpointName: 'churn', Body: bytes('1,x'), ContentType: 'text/csv' }));
    expect(error).toBeInstanceOf(ModelError);
    const modelError = error as ModelError;
    expect(modelError.OriginalStatusCode).toBe(400);
    expect(modelError.OriginalMessage).toBe("row 1, field 'b': 'x' is not a number");
    expect(modelError.message).toMatch(/^Received client error \(400\) from primary with message "row 1/);
    // The variant that failed is named by its log stream, as SageMaker names streams '<variant>/<instance>'.
    expect(modelError.LogStreamArn).toBe('arn:aws:logs:us-east-1:000000000000:log-group:/aws/sagemaker/Endpoints/churn:log-stream:green/local');
    expect(modelError.$metadata).toMatchObject({ httpStatusCode: 424, attempts: 1 });
  });

  it('relays a body without ContentType (the SDK sends octet-stream) as ModelError 415', async () => {
    const error = await failure(new InvokeEndpointCommand({ EndpointName: 'churn', Body: bytes('1,2') }));
    expect(error).toBeInstanceOf(ModelError);
    expect((error as ModelError).OriginalStatusCode).toBe(415);
  });

  it('refuses a body above the payload limit with ValidationError', async () => {
    const error = await failure(new InvokeEndpointCommand({ EndpointName: 'churn', Body: bytes('1,2\n'.repeat(2000)), ContentType: 'text/csv' }));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toMatch(/exceeds the 4096 byte limit/);
  });

  it('refuses a chunked body (no Content-Length) above the limit once read, and still answers', async () => {
    const chunk = bytes('1,2\n'.repeat(600));
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(chunk);
        controller.enqueue(chunk);
        controller.close();
      },
    });
    const res = await fetch(`${url}/endpoints/churn/invocations`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(400);
    expect(res.headers.get('x-amzn-errortype')).toMatch(/^ValidationError:/);
    expect((await res.json()).Message).toMatch(/exceeds the 4096 byte limit/);
  });

  it('reports a model that crashes as ModelError 500', async () => {
    expect((await register('crashy', { productionVariants: [variant('only', CRASHING)] })).status).toBe(201);
    const error = await failure(new InvokeEndpointCommand({ EndpointName: 'crashy', Body: bytes('1'), ContentType: 'text/csv' }));
    expect(error).toBeInstanceOf(ModelError);
    expect((error as ModelError).OriginalStatusCode).toBe(500);
    expect(error.message).toMatch(/^Received server error \(500\)/);
  });
});

describe('shadow variants', () => {
  it('mirrors the request to the shadow and answers from production only', async () => {
    const res = await register('shadowed', {
      productionVariants: [variant('live', 's3://models/logistic.json')],
      shadowVariants: [{ variantName: 'candidate', model: { runtime: 'linear', artifactUri: 's3://models/linear.json' } }],
    });
    expect(res.status).toBe(201);
    const out = await client.send(new InvokeEndpointCommand({ EndpointName: 'shadowed', Body: bytes('1,2'), ContentType: 'text/csv' }));
    expect(out.InvokedProductionVariant).toBe('live');
    expect(JSON.parse(text(out.Body)).predictions[0].label).toBe('stay');
    await new Promise((r) => setTimeout(r, 20));
    expect(logged).toContainEqual(
      expect.objectContaining({
        message: 'shadow invocation',
        extra: expect.objectContaining({ endpointName: 'shadowed', shadowVariant: 'candidate', status: 200 }),
      }),
    );
  });
});

describe('local endpoint control routes', () => {
  it('refuses an invalid configuration with named fields', async () => {
    const res = await register('bad', { productionVariants: [{ variantName: '-x', model: { runtime: 'linear', artifactUri: 'http://x' } }] });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    const problem = await res.json();
    expect(problem.invalidFields.map((f: { field: string }) => f.field)).toEqual([
      'body.productionVariants.0.variantName',
      'body.productionVariants.0.model.artifactUri',
    ]);
  });

  it('refuses an endpoint whose artifact cannot be loaded, and leaves it unregistered', async () => {
    const res = await register('missing-model', { productionVariants: [variant('a', 's3://models/absent.json')] });
    expect(res.status).toBe(422);
    const problem = await res.json();
    expect(problem.invalidFields).toEqual([{ field: 'body.productionVariants.0.model.artifactUri', problem: 's3://models/absent.json: no such object' }]);
    expect((await fetch(`${url}/local/endpoints/missing-model`)).status).toBe(404);
  });

  it('reloads the artifact when an endpoint is registered again, and forgets it on delete', async () => {
    artifacts.set('s3://models/mutable.json', bytes(JSON.stringify(LINEAR)));
    expect((await register('mutable', { productionVariants: [variant('a', 's3://models/mutable.json')] })).status).toBe(201);
    const before = await client.send(new InvokeEndpointCommand({ EndpointName: 'mutable', Body: bytes('2,0'), ContentType: 'text/csv' }));
    expect(JSON.parse(text(before.Body)).predictions[0].score).toBe(10);

    artifacts.set('s3://models/mutable.json', bytes(JSON.stringify({ ...LINEAR, intercept: 20 })));
    const again = await register('mutable', { productionVariants: [variant('a', 's3://models/mutable.json')] });
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({
      endpointName: 'mutable',
      endpointStatus: 'InService',
      endpointArn: 'arn:aws:sagemaker:us-east-1:000000000000:endpoint/mutable',
    });
    const after = await client.send(new InvokeEndpointCommand({ EndpointName: 'mutable', Body: bytes('2,0'), ContentType: 'text/csv' }));
    expect(JSON.parse(text(after.Body)).predictions[0].score).toBe(20);

    expect((await fetch(`${url}/local/endpoints/mutable`, { method: 'DELETE' })).status).toBe(204);
    await expect(client.send(new InvokeEndpointCommand({ EndpointName: 'mutable', Body: bytes('2,0'), ContentType: 'text/csv' }))).rejects.toBeInstanceOf(
      ValidationError,
    );
    expect((await fetch(`${url}/local/endpoints/mutable`, { method: 'DELETE' })).status).toBe(404);
  });

  it('answers /ping with 200', async () => {
    const res = await fetch(`${url}/ping`);
    expect(res.status).toBe(200);
  });
});
