import { randomUUID } from 'node:crypto';
import { type Log, logsInfo } from '../../core/ports/log';
import type { InvocationResult } from '../runtimes/model-runtime';
import { ModelInvocationError } from '../runtimes/runtime-errors';
import type { Prediction } from '../runtimes/tabular-model';
import type { EndpointRegistry, ModelReference, ProductionVariant } from './endpoint-registry';
import type { ModelCache } from './model-cache';
import { type GatewayAnswer, modelErrorMessage, sagemakerError } from './sagemaker-errors';
import { chooseShadows, chooseVariant, UnknownTargetVariant } from './variant-selection';

export interface GatewayDeps {
  readonly registry: EndpointRegistry;
  readonly models: ModelCache;
  readonly log: Log;
  /** Named in error messages and ARNs, as SageMaker names the caller's account. @default '000000000000' */
  readonly accountId?: string;
  /** @default 'us-east-1' */
  readonly region?: string;
  /** SageMaker real-time inference refuses larger bodies. @default 6 MiB */
  readonly maxPayloadBytes?: number;
  readonly random?: () => number;
  readonly now?: () => Date;
  /** Writes one captured shadow invocation under the endpoint's captureUri (SageMaker data capture); absent: shadows are only logged. */
  readonly capture?: (record: ShadowCapture) => Promise<void>;
}

export interface ShadowCapture {
  readonly captureUri: string;
  readonly endpointName: string;
  readonly variant: string;
  readonly requestId: string;
  readonly inferenceId?: string;
  readonly at: string;
  readonly input: { readonly contentType: string; readonly body: Uint8Array };
  readonly output: { readonly contentType: string; readonly body: Uint8Array } | { readonly error: string; readonly status: number };
}

/** One InvokeEndpoint call as it arrived, whatever carried it. */
export interface InvokeEndpointCall {
  readonly endpointName: string;
  /** A request header by its lower-case name. */
  header(name: string): string | undefined;
  /** The body, or `'too-large'` when the transport stopped reading it past {@link GatewayDeps.maxPayloadBytes}. */
  readonly body: Uint8Array | 'too-large';
}

export type InvokeEndpoint = (call: InvokeEndpointCall) => Promise<GatewayAnswer>;

export const DEFAULT_MAX_PAYLOAD = 6 * 1024 * 1024;

/**
 * The gateway's InvokeEndpoint as a plain function (endpoint name, headers,
 * body → status, headers, body), so the HTTP route (app.ts) and the SDK's
 * in-process request handler (in-process-handler.ts) answer alike: the same
 * variant choice, shadows and capture, and SageMaker's error shape
 * (ValidationError, ModelError, InternalFailure) for every failure; it never
 * throws.
 */
