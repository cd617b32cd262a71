import { type HttpHandler, type HttpHandlerOptions, type HttpRequest, HttpResponse } from '@smithy/core/protocols';
import type { InvokeEndpoint, InvokeEndpointCall } from './invoke-endpoint';
import { type GatewayAnswer, sagemakerError } from './sagemaker-errors';

const INVOCATIONS = /^\/endpoints\/([^/]+)\/invocations$/;
const utf8 = new TextEncoder();

/**
 * The SageMaker runtime client's `requestHandler` for a gateway in the same
 * process: the SDK still builds, signs and parses InvokeEndpoint exactly as on
 * AWS (same path, headers and body; SageMaker's error shape back, so the same
 * typed exceptions), and this hands the built request to the gateway's
 * InvokeEndpoint function instead of a socket. No fetch Request/Response is
 * built on the way: that alone measured at ~0.5 ms a call, more than the HTTP
 * hop it replaces (bench/tools/invoke-overhead.ts).
 */
export class InProcessGatewayHandler implements HttpHandler {
  readonly metadata = { handlerProtocol: 'in-process' };

  /** `invoke` is looked up per call, so a handler can be made before the gateway it reaches. */
  constructor(private readonly invoke: () => InvokeEndpoint) {}

  async handle(request: HttpRequest, options?: HttpHandlerOptions): Promise<{ response: HttpResponse }> {
    if (options?.abortSignal?.aborted) throw abortError();
    const answer = await this.answer(request);
    // Lower-case names, as Node's HTTP client hands them to the SDK.
    return { response: new HttpResponse({ statusCode: answer.status, headers: lowerCaseNames(answer.headers), body: answer.body }) };
  }

  private answer(request: HttpRequest): Promise<GatewayAnswer> {
    const match = request.method === 'POST' ? INVOCATIONS.exec(request.path) : null;
    if (!match)
      return Promise.resolve(
        sagemakerError(
          'ValidationError',
          `${request.method} ${request.path} is not supported by the in-process scoring gateway; use InvokeEndpoint.`,
          'in-process',
        ),
      );
    return this.invoke()(new InProcessCall(decodeURIComponent(match[1]), lowerCaseNames(request.headers), bodyBytes(request.body)));
  }

  updateHttpClientConfig(): void {
    // Nothing to configure: there is no connection.
  }

  httpHandlerConfigs(): Record<string, never> {
    return {};
  }

  destroy(): void {
    // Nothing held.
  }
}

/** One call as the gateway reads it: a class, so no closure is made per call for `header`. */
class InProcessCall implements InvokeEndpointCall {
  constructor(
    readonly endpointName: string,
    private readonly headers: Readonly<Record<string, string>>,
    readonly body: Uint8Array,
  ) {}

  header(name: string): string | undefined {
    return Object.hasOwn(this.headers, name) ? this.headers[name] : undefined;
  }
}

// The SDK's header names keep their case (Content-Type, X-Amzn-SageMaker-…) and are the same few on every call:
// each is lower-cased once, not on every call. Bounded, so odd names (custom attributes) cannot grow it without end.
const lowerCased = new Map<string, string>();
const MAX_REMEMBERED_NAMES = 256;

function lowerCaseNames(headers: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name in headers) {
    if (!Object.hasOwn(headers, name)) continue;
    let lower = lowerCased.get(name);
    if (lower === undefined) {
      lower = name.toLowerCase();
      if (lowerCased.size < MAX_REMEMBERED_NAMES) lowerCased.set(name, lower);
    }
    out[lower] = headers[name];
  }
  return out;
}

function bodyBytes(body: unknown): Uint8Array {
  if (body === undefined || body === null) return new Uint8Array();
  if (body instanceof Uint8Array) return body;
  if (typeof body === 'string') return utf8.encode(body);
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  // InvokeEndpoint's Body is a blob the SDK passes through as given: a stream cannot be replayed here.
  throw new TypeError('the in-process scoring gateway takes a Uint8Array or string body, not a stream');
}

function abortError(): Error {
  const error = new Error('Request aborted');
  error.name = 'AbortError';
  return error;
}
