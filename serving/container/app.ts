import { availableParallelism } from 'node:os';
import { Hono } from 'hono';
import { BATCH_TRANSFORM_ACCEPT, MAX_TRANSFORM_PAYLOAD_MB } from '../../core/batch/batch-transform';
import type { Log } from '../../core/ports/log';
import { CsvFormatError } from '../../core/tabular/csv-rows';
import { answerTransformRequest } from '../batch/transform-answer';
import { readRequestBody, RequestBodyTooLarge } from '../http/request-body';
import { MAX_PAYLOAD_BYTES } from '../payloads/read-input-rows';
import type { LoadedModel } from '../runtimes/model-runtime';
import { InvalidModelInput, ModelInvocationError, PayloadTooLarge } from '../runtimes/runtime-errors';
import type { TabularModel } from '../runtimes/tabular-model';

/** A partition is one transform request: up to SageMaker's MaxPayloadInMB ceiling. */
const MAX_BATCH_PAYLOAD_BYTES = MAX_TRANSFORM_PAYLOAD_MB * 1024 * 1024;

export interface ContainerBatchMode {
  /** The loaded model's rows interface (ServedModel.model). */
  readonly model: TabularModel;
  /** Columns copied into every output and rejected row: the transform job's STEWARD_BATCH_PASSTHROUGH. */
  readonly passthrough: readonly string[];
}

/**
 * SageMaker's serving-container contract over one loaded model:
 * - `GET /ping` → 200 once the model is loaded (SageMaker's health check);
 * - `POST /invocations` → the model's answer, or the runtime's status with a
 *   plain-text message, which SageMaker relays to the caller as ModelError
 *   (OriginalStatusCode, OriginalMessage);
 * - `GET /execution-parameters` → batch transform tuning, so transform jobs
 *   send multi-record batches.
 * - batch mode: a request with `Accept: application/vnd.steward.batch+json`
 *   (what batch-score's transforms set, TransformOutput.Accept) carries a
 *   whole partition CSV with its header; it is scored by the batch engine and
 *   answered with every row's fate (serving/batch/transform-answer.ts): a row
 *   the schema or the model refuses is reported by number, field and problem
 *   instead of failing the request. Only what makes the whole CSV unusable
 *   (no model input or passthrough column in the header, unreadable CSV) is
 *   a 400, which fails the transform job.
 */
export function createContainerApp(deps: { model: LoadedModel; log: Log; batch?: ContainerBatchMode }): Hono {
  const { model, log } = deps;
  const app = new Hono();

  app.get('/ping', (c) => c.body(null, 200));

  app.get('/execution-parameters', (c) =>
    c.json({ MaxConcurrentTransforms: availableParallelism(), BatchStrategy: 'MULTI_RECORD', MaxPayloadInMB: MAX_PAYLOAD_BYTES / 2 ** 20 }),
  );

  app.post('/invocations', async (c) => {
    if (c.req.header('accept')?.startsWith(BATCH_TRANSFORM_ACCEPT)) {
      const batch = deps.batch;
      if (!batch) return plain(406, `this container has no batch mode for ${BATCH_TRANSFORM_ACCEPT}`);
      try {
        const body = await readRequestBody(c, MAX_BATCH_PAYLOAD_BYTES);
        const answer = await answerTransformRequest(batch.model, body, batch.passthrough);
        return new Response(answer, { status: 200, headers: { 'Content-Type': BATCH_TRANSFORM_ACCEPT } });
      } catch (error) {
        if (error instanceof RequestBodyTooLarge) return plain(413, `a batch request holds at most ${MAX_TRANSFORM_PAYLOAD_MB} MB; split the partition`);
        if (error instanceof InvalidModelInput || error instanceof CsvFormatError) {
          log.warn('batch request refused', { error: error.message });
          return plain(400, error.message);
        }
        log.error('batch request failed', { error: (error as Error).message, stack: (error as Error).stack });
        return plain(500, 'internal error while scoring');
      }
    }
    try {
      const body = await readRequestBody(c, MAX_PAYLOAD_BYTES).catch((error: unknown) => {
        throw error instanceof RequestBodyTooLarge
          ? new PayloadTooLarge(Number(c.req.header('content-length') ?? MAX_PAYLOAD_BYTES + 1), MAX_PAYLOAD_BYTES)
          : error;
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

function plain(status: number, message: string): Response {
  return new Response(message, { status, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
}
