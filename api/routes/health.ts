import { z } from '@hono/zod-openapi';
import type { HealthCheck } from '../../core/health/check-health';
import { problems } from '../schemas/common';
import type { RouteDeps } from './route-deps';

const DependencySchema = z.object({
  name: z.string().openapi({ example: 'table' }),
  status: z.enum(['ok', 'failing']),
  detail: z.string().optional(),
  latencyMs: z.number(),
});

const StatusSchema = z.object({ status: z.enum(['ok', 'degraded']), checkedAt: z.string().datetime() }).openapi('HealthStatus');

const HealthSchema = z
  .object({
    status: z.enum(['ok', 'degraded']),
    mode: z.enum(['aws', 'local']),
    checkedAt: z.string().datetime(),
    dependencies: z.array(DependencySchema),
    process: z
      .object({ pid: z.number().int() })
      .openapi({ description: 'The process that answered: locally one of the workers of `npm start --workers n` (requests spread over them)' }),
  })
  .openapi('Health');

/**
 * `/health` is public and answers the status alone: resource names and the
 * dependencies' own error text (which names tables, buckets, accounts) are
 * for platform administrators, at `/platform/health`.
 */
export function healthRoutes({ app, guards, platform }: RouteDeps, check: HealthCheck): void {
  app.openapi(
    guards.publicRoute({
      method: 'get',
      path: '/health',
      tags: ['platform'],
      summary: 'Whether the API and its dependencies are usable (status only; details at /platform/health)',
      responses: {
        200: { description: 'every dependency is usable', content: { 'application/json': { schema: StatusSchema } } },
        503: { description: 'at least one dependency is failing', content: { 'application/json': { schema: StatusSchema } } },
      },
    }),
    async (c) => {
      const report = await check.report();
      const body = { status: report.status, checkedAt: report.checkedAt };
      return report.status === 'ok' ? c.json(body, 200) : c.json(body, 503);
    },
  );

  app.openapi(
    guards.platformRoute('platform:health:read', {
      method: 'get',
      path: '/platform/health',
      tags: ['platform'],
      summary: 'Status of each dependency (table, bucket, pipeline runner, scoring gateway), with details',
      responses: {
        200: { description: 'every dependency is usable', content: { 'application/json': { schema: HealthSchema } } },
        503: { description: 'at least one dependency is failing', content: { 'application/json': { schema: HealthSchema } } },
        ...problems(401, 403),
      },
    }),
    async (c) => {
      const report = await check.report();
      const body = { ...report, mode: platform.settings.STEWARD_MODE, dependencies: [...report.dependencies], process: { pid: process.pid } };
      return report.status === 'ok' ? c.json(body, 200) : c.json(body, 503);
    },
  );
}