export function createInvokeEndpoint(deps: GatewayDeps): InvokeEndpoint {
  const accountId = deps.accountId ?? '000000000000';
  const region = deps.region ?? 'us-east-1';
  const maxPayloadBytes = deps.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD;
  const random = deps.random ?? Math.random;
  const now = deps.now ?? (() => new Date());
  const { registry, models, log } = deps;

  async function invokeModel(model: ModelReference, body: Uint8Array, contentType: string | undefined, accept: string | undefined) {
    try {
      const loaded = await models.get(model);
      return { ok: true as const, result: await loaded.invoke(body, contentType, accept) };
    } catch (error) {
      if (error instanceof ModelInvocationError) return { ok: false as const, status: error.status, message: error.message };
      // A model that cannot load or crashes is, to the caller, a container answering 500.
      log.error('model failed', { artifactUri: model.artifactUri, error: (error as Error).message, stack: (error as Error).stack });
      return { ok: false as const, status: 500, message: (error as Error).message };
    }
  }

  async function invoke(call: InvokeEndpointCall, requestId: string): Promise<GatewayAnswer> {
    const started = performance.now();
    const { endpointName } = call;
    const endpoint = await registry.get(endpointName);
    if (!endpoint) return sagemakerError('ValidationError', `Endpoint ${endpointName} of account ${accountId} not found.`, requestId);
    const body = call.body;
    if (body === 'too-large' || body.byteLength > maxPayloadBytes) {
      return sagemakerError('ValidationError', `Request body exceeds the ${maxPayloadBytes} byte limit of real-time inference.`, requestId);
    }

    let variant: ProductionVariant;
    try {
      variant = chooseVariant(endpoint, call.header('x-amzn-sagemaker-target-variant'), random);
    } catch (error) {
      if (error instanceof UnknownTargetVariant) return sagemakerError('ValidationError', `${error.message} of account ${accountId}.`, requestId);
      throw error;
    }
    const contentType = call.header('content-type');
    const accept = call.header('accept');
    const context = {
      requestId,
      endpointName,
      variant: variant.variantName,
      inferenceId: call.header('x-amzn-sagemaker-inference-id'),
      tenant: endpoint.tags.TenantId,
    };

    const outcome = await invokeModel(variant.model, body, contentType, accept);
    for (const shadow of chooseShadows(endpoint, random)) {
      void invokeModel(shadow.model, body, contentType, accept).then(async (shadowOutcome) => {
        log.info('shadow invocation', { ...context, shadowVariant: shadow.variantName, status: shadowOutcome.ok ? 200 : shadowOutcome.status });
        if (endpoint.captureUri && deps.capture) {
          await deps
            .capture({
              captureUri: endpoint.captureUri,
              endpointName,
              variant: shadow.variantName,
              requestId,
              inferenceId: context.inferenceId,
              at: now().toISOString(),
              input: { contentType: contentType ?? 'application/json', body },
              output: shadowOutcome.ok
                ? { contentType: shadowOutcome.result.contentType, body: shadowOutcome.result.body }
                : { error: shadowOutcome.message, status: shadowOutcome.status },
            })
            .catch((error: Error) => log.warn('shadow capture failed', { ...context, error: error.message }));
        }
      });
    }
    const durationMs = Math.round((performance.now() - started) * 100) / 100;
    if (!outcome.ok) {
      log.warn('model error', { ...context, originalStatusCode: outcome.status, originalMessage: outcome.message, durationMs });
      return sagemakerError('ModelError', modelErrorMessage(outcome.status, outcome.message, endpointName, accountId), requestId, {
        originalStatusCode: outcome.status,
        originalMessage: outcome.message,
        // SageMaker names a variant's streams `<variant>/<instance>`: callers learn which variant failed from it.
        logStreamArn: `arn:aws:logs:${region}:${accountId}:log-group:/aws/sagemaker/Endpoints/${endpointName}:log-stream:${variant.variantName}/local`,
      });
    }
    if (logsInfo(log)) log.info('invocation', { ...context, status: 200, durationMs });
    const headers: Record<string, string> = {
      'Content-Type': outcome.result.contentType,
      'x-Amzn-Invoked-Production-Variant': variant.variantName,
      'x-amzn-RequestId': requestId,
    };
    const { result } = outcome;
    if (result.customAttributes) headers['X-Amzn-SageMaker-Custom-Attributes'] = result.customAttributes;
    if (!result.predictions) return { status: 200, headers, body: result.body };
    // The body stays unwritten until a transport reads it: the hosted gateway's adapter takes the predictions instead.
    return new PredictionsAnswer(headers, result, result.predictions);
  }

  return async (call) => {
    const requestId = randomUUID();
    try {
      return await invoke(call, requestId);
    } catch (error) {
      log.error('gateway request failed', { requestId, endpointName: call.endpointName, error: (error as Error).message, stack: (error as Error).stack });
      return sagemakerError('InternalFailure', `An internal error occurred (request ${requestId}).`, requestId);
    }
  };
}

/**
 * A 200 whose body the runtime writes only when a transport reads it. A class,
 * not an object literal with a `get body()`: V8 builds such a literal through
 * its runtime, as a dictionary object with a fresh getter, on every call.
 */
class PredictionsAnswer implements GatewayAnswer {
  readonly status = 200;
  readonly #result: InvocationResult;

  constructor(
    readonly headers: Readonly<Record<string, string>>,
    result: InvocationResult,
    readonly predictions: readonly Prediction[],
  ) {
    this.#result = result;
  }

  get body(): Uint8Array {
    return this.#result.body;
  }
}
