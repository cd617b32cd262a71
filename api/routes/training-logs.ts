import { z } from '@hono/zod-openapi';
import { readTrainingLog } from '../../core/training/training-log';
import { problems } from '../schemas/common';
import { ExecutionParam } from '../schemas/executions';
import type { RouteDeps } from './route-deps';

/**
 * The training job's log of a train-evaluate execution that trained with a
 * container (core/training/training-log.ts): plain text, newest 5 MiB; 404
 * for runs with no training log (built-in trainers, other pipelines, other
 * tenants' runs, a job still running). On AWS the pipeline copies the job's
 * CloudWatch log into the run folder when the job ends, so both places answer alike.
 */
export function trainingLogRoutes({ app, guards, platform }: RouteDeps): void {
  app.openapi(
    guards.tenantRoute('pipelines:read', {
      method: 'get',
      path: '/executions/{executionId}/logs',
      tags: ['pipelines'],
      summary: "The execution's training job log (stdout and stderr of the training container, newest 5 MiB)",
      request: { params: ExecutionParam },
      responses: {
        200: { description: 'the log', content: { 'text/plain': { schema: z.string() } } },
        ...problems(400, 401, 403, 404),
      },
    }),
    async (c) => {
      const log = await readTrainingLog(c.get('scope'), c.req.valid('param').executionId, { mode: platform.settings.STEWARD_MODE });
      return c.text(log, 200, { 'cache-control': 'no-store' });
    },
  );
}
