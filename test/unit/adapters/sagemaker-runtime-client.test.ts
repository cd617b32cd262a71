import { InvokeEndpointCommand } from '@aws-sdk/client-sagemaker-runtime';
import { sagemakerRuntimeClient } from '../../../core/adapters/aws-clients';

/** The client real-time scoring sends InvokeEndpoint with (issue 11): the SDK's per-call work cut, the protocol unchanged. */
describe('sagemakerRuntimeClient', () => {
  const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };

  /** Records each request the SDK would put on the wire, and answers as SageMaker does. */
  function recordingHandler() {
    const sent: Array<{ method: string; path: string; headers: Record<string, string>; body: Uint8Array }> = [];
    const handler = {
      metadata: { handlerProtocol: 'http/1.1' },
      async handle(request: { method: string; path: string; headers: Record<string, string>; body: Uint8Array }) {
        sent.push({ method: request.method, path: request.path, headers: { ...request.headers }, body: request.body });
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
      const out = await client.send(new InvokeEndpointCommand({ EndpointName: `e${i}`, Body: new TextEncoder().encode('[[1,2]]'), ContentType: 'application/json', InferenceId: `r${i}` }));
      expect(new TextDecoder().decode(out.Body)).toBe('{"predictions":[{"score":0.5}]}');
      expect(out.InvokedProductionVariant).toBe('AllTraffic');
    }
    // Each request carries its own signature (its own path, date and payload), not the first one's.
    expect(new Set(sent.map((r) => r.headers.authorization)).size).toBe(3);
    expect(sent.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /endpoints/e0/invocations', 'POST /endpoints/e1/invocations', 'POST /endpoints/e2/invocations']);
    for (const [i, request] of sent.entries()) {
      expect(request.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/sagemaker\/aws4_request, SignedHeaders=.*, Signature=[0-9a-f]{64}$/);
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
});
