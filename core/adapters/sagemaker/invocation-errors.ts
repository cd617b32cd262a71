import { EndpointMissing, ModelFailed, ModelRefusedInput } from '../../ports/endpoint-invoker';

/**
 * What an InvokeEndpoint error says, in SageMaker runtime's terms: the error
 * type (`x-amzn-ErrorType`, the SDK's exception name) and the members of its
 * JSON body. The SDK adapter reads them from the SDK's typed exception, the
 * hosted gateway's adapter from the gateway's answer: one mapping to the port's
 * errors serves both, so they cannot drift apart.
 */
export interface RuntimeErrorFields {
  readonly name: string;
  readonly message: string;
  readonly OriginalStatusCode?: number;
  readonly OriginalMessage?: string;
  readonly LogStreamArn?: string;
}

/** The port's error for a failed InvokeEndpoint. The variant of a model error is read from the log stream SageMaker names (`…:log-stream:<variant>/<instance>`). */
export function invocationError(endpointName: string, e: RuntimeErrorFields, cause: unknown): Error {
  if (e.name === 'ValidationError' && /not found/i.test(e.message) && /endpoint/i.test(e.message) && !/variant/i.test(e.message)) {
    return new EndpointMissing(endpointName, { cause });
  }
  if (e.name === 'ModelError') {
    const variant = /log-stream:([^/]+)\//.exec(e.LogStreamArn ?? '')?.[1];
    const status = e.OriginalStatusCode ?? 500;
    if (status >= 400 && status < 500) return new ModelRefusedInput(e.OriginalMessage ?? e.message, variant, { cause });
    return new ModelFailed(e.OriginalMessage ?? e.message, variant, { cause });
  }
  if (e.name === 'ValidationError') return new ModelRefusedInput(e.message, undefined, { cause });
  return new ModelFailed(`${e.name}: ${e.message}`, undefined, { cause });
}
