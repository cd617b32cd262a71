import { randomUUID } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { readRequestBody, RequestBodyTooLarge } from '../http/request-body';
import { endpointConfigSchema, endpointNameSchema, type EndpointRecord } from './endpoint-registry';
import { createInvokeEndpoint, DEFAULT_MAX_PAYLOAD, type GatewayDeps, type InvokeEndpoint } from './invoke-endpoint';
import { answerResponse, sagemakerErrorResponse } from './sagemaker-errors';

export type { GatewayDeps, ShadowCapture } from './invoke-endpoint';

/**
 * The local scoring gateway: speaks SageMaker runtime's InvokeEndpoint REST
 * protocol, so `SageMakerRuntimeClient` pointed at it (client option
 * `endpoint`) works unchanged, and serves endpoints from an EndpointRegistry
 * with the same model runtimes as the serving container.
 *
 * - `GET /ping`: health.
 * - `POST /endpoints/{EndpointName}/invocations`: InvokeEndpoint. Reads
 *   Content-Type, Accept, X-Amzn-SageMaker-Target-Variant,
 *   -Custom-Attributes and -Inference-Id; answers the model's body and
 *   Content-Type with x-Amzn-Invoked-Production-Variant, or SageMaker's error
 *   shape (ValidationError, ModelError).
 * - `PUT|GET|DELETE /local/endpoints/{name}`, `GET /local/endpoints`: the local
 *   stand-in for CreateEndpoint/DescribeEndpoint/DeleteEndpoint. Not part of
 *   SageMaker's runtime API; the deploy pipeline and tests use it.
 *
 * Signatures are not checked: like the other stand-ins it listens on loopback
 * only, and tenant isolation is the platform's job (see test/isolation).
 */
