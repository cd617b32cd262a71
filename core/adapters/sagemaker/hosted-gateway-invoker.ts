import type { EndpointInvoker, InvocationAnswer, InvocationRequest } from '../../ports/endpoint-invoker';
import type { InvokeEndpoint, InvokeEndpointCall } from '../../../serving/gateway/invoke-endpoint';
import type { GatewayAnswer } from '../../../serving/gateway/sagemaker-errors';
import { invocationError, type RuntimeErrorFields } from './invocation-errors';

/**
 * InvokeEndpoint handed straight to the scoring gateway this process hosts
 * (STEWARD_SCORING_TRANSPORT=direct, the local default), as the embedded SQLite
 * store sits behind the same port as DynamoDB. The same gateway function the
 * HTTP route and the SDK's in-process handler call (same endpoints, variant
 * choice, schema validation, shadows and capture), given the four
 * InvokeEndpoint headers it reads, without the SDK's signing, middleware
 * stack and (de)serialisation: that was a third of the API's CPU per scoring
 * request (bench/README.md). Its answer is SageMaker's wire shape, and an
 * error maps to the port's exactly as the SDK adapter maps the SDK's typed
 * exception (invocation-errors.ts; test/integration/serving/endpoint-invokers.test.ts
 * holds both to the same outcomes).
 *
 * Unlike the SDK client, a gateway InternalFailure is not retried: it is an
 * exception in this process's own code, which a second identical call repeats.
 */
export class HostedGatewayInvoker implements EndpointInvoker {
  /** `gateway` is looked up per call, so the invoker can be made before the gateway it reaches. */
  constructor(private readonly gateway: () => InvokeEndpoint) {}

  async invoke(request: InvocationRequest): Promise<InvocationAnswer> {
    let answer: GatewayAnswer;
    try {
      answer = await this.gateway()(new DirectCall(request));
    } catch (error) {
      // The gateway answers every failure itself; reaching here is a fault of the wiring, as a failed send is for the SDK.
      const e = error instanceof Error ? error : new Error(String(error));
      throw invocationError(request.endpointName, e, error);
    }
    if (answer.status >= 200 && answer.status < 300) {
      const contentType = header(answer, 'content-type') ?? 'application/json';
      const variant = header(answer, 'x-amzn-invoked-production-variant') ?? 'unknown';
      if (!answer.predictions) return { body: answer.body, contentType, variant };
      // The runtime's predictions as they are; the body is written only if a caller reads it.
      return new DirectAnswer(answer, contentType, variant, answer.predictions);
    }
    const fields = errorFields(answer);
    throw invocationError(request.endpointName, fields, new GatewayRefused(answer.status, fields, header(answer, 'x-amzn-requestid')));
  }
}

/**
 * A success whose body is the gateway's, written only when read. A class, not
 * an object literal with a `get body()`: V8 builds such a literal through its
 * runtime, as a dictionary object with a fresh getter, on every call.
 */
class DirectAnswer implements InvocationAnswer {
  readonly #answer: GatewayAnswer;

  constructor(
    answer: GatewayAnswer,
    readonly contentType: string,
    readonly variant: string,
    readonly predictions: readonly Readonly<Record<string, unknown>>[],
  ) {
    this.#answer = answer;
  }

  get body(): Uint8Array {
    return this.#answer.body;
  }
}

/** The gateway's error answer, kept as the `cause` of the port's error (what the SDK's exception is for the SDK adapter). */
export class GatewayRefused extends Error {
  constructor(
    readonly status: number,
    readonly fields: RuntimeErrorFields,
    readonly requestId: string | undefined,
  ) {
    super(`${fields.name} (${status}): ${fields.message}`);
    this.name = new.target.name;
  }
}

/** The call as the gateway reads it: the headers the SDK would have sent for these members (empty ones are not sent). */
class DirectCall implements InvokeEndpointCall {
  readonly endpointName: string;
  readonly body: Uint8Array;

  constructor(private readonly request: InvocationRequest) {
    this.endpointName = request.endpointName;
    this.body = request.body;
  }

  header(name: string): string | undefined {
    switch (name) {
      case 'content-type':
        return this.request.contentType || undefined;
      case 'accept':
        return this.request.accept || undefined;
      case 'x-amzn-sagemaker-target-variant':
        return this.request.targetVariant || undefined;
      case 'x-amzn-sagemaker-inference-id':
        return this.request.inferenceId || undefined;
      default:
        return undefined;
    }
  }
}

/** A header of the answer by its lower-case name (HTTP names are case-insensitive; the gateway writes SageMaker's casing). */
function header(answer: GatewayAnswer, lowerName: string): string | undefined {
  const { headers } = answer;
  for (const name in headers) {
    if (name.length === lowerName.length && name.toLowerCase() === lowerName) return headers[name];
  }
  return undefined;
}

/**
 * The error as the SDK's restJson1 deserializer reads it: the type from `x-amzn-ErrorType`
 * (before any `:`, after any `#`), the members from the JSON body.
 */
function errorFields(answer: GatewayAnswer): RuntimeErrorFields {
  let type = header(answer, 'x-amzn-errortype') ?? '';
  if (type.includes(':')) type = type.slice(0, type.indexOf(':'));
  if (type.includes('#')) type = type.slice(type.indexOf('#') + 1);
  let body: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(new TextDecoder().decode(answer.body));
    if (parsed && typeof parsed === 'object') body = parsed as Record<string, unknown>;
  } catch {
    // Not JSON: the type and status still say what failed.
  }
  const message = typeof body.Message === 'string' ? body.Message : typeof body.message === 'string' ? body.message : 'UnknownError';
  return {
    name: type || 'UnknownError',
    message,
    ...(typeof body.OriginalStatusCode === 'number' ? { OriginalStatusCode: body.OriginalStatusCode } : {}),
    ...(typeof body.OriginalMessage === 'string' ? { OriginalMessage: body.OriginalMessage } : {}),
    ...(typeof body.LogStreamArn === 'string' ? { LogStreamArn: body.LogStreamArn } : {}),
  };
}
