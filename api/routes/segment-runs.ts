import { NotFound } from '../../core/errors';
import { getExecution } from '../../core/pipelines/execution-log';
import { listSegmentOutcomes } from '../../core/pipelines/segment-run-records';
import { json, PageQuery, pageOf, problems } from '../schemas/common';
import { ExecutionParam } from '../schemas/executions';
import { SegmentOutcomeOut } from '../schemas/segment-runs';
import type { RouteDeps } from './route-deps';

/**
 * The per-segment results of a `train-segments` execution, in segment order,
 * a page at a time (a run can have thousands): each segment's model and
 * version, the policy's verdict, its hold-out metrics, or why it was skipped.
 * The run's summary is the execution's output (GET /executions/{executionId}).
 */
export function segmentRunRoutes({ app, guards }: RouteDeps): void {
  app.openapi(
    guards.tenantRoute('pipelines:read', {
      method: 'get',
      path: '/executions/{executionId}/segments',
      tags: ['pipelines'],
      summary: 'Per-segment outcomes of a train-segments execution: model, version, verdict and metrics of each segment',
      request: { params: ExecutionParam, query: PageQuery },
      responses: { 200: json(pageOf(SegmentOutcomeOut, 'SegmentOutcomePage'), 'segment outcomes'), ...problems(400, 401, 403, 404) },
    }),
    async (c) => {
      const scope = c.get('scope');
      const { executionId } = c.req.valid('param');
      // The tenant's own execution log decides existence: another tenant's run is a 404 like a missing one.
      const { execution } = await getExecution(scope.table, executionId);
      if (execution.pipeline !== 'train-segments') throw new NotFound('train-segments execution', executionId);
      const { limit, cursor } = c.req.valid('query');
      const page = await listSegmentOutcomes(scope.table, executionId, { limit, ...(cursor ? { cursor } : {}) });
      return c.json({ items: page.items, next: page.cursor }, 200);
    },
  );
}