export function createGatewayApp(deps: GatewayDeps, invokeEndpoint: InvokeEndpoint = createInvokeEndpoint(deps)): Hono {
  const accountId = deps.accountId ?? '000000000000';
  const region = deps.region ?? 'us-east-1';
  const maxPayloadBytes = deps.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD;
  const now = deps.now ?? (() => new Date());
  const { registry, models, log } = deps;
  const app = new Hono();

  app.get('/ping', async (c) => c.json({ status: 'ok', endpoints: (await registry.list()).length }));

  app.post('/endpoints/:endpointName/invocations', async (c) => {
    // Past the limit the body is not read at all; the core still answers "unknown endpoint" first, as before.
    const declaredLength = Number(c.req.header('content-length') ?? 0);
    let body: Uint8Array | 'too-large' = 'too-large';
    if (declaredLength <= maxPayloadBytes) {
      try {
        body = await readRequestBody(c, maxPayloadBytes);
      } catch (error) {
        if (!(error instanceof RequestBodyTooLarge)) throw error;
      }
    }
    return answerResponse(await invokeEndpoint({ endpointName: c.req.param('endpointName'), header: (name) => c.req.header(name), body }));
  });

  for (const operation of ['async-invocations', 'invocations-response-stream']) {
    app.post(`/endpoints/:endpointName/${operation}`, () =>
      sagemakerErrorResponse('ValidationError', `${operation} is not supported by the local scoring gateway; use InvokeEndpoint.`, randomUUID()),
    );
  }

  app.get('/local/endpoints', async (c) => c.json({ endpoints: (await registry.list()).map((r) => describeEndpoint(r, region, accountId)) }));

  app.get('/local/endpoints/:name', async (c) => {
    const record = await registry.get(c.req.param('name'));
    return record
      ? c.json(describeEndpoint(record, region, accountId))
      : problem(c, 404, 'not-found', 'Not found', `endpoint '${c.req.param('name')}' is not registered`);
  });

  app.put('/local/endpoints/:name', async (c) => {
    const name = c.req.param('name');
    const nameCheck = endpointNameSchema.safeParse(name);
    if (!nameCheck.success)
      return problem(c, 400, 'validation-failed', 'Invalid request', 'invalid endpoint name', [
        { field: 'path.name', problem: nameCheck.error.issues[0].message },
      ]);
    let json: unknown;
    try {
      json = await c.req.json();
    } catch {
      return problem(c, 400, 'malformed-request', 'Malformed request', 'the request body is not valid JSON', [{ field: 'body', problem: 'malformed JSON' }]);
    }
    const parsed = endpointConfigSchema.safeParse(json);
    if (!parsed.success) {
      const fields = parsed.error.issues.map((i) => ({ field: ['body', ...i.path.map(String)].join('.'), problem: i.message }));
      return problem(c, 400, 'validation-failed', 'Invalid request', 'invalid endpoint configuration', fields);
    }
    // Load every model before the endpoint goes live, the way SageMaker's
    // endpoint creation fails on a bad model rather than the first request.
    const config = parsed.data;
    const variants = [
      ...config.productionVariants.map((v, i) => ({ v, field: `body.productionVariants.${i}.model.artifactUri` })),
      ...config.shadowVariants.map((v, i) => ({ v, field: `body.shadowVariants.${i}.model.artifactUri` })),
    ];
    const failures = (
      await Promise.all(
        variants.map(({ v, field }) =>
          models.reload(v.model).then(
            () => undefined,
            (error: Error) => ({ field, problem: error.message }),
          ),
        ),
      )
    ).filter((f): f is { field: string; problem: string } => f !== undefined);
    if (failures.length) {
      await retainReferenced();
      return problem(
        c,
        422,
        'invalid-model-artifact',
        'Model cannot be loaded',
        `endpoint '${name}' was not registered: ${failures.map((f) => f.problem).join('; ')}`,
        failures,
      );
    }
    const { record, created } = await registry.put(name, config, now());
    await retainReferenced();
    log.info(created ? 'endpoint created' : 'endpoint updated', {
      endpointName: name,
      variants: variants.map(({ v }) => v.variantName),
      tenant: config.tags.TenantId,
    });
    return c.json(describeEndpoint(record, region, accountId), created ? 201 : 200);
  });

  app.delete('/local/endpoints/:name', async (c) => {
    const name = c.req.param('name');
    if (!(await registry.delete(name))) return problem(c, 404, 'not-found', 'Not found', `endpoint '${name}' is not registered`);
    await retainReferenced();
    log.info('endpoint deleted', { endpointName: name });
    return c.body(null, 204);
  });

  app.notFound((c) => c.json({ message: `no such operation: ${c.req.method} ${c.req.path}` }, 404, { 'x-amzn-ErrorType': 'UnknownOperationException' }));

  app.onError((error, c) => {
    const requestId = randomUUID();
    log.error('gateway request failed', { requestId, path: c.req.path, error: error.message, stack: error.stack });
    if (c.req.path.startsWith('/endpoints/')) return sagemakerErrorResponse('InternalFailure', `An internal error occurred (request ${requestId}).`, requestId);
    return problem(c, 500, 'internal', 'Internal error', `an unexpected error occurred; quote request id ${requestId}`);
  });

  async function retainReferenced(): Promise<void> {
    const all = await registry.list();
    models.retainOnly(all.flatMap((r) => [...r.productionVariants, ...r.shadowVariants].map((v) => v.model)));
  }

  return app;
}

/** The registration as DescribeEndpoint would show it. */
function describeEndpoint(record: EndpointRecord, region: string, accountId: string) {
  return {
    endpointName: record.endpointName,
    endpointArn: `arn:aws:sagemaker:${region}:${accountId}:endpoint/${record.endpointName.toLowerCase()}`,
    endpointStatus: 'InService' as const,
    productionVariants: record.productionVariants,
    shadowVariants: record.shadowVariants,
    tags: record.tags,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}

interface InvalidField {
  readonly field: string;
  readonly problem: string;
}

/** RFC 9457 problem details, the same shape as the Steward API's errors. */
function problem(c: Context, status: 400 | 404 | 422 | 500, code: string, title: string, detail: string, invalidFields?: InvalidField[]): Response {
  return c.body(JSON.stringify({ type: `urn:steward:problem:${code}`, title, status, detail, ...(invalidFields ? { invalidFields } : {}) }), status, {
    'content-type': 'application/problem+json',
  });
}
