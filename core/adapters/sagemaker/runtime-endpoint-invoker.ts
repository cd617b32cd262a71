import { InvokeEndpointCommand, type SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import type { EndpointInvoker, InvocationAnswer, InvocationRequest } from '../../ports/endpoint-invoker';
import { invocationError, type RuntimeErrorFields } from './invocation-errors';

/**
 * InvokeEndpoint through @aws-sdk/client-sagemaker-runtime: SageMaker on AWS,
 * and the local scoring gateway (same protocol) when STEWARD_SCORING_TRANSPORT
 * is `in-process` or `http`. Errors map to the port's as in invocation-errors.ts.
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
      throw invocationError(request.endpointName, error as Error & Omit<RuntimeErrorFields, 'name' | 'message'>, error);
    }
  }
}
