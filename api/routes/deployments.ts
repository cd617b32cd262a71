import { z } from '@hono/zod-openapi';
import {
  DeploymentSchema,
  ENDPOINT_NAME,
  EndpointName,
  EndpointRecordSchema,
  listEndpoints,
  loadDeployment,
  requireEndpoint,
} from '../../core/deployments/deployment-records';
import { deploymentDeps } from '../../core/deployments/deployment-deps';
import { endpointWithDeployments, rollbackEndpoint, undeployEndpoint } from '../../core/deployments/endpoint-actions';
import { DeployInput, requestDeployment } from '../../core/deployments/request-deployment';
import { liveDeployment } from '../../core/deployments/live-deployments';
import { scoreEndpoint } from '../../core/deployments/score-endpoint';
import { PayloadTooLarge, ValidationFailed } from '../../core/errors';
import { readRequestBody, RequestBodyTooLarge } from '../../serving/http/request-body';
import { invalidFieldsOf } from '../http/problem';
import { body, json, PageQuery, pageOf, problems } from '../schemas/common';
import type { RouteDeps } from './route-deps';

const EndpointParam = z.object({ endpointName: EndpointName });
const DeploymentParam = EndpointParam.extend({ deploymentId: z.string().min(1).max(64) });

/** SageMaker real-time inference's own limit: what scores here scores on AWS. */
export const MAX_SCORING_PAYLOAD_BYTES = 6 * 1024 * 1024;

/**
 * The scoring route's path parameter as the OpenAPI document declares it: the
 * very object `request: { params: EndpointParam }` produced. The route checks
 * the name itself (scoredEndpointName), with the same schema and the same 400:
 * a `params` schema made @hono/zod-openapi add a validator middleware (all
 * params decoded, an async zod parse, one more layer) to every scoring call.
 */
const EndpointNameParameter = { schema: { type: 'string', pattern: ENDPOINT_NAME.source }, required: true, name: 'endpointName', in: 'path' } as const;

/** The endpoint name of a scoring call, validated as the route validator did (ValidationFailed 'invalid param', field `param.endpointName`). */
function scoredEndpointName(value: string | undefined): string {
  // EndpointName is this pattern alone: a name it matches is one the schema accepts, unchanged.
  if (value !== undefined && ENDPOINT_NAME.test(value)) return value;
  const parsed = EndpointParam.safeParse({ endpointName: value });
  if (!parsed.success) throw new ValidationFailed('invalid param', invalidFieldsOf('param', parsed.error.issues));
  return parsed.data.endpointName;
}

const SCORING_PATH = /^\/endpoints\/[^/?]+\/invocations(?:\?|$)/;

/**
 * Whether a request is for the scoring route, which reads its body straight
 * from Node's request itself (readRequestBody): the local server need not
 * prepare hono's body readers for it (infra/local/node-json-body.ts). A
 * scoring call with an Idempotency-Key still reads through hono's own
 * readers, the same bytes.
 */
export function readsItsOwnBody(method: string | undefined, url: string | undefined): boolean {
  return method === 'POST' && url !== undefined && SCORING_PATH.test(url);
}

const ScoringOut = z.object({
  endpointName: z.string(),
  deploymentId: z.string(),
  variant: z.string(),
  modelId: z.string(),
  version: z.number().int(),
  predictions: z.array(z.object({ predictionId: z.string() }).catchall(z.unknown())),
});

/**
 * Deployments and scoring: deploy approved versions to a named endpoint of
 * the tenant (A/B weights, shadow, canary) through the `deploy` pipeline,
 * roll back, undeploy, read what is served, and score.
 */
