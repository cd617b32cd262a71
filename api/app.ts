import { OpenAPIHono } from '@hono/zod-openapi';
import { requestId } from 'hono/request-id';
import { HealthCheck } from '../core/health/check-health';
import { ValidationFailed } from '../core/errors';
import type { Platform } from '../core/platform/platform';
import { logsInfo } from '../core/ports/log';
import type { ApiEnv } from './http/env';
import { invalidFieldsOf, problemFromError, problemType, respondProblem } from './http/problem';
import { bodyLimit } from './http/body-limit';
import { docsRoutes } from './routes/docs';
import { healthRoutes } from './routes/health';
import { PrincipalResolver } from '../core/identity/principal-resolver';
import { TenantRateLimiter } from '../core/tenancy/rate-limiter';
import type { TenantRateLimit } from '../core/tenancy/tenant-rate-limit';
import type { IdentityDeps } from '../core/identity/identity-deps';
import type { TenantScope } from '../core/tenancy/tenant-scope';
import { createGuards } from './http/guards';
import type { RouteDeps } from './routes/route-deps';
import { auditRoutes } from './routes/audit';
import { authRoutes } from './routes/auth';
import { tenantRoutes } from './routes/tenants';
import { tokenRoutes } from './routes/tokens';
import { userRoutes } from './routes/users';
import { projectRoutes } from './routes/projects';
import { modelRoutes } from './routes/models';
import { versionRoutes } from './routes/versions';
import { lineageRoutes } from './routes/lineage';
import { datasetRoutes } from './routes/datasets';
import { executionRoutes } from './routes/executions';
import { policyRoutes } from './routes/policies';
import { approvalRoutes } from './routes/approvals';
import { deploymentRoutes } from './routes/deployments';
import { batchJobRoutes } from './routes/batch-jobs';
import { batchJobFileRoutes } from './routes/batch-job-files';
import { scheduleRoutes } from './routes/schedules';
import { segmentRunRoutes } from './routes/segment-runs';
import { trainingLogRoutes } from './routes/training-logs';

export const API_VERSION = '0.1.0';

/** The largest request body the API reads (JSON only: artifacts and datasets go straight to storage). */
export const JSON_BODY_LIMIT_BYTES = 1024 * 1024;

/**
 * Builds the whole REST API over a Platform. The same app runs in Lambda
 * (functions/api/handler.ts) and in the local server (infra/local/api-server.ts).
 *
 * @example
 * const app = createApp(localPlatform);
 * const res = await app.request('/health');
 */
export interface AppOptions {
  /** Per-tenant rate limit; default the in-process token bucket (one process). A worker of several passes a leased one. */
  readonly rateLimit?: TenantRateLimit;
}

export function createApp(platform: Platform, options: AppOptions = {}): OpenAPIHono<ApiEnv> {
  const app = new OpenAPIHono<ApiEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        throw new ValidationFailed(`invalid ${result.target === 'json' ? 'body' : result.target}`, invalidFieldsOf(result.target, result.error.issues));
      }
    },
  });

  app.use(
    '*',
    requestId({
      headerName: 'x-request-id',
      // API Gateway's own id when behind it, so logs join with its access logs.
      generator: (c) => lambdaRequestId(c.env) ?? crypto.randomUUID(),
    }),
  );
  app.use('*', async (c, next) => {
    const started = performance.now();
    c.set('log', platform.log);
    await next();
    if (!logsInfo(platform.log)) return;
    platform.log.info('request', {
      requestId: c.get('requestId'),
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      durationMs: Math.round((performance.now() - started) * 100) / 100,
    });
  });

  // Every JSON body is bounded before anything parses it (API Gateway caps at 10 MB; locally nothing else would).
  app.use(
    '*',
    bodyLimit({
      maxSize: JSON_BODY_LIMIT_BYTES,
      onError: (c) =>
        respondProblem(c, {
          type: problemType('payload-too-large'),
          title: 'Payload too large',
          status: 413,
          detail: `the request body is larger than ${JSON_BODY_LIMIT_BYTES} bytes`,
          requestId: c.get('requestId') ?? 'unknown',
          invalidFields: [{ field: 'body', problem: `at most ${JSON_BODY_LIMIT_BYTES} bytes` }],
        }),
    }),
  );

  // Audit events of a mutating tenant request get linked into the chain right away (locally; on AWS the stream does it).
  app.use('*', async (c, next) => {
    await next();
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return;
    const scope = c.get('scope') as TenantScope | undefined;
    if (scope) platform.auditSealing.nudge(scope.tenantId);
  });

  app.onError((error, c) => {
    const requestId = c.get('requestId') ?? 'unknown';
    const { problem, headers } = problemFromError(error, requestId);
    if (problem.status >= 500) platform.log.error('request failed', { requestId, path: c.req.path, error: describe(error) });
    return respondProblem(c, problem, headers);
  });
  app.notFound((c) =>
    respondProblem(c, {
      type: problemType('no-such-route'),
      title: 'Not found',
      status: 404,
      detail: `no route ${c.req.method} ${c.req.path}`,
      requestId: c.get('requestId') ?? 'unknown',
    }),
  );

  const resolver = new PrincipalResolver(platform, platform.identity.verifier, { cacheMs: platform.settings.STEWARD_AUTH_CACHE_MS });
  const identity: IdentityDeps = {
    directory: platform.identity.directory,
    controlPlane: platform.store,
    issuer: platform.identity.issuer,
    mail: platform.identity.mail,
    identityChanged: () => resolver.forget(),
  };
  const deps: RouteDeps = { app, platform, guards: createGuards(platform, resolver, options.rateLimit ?? new TenantRateLimiter()), identity };
  healthRoutes(deps, new HealthCheck(platform.probes));
  for (const register of [
    authRoutes,
    tenantRoutes,
    userRoutes,
    tokenRoutes,
    auditRoutes,
    projectRoutes,
    modelRoutes,
    versionRoutes,
    lineageRoutes,
    datasetRoutes,
    executionRoutes,
    policyRoutes,
    approvalRoutes,
    deploymentRoutes,
    batchJobRoutes,
    batchJobFileRoutes,
    scheduleRoutes,
    segmentRunRoutes,
    trainingLogRoutes,
  ])
    register(deps);

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'An ID token (Cognito on AWS, POST /auth/token locally) or a CI token `stw_…`',
  });
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: { title: 'Steward API', version: API_VERSION, description: 'Multi-tenant ModelOps: catalog, pipelines, approvals, deployments, monitoring.' },
  });
  docsRoutes(app);
  return app;
}

function lambdaRequestId(env: unknown): string | undefined {
  const event = (env as { event?: { requestContext?: { requestId?: string } } } | undefined)?.event;
  return event?.requestContext?.requestId;
}

function describe(error: unknown): Record<string, unknown> {
  if (error instanceof Error)
    return { name: error.name, message: error.message, stack: error.stack, cause: error.cause instanceof Error ? error.cause.message : undefined };
  return { value: String(error) };
}
