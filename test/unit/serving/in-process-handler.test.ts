import { HttpRequest } from '@smithy/core/protocols';
import { InProcessGatewayHandler } from '../../../serving/gateway/in-process-handler';
import type { InvokeEndpointCall } from '../../../serving/gateway/invoke-endpoint';

describe('InProcessGatewayHandler', () => {
  it('hands the gateway the SDK request by lower-case header name, and the answer back with lower-case names', async () => {
    let seen: InvokeEndpointCall | undefined;
    const handler = new InProcessGatewayHandler(() => async (call) => {
      seen = call;
      return {
        status: 200,
        headers: { 'Content-Type': 'application/json', 'x-Amzn-Invoked-Production-Variant': 'blue' },
        body: new TextEncoder().encode('{}'),
      };
    });
    const request = new HttpRequest({
      method: 'POST',
      hostname: 'localhost',
      path: '/endpoints/my%2Dendpoint/invocations',
      headers: { 'Content-Type': 'text/csv', Accept: 'application/json', 'X-Amzn-SageMaker-Target-Variant': 'blue' },
      body: '1,2',
    });
    for (let i = 0; i < 2; i++) {
      const { response } = await handler.handle(request);
      expect(response.statusCode).toBe(200);
      expect(response.headers).toEqual({ 'content-type': 'application/json', 'x-amzn-invoked-production-variant': 'blue' });
      expect(seen!.endpointName).toBe('my-endpoint');
      expect(seen!.header('content-type')).toBe('text/csv');
      expect(seen!.header('accept')).toBe('application/json');
      expect(seen!.header('x-amzn-sagemaker-target-variant')).toBe('blue');
      expect(seen!.header('x-amzn-sagemaker-inference-id')).toBeUndefined();
      // Names the request does not carry are absent, whatever an object's prototype holds.
      expect(seen!.header('constructor')).toBeUndefined();
      expect(seen!.header('toString')).toBeUndefined();
      expect(new TextDecoder().decode(seen!.body as Uint8Array)).toBe('1,2');
    }
  });
});