export function deploymentRoutes({ app, guards, platform }: RouteDeps): void {
  const deps = deploymentDeps(platform);

  app.openapi(
    guards.tenantRoute('deployments:manage', {
      method: 'post',
      path: '/deployments',
      tags: ['deployments'],
      summary: 'Deploy approved versions to an endpoint (weighted variants, shadow, or a canary beside the live ones); 202, then follow the deployment',
      request: body(DeployInput),
      responses: {
        202: json(z.object({ deployment: DeploymentSchema, executionId: z.string().optional() }), 'deployment started'),
        ...problems(400, 401, 403, 404, 409, 429),
      },
    }),
    async (c) => c.json(await requestDeployment(c.get('scope'), deps, c.req.valid('json')), 202),
  );

  app.openapi(
    guards.tenantRoute('deployments:read', {
      method: 'get',
      path: '/endpoints',
      tags: ['deployments'],
      summary: 'The tenant’s endpoints by name',
      request: { query: PageQuery },
      responses: { 200: json(pageOf(EndpointRecordSchema, 'EndpointPage'), 'endpoints'), ...problems(400, 401, 403) },
    }),
    async (c) => {
      const page = await listEndpoints(c.get('scope').table, c.req.valid('query'));
      return c.json({ items: page.items, next: page.cursor }, 200);
    },
  );

  app.openapi(
    guards.tenantRoute('deployments:read', {
      method: 'get',
      path: '/endpoints/{endpointName}',
      tags: ['deployments'],
      summary: 'An endpoint with its deployments, newest first',
      request: { params: EndpointParam },
      responses: {
        200: json(z.object({ endpoint: EndpointRecordSchema, deployments: z.array(DeploymentSchema) }), 'endpoint'),
        ...problems(400, 401, 403, 404),
      },
    }),
    async (c) => c.json(await endpointWithDeployments(c.get('scope'), c.req.valid('param').endpointName), 200),
  );

  app.openapi(
    guards.tenantRoute('deployments:read', {
      method: 'get',
      path: '/endpoints/{endpointName}/deployments/{deploymentId}',
      tags: ['deployments'],
      summary: 'One deployment: status (deploying, live, failed with its reason, superseded, rolled-back, undeployed), variants, canary',
      request: { params: DeploymentParam },
      responses: { 200: json(DeploymentSchema, 'deployment'), ...problems(400, 401, 403, 404) },
    }),
    async (c) => {
      const { endpointName, deploymentId } = c.req.valid('param');
      return c.json(await loadDeployment(c.get('scope').table, endpointName, deploymentId), 200);
    },
  );

  app.openapi(
    guards.tenantRoute('deployments:manage', {
      method: 'post',
      path: '/endpoints/{endpointName}/rollback',
      tags: ['deployments'],
      summary: 'Serve the previous deployment again (its variants, weights and shadow)',
      request: { params: EndpointParam, ...body(z.object({ reason: z.string().min(3).max(1000) })) },
      responses: {
        200: json(z.object({ endpoint: EndpointRecordSchema, live: DeploymentSchema, rolledBack: DeploymentSchema }), 'rolled back'),
        ...problems(400, 401, 403, 404, 409),
      },
    }),
    async (c) => c.json(await rollbackEndpoint(c.get('scope'), deps, c.req.valid('param').endpointName, c.req.valid('json').reason), 200),
  );

  app.openapi(
    guards.tenantRoute('deployments:manage', {
      method: 'delete',
      path: '/endpoints/{endpointName}',
      tags: ['deployments'],
      summary: 'Undeploy: the endpoint stops serving; its versions go back to approved',
      request: { params: EndpointParam },
      responses: { 200: json(EndpointRecordSchema, 'undeployed'), ...problems(400, 401, 403, 404, 409) },
    }),
    async (c) => c.json(await undeployEndpoint(c.get('scope'), deps, c.req.valid('param').endpointName), 200),
  );

  app.openapi(
    guards.tenantRoute('deployments:read', {
      method: 'get',
      path: '/endpoints/{endpointName}/metrics',
      tags: ['deployments'],
      summary: 'Requests, errors and latency per variant of the live deployment, as this API process counted them',
      request: { params: EndpointParam },
      responses: {
        200: json(
          z.object({
            deploymentId: z.string(),
            variants: z.array(
              z.object({ variantName: z.string(), requests: z.number(), errors: z.number(), errorRate: z.number(), p50Ms: z.number(), p99Ms: z.number() }),
            ),
          }),
          'metrics',
        ),
        ...problems(400, 401, 403, 404),
      },
    }),
    async (c) => {
      const scope = c.get('scope');
      const { endpointName } = c.req.valid('param');
      await requireEndpoint(scope.table, endpointName);
      const d = await liveDeployment(scope.table, endpointName);
      const served = d.variants.filter((v) => v.role !== 'shadow');
      const variants = await Promise.all(
        served.map(async (v) => ({ variantName: v.variantName, ...(await deps.counts.stats(scope.table, d, v.variantName)) })),
      );
      return c.json({ deploymentId: d.deploymentId, variants }, 200);
    },
  );

  const scoring = guards.tenantRoute('scoring:invoke', {
    method: 'post',
    path: '/endpoints/{endpointName}/invocations',
    tags: ['scoring'],
    summary:
      'Score rows on an endpoint: JSON records (`[{…}]`), columnar JSON or CSV, up to 6 MiB; answers predictions with the variant and version that answered and a prediction id per row',
    responses: { 200: json(ScoringOut, 'predictions'), ...problems(400, 401, 403, 404, 413, 429, 503) },
  });
  // After the guard's own (Idempotency-Key), where `request.params` put it.
  const documented = scoring as typeof scoring & { parameters?: unknown[] };
  documented.parameters = [...(documented.parameters ?? []), EndpointNameParameter];
  app.openapi(scoring, async (c) => {
    // First, as the params validator ran before the handler.
    const endpointName = scoredEndpointName(c.req.param('endpointName'));
    const declared = Number(c.req.header('content-length') ?? 0);
    if (declared > MAX_SCORING_PAYLOAD_BYTES)
      throw new PayloadTooLarge(`the body is ${declared} bytes; real-time scoring takes at most ${MAX_SCORING_PAYLOAD_BYTES} (use a batch scoring job)`);
    const contentType = (c.req.header('content-type') ?? 'application/json').split(';')[0].trim().toLowerCase();
    if (contentType !== 'application/json' && contentType !== 'text/csv') {
      throw new ValidationFailed('unsupported content type', [
        { field: 'header.content-type', problem: `send application/json or text/csv, not ${contentType}` },
      ]);
    }
    // Straight from Node's request where there is one: hono's arrayBuffer() first builds a whole fetch Request.
    let bytes: Uint8Array;
    try {
      bytes = await readRequestBody(c, MAX_SCORING_PAYLOAD_BYTES);
    } catch (error) {
      if (error instanceof RequestBodyTooLarge)
        throw new PayloadTooLarge(`the body is over ${MAX_SCORING_PAYLOAD_BYTES} bytes; real-time scoring takes at most ${MAX_SCORING_PAYLOAD_BYTES}`);
      throw error;
    }
    if (bytes.byteLength === 0) throw new ValidationFailed('empty body', [{ field: 'body', problem: 'send at least one row' }]);
    return c.json(await scoreEndpoint(c.get('scope'), deps, { endpointName, body: bytes, contentType }), 200);
  });
}
