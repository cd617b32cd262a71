import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { HealthCheck } from '../../core/health/check-health';
import type { ApiEnv } from '../http/env';
import { PERMISSION_EXTENSION } from '../http/guards';

const DependencySchema = z.object({
  name: z.string().openapi({ example: 'table' }),
  status: z.enum(['ok', 'failing']),
  detail: z.string().optional(),
  latencyMs: z.number(),
});

const HealthSchema = z
  .object({
    status: z.enum(['ok', 'degraded']),
    mode: z.enum(['aws', 'local']),
    checkedAt: z.string().datetime(),
    dependencies: z.array(DependencySchema),
  })
  .openapi('Health');

const route = createRoute({
  method: 'get',
  path: '/health',
  tags: ['platform'],
  summary: 'Status of the API and each dependency (table, bucket, pipeline runner, scoring gateway)',
  security: [],
  [PERMISSION_EXTENSION]: 'public',
  responses: {
    200: { description: 'every dependency is usable', content: { 'application/json': { schema: HealthSchema } } },
    503: { description: 'at least one dependency is failing', content: { 'application/json': { schema: HealthSchema } } },
  },
});

export function healthRoutes(app: OpenAPIHono<ApiEnv>, check: HealthCheck, mode: 'aws' | 'local'): void {
  app.openapi(route, async (c) => {
    const report = await check.report();
    const body = { ...report, mode, dependencies: [...report.dependencies] };
    return report.status === 'ok' ? c.json(body, 200) : c.json(body, 503);
  });
}
