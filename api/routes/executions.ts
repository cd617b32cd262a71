import type { z } from '@hono/zod-openapi';
import { Conflict, NotFound } from '../../core/errors';
import { type ExecutionRecord, getExecution, listExecutions } from '../../core/pipelines/execution-log';
import { executionProgress } from '../../core/pipelines/execution-progress';
import { PIPELINE_INPUTS } from '../../core/pipelines/pipeline-inputs';
import { runIdOf } from '../../core/pipelines/step-context';
import { body, json, pageOf, problems } from '../schemas/common';
import {
  ExecutionDetailQuery,
  ExecutionOut,
  ExecutionParam,
  ExecutionStartedOut,
  ExecutionSummaryOut,
  ListExecutionsQuery,
  StartExecutionQuery,
} from '../schemas/executions';
import type { RouteDeps } from './route-deps';

function summaryOf(record: ExecutionRecord): z.infer<typeof ExecutionSummaryOut> {
  return {
    executionId: record.executionId,
    pipeline: record.pipeline,
    name: record.name,
    status: record.status,
    actor: record.actor,
    startedAt: record.startedAt,
    ...(record.stoppedAt ? { stoppedAt: record.stoppedAt, durationMs: Math.max(0, Date.parse(record.stoppedAt) - Date.parse(record.startedAt)) } : {}),
    ...(record.currentState ? { currentState: record.currentState } : {}),
    ...(record.error !== undefined ? { error: record.error } : {}),
    ...(record.cause !== undefined ? { cause: record.cause } : {}),
  };
}

/**
 * Pipeline executions: start one (`POST /pipelines/<pipeline>/executions`,
 * one route per pipeline that declares an input schema in
 * core/pipelines/pipeline-inputs.ts, so the body is documented and validated
 * by that pipeline's own schema), list them, follow one's progress. Reads go
 * through the caller's tenant table only: another tenant's execution is a 404.
 */
export function executionRoutes({ app, guards, platform }: RouteDeps): void {
  for (const [pipeline, spec] of Object.entries(PIPELINE_INPUTS)) {
    app.openapi(
      guards.tenantRoute('pipelines:run', {
        method: 'post',
        path: `/pipelines/${pipeline}/executions`,
        tags: ['pipelines'],
        summary: `Start a ${pipeline} execution; 202 with its id, then follow GET /executions/{executionId}`,
        request: { query: StartExecutionQuery, ...body(spec.schema) },
        responses: { 202: json(ExecutionStartedOut, 'started'), ...problems(400, 401, 403, 404, 409, 429) },
      }),
      async (c) => {
        const scope = c.get('scope');
        if (!platform.pipelines.pipelines().includes(pipeline)) throw new NotFound('pipeline', pipeline);
        const input = c.req.valid('json') as Record<string, unknown>;
        await spec.preflight?.(scope, input);
        const { name } = c.req.valid('query');
        const started = await platform.pipelines.start({ tenantId: scope.tenantId, actor: scope.meta.actor, pipeline, input, ...(name ? { name } : {}) });
        // A run name is the tenant's own label: taken once per pipeline within the tenant, whatever other tenants call theirs.
        if (started.existing)
          throw new Conflict(`name: this tenant already has a ${pipeline} execution named '${name}' (${runIdOf(started.executionId)}); choose another name`);
        const executionId = runIdOf(started.executionId);
        const location = `/executions/${executionId}`;
        c.header('location', location);
        return c.json({ executionId, pipeline, status: 'RUNNING' as const, startedAt: started.startedAt, location }, 202);
      },
    );
  }

  app.openapi(
    guards.tenantRoute('pipelines:read', {
      method: 'get',
      path: '/executions',
      tags: ['pipelines'],
      summary: 'The tenant’s pipeline executions, newest first; filter by pipeline and status',
      request: { query: ListExecutionsQuery },
      responses: { 200: json(pageOf(ExecutionSummaryOut, 'ExecutionPage'), 'executions'), ...problems(400, 401, 403) },
    }),
    async (c) => {
      const page = await listExecutions(c.get('scope').table, c.req.valid('query'));
      return c.json({ items: page.items.map(summaryOf), next: page.cursor }, 200);
    },
  );

  app.openapi(
    guards.tenantRoute('pipelines:read', {
      method: 'get',
      path: '/executions/{executionId}',
      tags: ['pipelines'],
      summary: 'One execution: its status, progress state by state (start, end, duration, outcome) and every transition in order',
      request: { params: ExecutionParam, query: ExecutionDetailQuery },
      responses: { 200: json(ExecutionOut, 'execution'), ...problems(400, 401, 403, 404) },
    }),
    async (c) => {
      const scope = c.get('scope');
      const { execution, events, eventsCursor } = await getExecution(scope.table, c.req.valid('param').executionId, {
        eventsCursor: c.req.valid('query').cursor,
      });
      const progress = executionProgress(execution, events, platform.now());
      return c.json(
        {
          ...summaryOf(execution),
          ...(progress.durationMs !== undefined ? { durationMs: progress.durationMs } : {}),
          input: execution.input,
          ...(execution.output !== undefined ? { output: execution.output } : {}),
          states: progress.states,
          transitions: events,
          ...(eventsCursor ? { transitionsCursor: eventsCursor } : {}),
        },
        200,
      );
    },
  );
}
