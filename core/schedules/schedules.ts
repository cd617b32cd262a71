import { z } from 'zod';
import type { Page } from '../ports/metadata-store';
import type { ScheduleControl } from '../ports/schedule-control';
import { auditWrite } from '../audit/audit-event';
import { BatchJobRequest, prepareBatchJob } from '../batch/batch-jobs';
import { NameSchema, newCatalogId } from '../catalog/identifiers';
import { StaleWrite } from '../errors';
import type { TenantScope } from '../tenancy/tenant-scope';
import { assertTimeZone, nextFireAfter, parseScheduleExpression } from './schedule-expression';
import { loadSchedule, type Schedule, ScheduleSchema, scheduleKey, scheduleWrite } from './schedule-records';

export const CreateScheduleInput = z.object({
  name: NameSchema,
  description: z.string().trim().max(512).optional(),
  expression: z.string().trim().min(1).max(256),
  /** IANA zone the cron fields are read in. @default 'UTC' */
  timeZone: z.string().trim().min(1).max(64).default('UTC'),
  enabled: z.boolean().default(true),
  job: BatchJobRequest,
});

export const UpdateScheduleInput = z
  .object({
    description: z.string().trim().max(512).optional(),
    expression: z.string().trim().min(1).max(256).optional(),
    timeZone: z.string().trim().min(1).max(64).optional(),
    enabled: z.boolean().optional(),
    job: BatchJobRequest.optional(),
    /** Optimistic lock, as on projects, models and versions: the revision the caller read; a newer one is a 412. */
    expectedRevision: z.number().int().positive().optional(),
    /** @deprecated the first name of `expectedRevision`, still honoured. */
    revision: z.number().int().positive().optional(),
  })
  .refine((u) => Object.keys(u).some((k) => k !== 'revision' && k !== 'expectedRevision'), { message: 'nothing to change' });

export const DeleteScheduleInput = z.object({
  /** Optimistic lock: the revision the caller read; a newer one is a 412 and nothing is deleted. */
  expectedRevision: z.coerce.number().int().positive().optional(),
});

function assertRevision(scheduleId: string, stored: number, expected: number | undefined): void {
  if (expected !== undefined && expected !== stored) {
    throw new StaleWrite(`schedule ${scheduleId} is at revision ${stored}, not ${expected}; re-read it and try again`);
  }
}

export type ScheduleView = Schedule & { readonly nextFireAt?: string };

export function viewOf(schedule: Schedule, now: Date): ScheduleView {
  const next = schedule.enabled ? nextFireAfter(schedule, now) : undefined;
  return { ...schedule, ...(next ? { nextFireAt: next.toISOString() } : {}) };
}

/** The expression and zone are checked with the same parser that runs them (croner), and the job template as a job would be. */
async function validate(scope: TenantScope, s: Pick<Schedule, 'expression' | 'timeZone' | 'job'>): Promise<void> {
  parseScheduleExpression(s.expression, 'body.expression');
  assertTimeZone(s.timeZone, 'body.timeZone');
  await prepareBatchJob(scope, s.job, 'body.job');
}

function controlled(scope: TenantScope, s: Schedule) {
  return {
    tenantId: scope.tenantId,
    scheduleId: s.scheduleId,
    expression: s.expression,
    timeZone: s.timeZone,
    enabled: s.enabled,
    description: s.description ?? s.name,
  };
}

/**
 * Records a schedule and has it fire: on AWS the EventBridge schedule is
 * created first and removed again if the record cannot be written, so there
 * is never a firing schedule without its record.
 */
export async function createSchedule(scope: TenantScope, control: ScheduleControl, input: z.infer<typeof CreateScheduleInput>): Promise<ScheduleView> {
  const now = scope.now();
  const schedule: Schedule = ScheduleSchema.parse({
    scheduleId: newCatalogId(now),
    name: input.name,
    description: input.description,
    expression: input.expression,
    timeZone: input.timeZone,
    enabled: input.enabled,
    job: input.job,
    anchorAt: now.toISOString(),
    createdAt: now.toISOString(),
    createdBy: scope.meta.actor,
    updatedAt: now.toISOString(),
    revision: 1,
  });
  await validate(scope, schedule);
  await control.put(controlled(scope, schedule), 'create');
  try {
    await scope.table.transact([
      scheduleWrite(schedule, 'new'),
      auditWrite(scope.meta, 'schedule.created', { type: 'schedule', id: schedule.scheduleId }, { after: schedule }, now).write,
    ]);
  } catch (error) {
    await control.remove(scope.tenantId, schedule.scheduleId).catch(() => undefined);
    throw error;
  }
  return viewOf(schedule, now);
}

export async function getSchedule(scope: TenantScope, scheduleId: string): Promise<ScheduleView> {
  return viewOf(await loadSchedule(scope.table, scheduleId), scope.now());
}

export async function listSchedules(scope: TenantScope, page: { limit: number; cursor?: string }): Promise<Page<ScheduleView>> {
  const result = await scope.table.query({ index: 'gsi1', partition: ['SCHEDULES'], limit: page.limit, cursor: page.cursor });
  const now = scope.now();
  return { items: result.items.map((item) => viewOf(ScheduleSchema.parse(item), now)), cursor: result.cursor };
}

export async function updateSchedule(
  scope: TenantScope,
  control: ScheduleControl,
  scheduleId: string,
  input: z.infer<typeof UpdateScheduleInput>,
): Promise<ScheduleView> {
  const before = await loadSchedule(scope.table, scheduleId);
  assertRevision(scheduleId, before.revision, input.expectedRevision ?? input.revision);
  const now = scope.now();
  const { revision: _ignored, expectedRevision: _expected, ...changes } = input;
  const expressionChanged = changes.expression !== undefined && changes.expression !== before.expression;
  const after: Schedule = ScheduleSchema.parse({
    ...before,
    ...Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)),
    ...(expressionChanged ? { anchorAt: now.toISOString() } : {}),
    updatedAt: now.toISOString(),
    revision: before.revision + 1,
  });
  await validate(scope, after);
  await control.put(controlled(scope, after), 'update');
  await scope.table.transact([
    scheduleWrite(after, { revision: before.revision }),
    auditWrite(scope.meta, 'schedule.updated', { type: 'schedule', id: scheduleId }, { before, after }, now).write,
  ]);
  return viewOf(after, now);
}

/** Removes the schedule (its fired-slot claims stay, as the jobs they started do). */
export async function deleteSchedule(
  scope: TenantScope,
  control: ScheduleControl,
  scheduleId: string,
  options: z.infer<typeof DeleteScheduleInput> = {},
): Promise<void> {
  const before = await loadSchedule(scope.table, scheduleId);
  assertRevision(scheduleId, before.revision, options.expectedRevision);
  await control.remove(scope.tenantId, scheduleId);
  await scope.table.transact([
    { kind: 'delete', key: scheduleKey(scheduleId), expect: { revision: before.revision } },
    auditWrite(scope.meta, 'schedule.deleted', { type: 'schedule', id: scheduleId }, { before }, scope.now()).write,
  ]);
}
