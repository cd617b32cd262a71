import {
  createSchedule,
  CreateScheduleInput,
  deleteSchedule,
  DeleteScheduleInput,
  getSchedule,
  listSchedules,
  updateSchedule,
  UpdateScheduleInput,
} from '../../core/schedules/schedules';
import { ScheduleOut, ScheduleParam } from '../schemas/batch';
import { body, json, PageQuery, pageOf, problems } from '../schemas/common';
import type { RouteDeps } from './route-deps';

/**
 * Schedules that run batch jobs: `rate(…)` or `cron(…)` in EventBridge
 * Scheduler's syntax with an IANA time zone. A malformed expression, an
 * unknown zone or a job template that would not validate is a 400 naming
 * the field.
 */
export function scheduleRoutes({ app, guards, platform }: RouteDeps): void {
  app.openapi(
    guards.tenantRoute('schedules:manage', {
      method: 'post',
      path: '/schedules',
      tags: ['batch'],
      summary: 'Create a schedule that starts a batch job at each fire time',
      request: body(CreateScheduleInput),
      responses: { 201: json(ScheduleOut, 'created'), ...problems(400, 401, 403, 409, 429) },
    }),
    async (c) => c.json(await createSchedule(c.get('scope'), platform.schedules, c.req.valid('json')), 201),
  );

  app.openapi(
    guards.tenantRoute('batch:read', {
      method: 'get',
      path: '/schedules',
      tags: ['batch'],
      summary: 'The tenant’s schedules with their next fire time',
      request: { query: PageQuery },
      responses: { 200: json(pageOf(ScheduleOut, 'SchedulePage'), 'schedules'), ...problems(400, 401, 403) },
    }),
    async (c) => {
      const page = await listSchedules(c.get('scope'), c.req.valid('query'));
      return c.json({ items: page.items, next: page.cursor }, 200);
    },
  );

  app.openapi(
    guards.tenantRoute('batch:read', {
      method: 'get',
      path: '/schedules/{scheduleId}',
      tags: ['batch'],
      summary: 'One schedule',
      request: { params: ScheduleParam },
      responses: { 200: json(ScheduleOut, 'schedule'), ...problems(400, 401, 403, 404) },
    }),
    async (c) => c.json(await getSchedule(c.get('scope'), c.req.valid('param').scheduleId), 200),
  );

  app.openapi(
    guards.tenantRoute('schedules:manage', {
      method: 'patch',
      path: '/schedules/{scheduleId}',
      tags: ['batch'],
      summary: 'Change a schedule (expression, zone, job, enabled); `expectedRevision` guards against lost updates (412)',
      request: { params: ScheduleParam, ...body(UpdateScheduleInput) },
      responses: { 200: json(ScheduleOut, 'updated'), ...problems(400, 401, 403, 404, 412) },
    }),
    async (c) => c.json(await updateSchedule(c.get('scope'), platform.schedules, c.req.valid('param').scheduleId, c.req.valid('json')), 200),
  );

  app.openapi(
    guards.tenantRoute('schedules:manage', {
      method: 'delete',
      path: '/schedules/{scheduleId}',
      tags: ['batch'],
      summary: 'Delete a schedule; jobs it started stay. `?expectedRevision=` guards against deleting a schedule changed since it was read (412)',
      request: { params: ScheduleParam, query: DeleteScheduleInput },
      responses: { 204: { description: 'deleted' }, ...problems(400, 401, 403, 404, 412) },
    }),
    async (c) => {
      await deleteSchedule(c.get('scope'), platform.schedules, c.req.valid('param').scheduleId, c.req.valid('query'));
      return c.body(null, 204);
    },
  );
}
