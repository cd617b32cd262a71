import { InvokeEndpointCommand, type SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { EndpointMissing, type EndpointInvoker, type InvocationAnswer, type InvocationRequest, ModelFailed, ModelRefusedInput } from '../../ports/endpoint-invoker';

/**
 * InvokeEndpoint through @aws-sdk/client-sagemaker-runtime: SageMaker on AWS,
 * the local scoring gateway (same protocol) locally. The variant of a failed
 * call is read from the log stream SageMaker names (`…:log-stream:<variant>/<instance>`).
 */
export class RuntimeEndpointInvoker implements EndpointInvoker {
  constructor(private readonly client: SageMakerRuntimeClient) {}

  async invoke(request: InvocationRequest): Promise<InvocationAnswer> {
    try {
      const out = await this.client.send(
        new InvokeEndpointCommand({
          EndpointName: request.endpointName,
          Body: request.body,
          ContentType: request.contentType,
          ...(request.accept ? { Accept: request.accept } : {}),
          ...(request.targetVariant ? { TargetVariant: request.targetVariant } : {}),
          ...(request.inferenceId ? { InferenceId: request.inferenceId } : {}),
        }),
      );
      return { body: out.Body ?? new Uint8Array(), contentType: out.ContentType ?? 'application/json', variant: out.InvokedProductionVariant ?? 'unknown' };
    } catch (error) {
      const e = error as Error & { OriginalStatusCode?: number; OriginalMessage?: string; LogStreamArn?: string };
      if (e.name === 'ValidationError' && /not found/i.test(e.message) && /endpoint/i.test(e.message) && !/variant/i.test(e.message)) {
        throw new EndpointMissing(request.endpointName, { cause: error });
      }
      if (e.name === 'ModelError') {
        const variant = /log-stream:([^/]+)\//.exec(e.LogStreamArn ?? '')?.[1];
        const status = e.OriginalStatusCode ?? 500;
        if (status >= 400 && status < 500) throw new ModelRefusedInput(e.OriginalMessage ?? e.message, variant, { cause: error });
        throw new ModelFailed(e.OriginalMessage ?? e.message, variant, { cause: error });
      }
      if (e.name === 'ValidationError') throw new ModelRefusedInput(e.message, undefined, { cause: error });
      throw new ModelFailed(`${e.name}: ${e.message}`, undefined, { cause: error });
    }
  }
}
