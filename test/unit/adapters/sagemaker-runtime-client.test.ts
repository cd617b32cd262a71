import { createHash, createHmac } from 'node:crypto';
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { sagemakerRuntimeClient } from '../../../core/adapters/aws-clients';

type SentRequest = { method: string; protocol?: string; hostname?: string; port?: number; path: string; headers: Record<string, string>; body: Uint8Array };

/**
 * Checks a request's SigV4 signature from scratch (node:crypto, not the SDK):
 * canonical request, string to sign and the key derived from the secret for
 * the request's own day, region and service.
 */
function signatureIsValid(request: SentRequest, secretAccessKey: string): boolean {
  const auth = /^AWS4-HMAC-SHA256 Credential=[^/]+\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(
    request.headers.authorization ?? '',
  );
  if (!auth) return false;
  const [, day, region, service, signedHeaders, signature] = auth as unknown as [string, string, string, string, string, string];
  const amzDate = request.headers['x-amz-date'];
  if (amzDate.slice(0, 8) !== day) return false;
  const sha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');
  const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();
  const lower = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v]));
  const names = signedHeaders.split(';');
  const canonical = [
    request.method,
    request.path,
    '',
    ...names.map((n) => `${n}:${String(lower[n]).trim().replace(/\s+/g, ' ')}`),
    '',
    signedHeaders,
    sha256(request.body),
  ].join('\n');
  if (lower['x-amz-content-sha256'] !== undefined && lower['x-amz-content-sha256'] !== sha256(request.body)) return false;
  const scope = `${day}/${region}/${service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
  let key = hmac(`AWS4${secretAccessKey}`, day);
  for (const part of [region, service, 'aws4_request']) key = hmac(key, part);
  return createHmac('sha256', key).update(toSign).digest('hex') === signature;
}

/** The client real-time scoring sends InvokeEndpoint with (issue 11): the SDK's per-call work cut, the protocol unchanged. */
describe('sagemakerRuntimeClient', () => {
  const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };

  /** Records each request the SDK would put on the wire, and answers as SageMaker does. */
  function recordingHandler() {
    const sent: SentRequest[] = [];
    const handler = {
      metadata: { handlerProtocol: 'http/1.1' },
      async handle(request: SentRequest) {
        sent.push({
          method: request.method,
          protocol: request.protocol,
          hostname: request.hostname,
          port: request.port,
          path: request.path,
          headers: { ...request.headers },
          body: request.body,
        });
        return {
          response: {
            statusCode: 200,
            headers: { 'content-type': 'application/json', 'x-amzn-invoked-production-variant': 'AllTraffic' },
            body: new TextEncoder().encode('{"predictions":[{"score":0.5}]}'),
          },
        };
      },
      updateHttpClientConfig: () => undefined,
      httpHandlerConfigs: () => ({}),
      destroy: () => undefined,
    };
    return { sent, handler };
  }

  it('sends signed InvokeEndpoint requests and reads the answer, call after call', async () => {
    const { sent, handler } = recordingHandler();
    const client = sagemakerRuntimeClient({ region: 'eu-west-1', endpoint: 'http://127.0.0.1:9', credentials, requestHandler: handler as never });
    for (let i = 0; i < 3; i++) {
      const out = await client.send(
        new InvokeEndpointCommand({ EndpointName: `e${i}`, Body: new TextEncoder().encode('[[1,2]]'), ContentType: 'application/json', InferenceId: `r${i}` }),
      );
      expect(new TextDecoder().decode(out.Body)).toBe('{"predictions":[{"score":0.5}]}');
      expect(out.InvokedProductionVariant).toBe('AllTraffic');
    }
    // Each request carries its own signature (its own path, date and payload), not the first one's.
    expect(new Set(sent.map((r) => r.headers.authorization)).size).toBe(3);
    expect(sent.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /endpoints/e0/invocations',
      'POST /endpoints/e1/invocations',
      'POST /endpoints/e2/invocations',
    ]);
    for (const [i, request] of sent.entries()) {
      expect(request.headers.authorization).toMatch(
        /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/sagemaker\/aws4_request, SignedHeaders=.*, Signature=[0-9a-f]{64}$/,
      );
      expect(request.headers['x-amzn-sagemaker-inference-id']).toBe(`r${i}`);
    }
  });

  it('builds one SigV4 signer for the life of the client, and builds again after a failure', async () => {
    const client = sagemakerRuntimeClient({ region: 'eu-west-1', credentials });
    const first = await client.config.signer();
    expect(await client.config.signer()).toBe(first);

    // The SDK's own builder failing once (a region provider that throws) must not poison the client.
    let calls = 0;
    const flaky = sagemakerRuntimeClient({
      region: async () => {
        calls++;
        if (calls === 1) throw new Error('no region yet');
        return 'eu-west-1';
      },
      credentials,
    });
    await expect(flaky.config.signer()).rejects.toThrow('no region yet');
    await expect(flaky.config.signer()).resolves.toBeDefined();
  });

  it('resolves the middleware stack once per command class and has no logger middleware', () => {
    const client = sagemakerRuntimeClient({ region: 'eu-west-1', credentials });
    expect(client.config.cacheMiddleware).toBe(true);
    expect(client.middlewareStack.identify().join('\n')).not.toMatch(/loggerMiddleware/);
  });

  it('puts the same request on the wire as the SDK with its defaults: endpoint, path, signed headers and the body bytes as given', async () => {
    const ours = recordingHandler();
    const theirs = recordingHandler();
    const body = new TextEncoder().encode('[{"x0":1,"x1":2}]');
    const send = (client: SageMakerRuntimeClient) =>
      client.send(
        new InvokeEndpointCommand({
          EndpointName: 'fraud-v2',
          Body: body,
          ContentType: 'application/json',
          Accept: 'application/json',
          InferenceId: 'r1',
          TargetVariant: 'B',
        }),
      );
    await send(sagemakerRuntimeClient({ region: 'eu-west-1', endpoint: 'http://127.0.0.1:7703', credentials, requestHandler: ours.handler as never }));
    await send(new SageMakerRuntimeClient({ region: 'eu-west-1', endpoint: 'http://127.0.0.1:7703', credentials, requestHandler: theirs.handler as never }));
    const [a, b] = [ours.sent[0], theirs.sent[0]];
    expect({ method: a.method, protocol: a.protocol, hostname: a.hostname, port: a.port, path: a.path }).toEqual({
      method: b.method,
      protocol: b.protocol,
      hostname: b.hostname,
      port: b.port,
      path: b.path,
    });
    expect(a).toMatchObject({ method: 'POST', hostname: '127.0.0.1', port: 7703, path: '/endpoints/fraud-v2/invocations' });
    // Only the user agent is left out; every other header (signed or not) is the SDK's own.
    const withoutAgent = (h: Record<string, string>) =>
      Object.keys(h)
        .filter((k) => !/user-agent/i.test(k))
        .sort();
    expect(withoutAgent(a.headers)).toEqual(withoutAgent(b.headers));
    expect(Object.keys(a.headers).some((k) => /user-agent/i.test(k))).toBe(false);
    expect(a.headers['x-amzn-sagemaker-target-variant']).toBe('B');
    // The blob goes out as the caller's bytes: not copied, not re-encoded.
    expect(a.body).toBe(body);
    expect(signatureIsValid(a, credentials.secretAccessKey)).toBe(true);
    expect(signatureIsValid(b, credentials.secretAccessKey)).toBe(true);
  });

  it('signs every call validly with the key of its own day and credentials: a new day and rotated credentials derive a new key', async () => {
    const { sent, handler } = recordingHandler();
    let current = { accessKeyId: 'AKIDFIRST', secretAccessKey: 'first-secret' };
    // Credentials close to expiry are asked for again on every call, as a Lambda role's are near the end of their life.
    const credentials = async () => ({ ...current, expiration: new Date(Date.now() + 60_000) });
    const client = sagemakerRuntimeClient({ region: 'eu-west-1', endpoint: 'http://127.0.0.1:9', credentials, requestHandler: handler as never });
    const call = () => client.send(new InvokeEndpointCommand({ EndpointName: 'e', Body: new TextEncoder().encode('[[1]]'), ContentType: 'application/json' }));
    await call();
    await call();
    // Tomorrow, as the SDK sees it (the clock offset it corrects skew with): the kept key must not be reused.
    client.config.systemClockOffset = 24 * 3600 * 1000;
    await call();
    current = { accessKeyId: 'AKIDSECOND', secretAccessKey: 'second-secret' };
    await call();
    expect(sent.map((r) => r.headers['x-amz-date'].slice(0, 8))).toEqual([
      expect.any(String),
      sent[0].headers['x-amz-date'].slice(0, 8),
      expect.any(String),
      expect.any(String),
    ]);
    expect(sent[2].headers['x-amz-date'].slice(0, 8)).not.toBe(sent[1].headers['x-amz-date'].slice(0, 8));
    expect(sent.slice(0, 3).every((r) => signatureIsValid(r, 'first-secret'))).toBe(true);
    expect(signatureIsValid(sent[3], 'second-secret')).toBe(true);
    expect(signatureIsValid(sent[3], 'first-secret')).toBe(false);
    expect(sent[3].headers.authorization).toContain('Credential=AKIDSECOND/');
  });

  it('resolves the SDK rule set when no endpoint is configured (AWS): the regional SageMaker runtime host', async () => {
    const { sent, handler } = recordingHandler();
    const client = sagemakerRuntimeClient({ region: 'eu-west-1', credentials, requestHandler: handler as never });
    await client.send(new InvokeEndpointCommand({ EndpointName: 'e', Body: new TextEncoder().encode('[[1]]'), ContentType: 'application/json' }));
    expect(sent[0]).toMatchObject({ protocol: 'https:', hostname: 'runtime.sagemaker.eu-west-1.amazonaws.com', path: '/endpoints/e/invocations' });
    expect(signatureIsValid(sent[0], credentials.secretAccessKey)).toBe(true);
  });
});
