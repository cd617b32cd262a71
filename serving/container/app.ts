import { availableParallelism } from 'node:os';
import { Hono } from 'hono';
import type { Log } from '../../core/ports/log';
import { readRequestBody, RequestBodyTooLarge } from '../http/request-body';
import { MAX_PAYLOAD_BYTES } from '../payloads/read-input-rows';
import type { LoadedModel } from '../runtimes/model-runtime';
import { ModelInvocationError, PayloadTooLarge } from '../runtimes/runtime-errors';

/**
 * SageMaker's serving-container contract over one loaded model:
 * - `GET /ping` → 200 once the model is loaded (SageMaker's health check);
 * - `POST /invocations` → the model's answer, or the runtime's status with a
 *   plain-text message, which SageMaker relays to the caller as ModelError
 *   (OriginalStatusCode, OriginalMessage);
 * - `GET /execution-parameters` → batch transform tuning, so transform jobs
 *   send multi-record batches.
 */
export function createContainerApp(deps: { model: LoadedModel; log: Log }): Hono {
  const { model, log } = deps;
  const app = new Hono();

  app.get('/ping', (c) => c.body(null, 200));

  app.get('/execution-parameters', (c) =>
    c.json({ MaxConcurrentTransforms: availableParallelism(), BatchStrategy: 'MULTI_RECORD', MaxPayloadInMB: MAX_PAYLOAD_BYTES / 2 ** 20 }),
  );

  app.post('/invocations', async (c) => {
    try {
      const body = await readRequestBody(c, MAX_PAYLOAD_BYTES).catch((error: unknown) => {
        throw error instanceof RequestBodyTooLarge ? new PayloadTooLarge(Number(c.req.header('content-length') ?? MAX_PAYLOAD_BYTES + 1), MAX_PAYLOAD_BYTES) : error;
      });
      const result = await model.invoke(body, c.req.header('content-type'), c.req.header('accept'));
      const headers: Record<string, string> = { 'Content-Type': result.contentType };
      if (result.customAttributes) headers['X-Amzn-SageMaker-Custom-Attributes'] = result.customAttributes;
      return new Response(result.body.slice(), { status: 200, headers });
    } catch (error) {
      if (error instanceof ModelInvocationError) {
        log.warn('invocation refused', { status: error.status, error: error.message });
        return new Response(error.message, { status: error.status, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
      }
      log.error('invocation failed', { error: (error as Error).message, stack: (error as Error).stack });
      return new Response('internal error while scoring', { status: 500, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
    }
  });

  return app;
}
