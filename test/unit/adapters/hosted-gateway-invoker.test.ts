import { GatewayRefused, HostedGatewayInvoker } from '../../../core/adapters/sagemaker/hosted-gateway-invoker';
import { EndpointMissing, ModelFailed, ModelRefusedInput } from '../../../core/ports/endpoint-invoker';
import type { InvokeEndpointCall } from '../../../serving/gateway/invoke-endpoint';
import { sagemakerError, type GatewayAnswer } from '../../../serving/gateway/sagemaker-errors';

/**
 * The hosted gateway's adapter reading the gateway's answers. That it answers
 * like the SDK adapter over a real gateway is
 * test/integration/serving/endpoint-invokers.test.ts; here, what it hands the
 * gateway and how it reads answers the gateway does not give in those tests.
 */
const body = new TextEncoder().encode('1,2\n');

function invokerAnswering(answer: GatewayAnswer | Error, seen: InvokeEndpointCall[] = []) {
  return new HostedGatewayInvoker(() => async (call) => {
    seen.push(call);
    if (answer instanceof Error) throw answer;
    return answer;
  });
}

describe('HostedGatewayInvoker', () => {
  it('hands the gateway the headers InvokeEndpoint would carry, and none that are empty', async () => {
    const seen: InvokeEndpointCall[] = [];
    const invoker = invokerAnswering({ status: 200, headers: { 'content-type': 'text/csv', 'X-AMZN-INVOKED-PRODUCTION-VARIANT': 'blue' }, body }, seen);
    const answer = await invoker.invoke({ endpointName: 'ep', body, contentType: 'text/csv', accept: 'text/csv', targetVariant: 'blue', inferenceId: 'r-1' });
    expect(answer).toEqual({ body, contentType: 'text/csv', variant: 'blue' });
    const call = seen[0];
    expect([call.endpointName, call.body]).toEqual(['ep', body]);
    expect(['content-type', 'accept', 'x-amzn-sagemaker-target-variant', 'x-amzn-sagemaker-inference-id', 'authorization'].map((h) => call.header(h))).toEqual([
      'text/csv',
      'text/csv',
      'blue',
      'r-1',
      undefined,
    ]);

    await invoker.invoke({ endpointName: 'ep', body, contentType: 'application/json', accept: '', inferenceId: '' });
    expect(['accept', 'x-amzn-sagemaker-target-variant', 'x-amzn-sagemaker-inference-id'].map((h) => seen[1].header(h))).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('reads the error type before a colon and after a hash, as the SDK does, and keeps the answer as the cause', async () => {
    const refused = sagemakerError('ValidationError', 'Endpoint ep of account 1 not found.', 'req-9');
    const hashed = { ...refused, headers: { ...refused.headers, 'x-amzn-ErrorType': 'com.amazon.sagemaker#ValidationError' } };
    for (const answer of [refused, hashed]) {
      const error = await invokerAnswering(answer)
        .invoke({ endpointName: 'ep', body, contentType: 'text/csv' })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(EndpointMissing);
      expect((error as Error).cause).toBeInstanceOf(GatewayRefused);
      expect((error as Error).cause).toMatchObject({ status: 400, requestId: 'req-9', fields: { name: 'ValidationError' } });
    }
  });

  it('maps model errors by the original status, naming the variant from the log stream', async () => {
    const modelError = (originalStatusCode: number) =>
      sagemakerError('ModelError', 'Received … error', 'r', {
        originalStatusCode,
        originalMessage: `row 1, field 'age': not a number`,
        logStreamArn: 'arn:aws:logs:us-east-1:1:log-group:/aws/sagemaker/Endpoints/ep:log-stream:green/local',
      });
    await expect(invokerAnswering(modelError(400)).invoke({ endpointName: 'ep', body, contentType: 'text/csv' })).rejects.toEqual(
      new ModelRefusedInput(`row 1, field 'age': not a number`, 'green'),
    );
    const failed = await invokerAnswering(modelError(500))
      .invoke({ endpointName: 'ep', body, contentType: 'text/csv' })
      .catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(ModelFailed);
    expect(failed).toMatchObject({ variant: 'green' });
  });

  it('answers an internal failure, an answer that is not JSON, and a gateway that throws as ModelFailed', async () => {
    const internal = await invokerAnswering(sagemakerError('InternalFailure', 'An internal error occurred (request r).', 'r'))
      .invoke({ endpointName: 'ep', body, contentType: 'text/csv' })
      .catch((e: unknown) => e);
    expect(internal).toEqual(new ModelFailed('InternalFailure: An internal error occurred (request r).'));
    const garbled = await invokerAnswering({ status: 503, headers: {}, body: new TextEncoder().encode('<html>') })
      .invoke({ endpointName: 'ep', body, contentType: 'text/csv' })
      .catch((e: unknown) => e);
    expect(garbled).toEqual(new ModelFailed('UnknownError: UnknownError'));
    const thrown = await invokerAnswering(new TypeError('gateway is not hosted'))
      .invoke({ endpointName: 'ep', body, contentType: 'text/csv' })
      .catch((e: unknown) => e);
    expect(thrown).toEqual(new ModelFailed('TypeError: gateway is not hosted'));
  });
});
