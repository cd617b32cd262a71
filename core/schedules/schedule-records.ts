import { z } from 'zod';
import type { MetadataTable, ScopedWrite } from '../ports/metadata-store';
import { BatchJobRequest } from '../batch/batch-jobs';
import { NotFound } from '../errors';

export const ScheduleSchema = z.object({
  scheduleId: z.string(),
  name: z.string(),
  description: z.string().optional(),
  /** EventBridge Scheduler syntax: `rate(…)` or `cron(…)` (core/schedules/schedule-expression.ts). */
  expression: z.string(),
  timeZone: z.string(),
  enabled: z.boolean(),
  /** What each fire runs: a batch job with these settings. */
  job: BatchJobRequest,
  /** Rate schedules count from here; reset when the expression changes. */
  anchorAt: z.string(),
  createdAt: z.string(),
  createdBy: z.string(),
  updatedAt: z.string(),
  revision: z.number().int(),
});
export type Schedule = z.infer<typeof ScheduleSchema>;

export function scheduleKey(scheduleId: string) {
  return { partition: ['SCHEDULE', scheduleId], sort: 'META' };
}

/** A fired slot: its existence is the claim (written `expect: 'new'` with the job it starts). */
export function scheduleSlotKey(scheduleId: string, slot: string) {
  return { partition: ['SCHEDULE', scheduleId], sort: `SLOT#${slot}` };
}

/** Listing indexes: the tenant's schedules by id, and — for the local scheduler — every enabled schedule of every tenant is found per tenant through gsi1. */
export function scheduleWrite(schedule: Schedule, expect: 'new' | { revision: number }): ScopedWrite {
  return {
    kind: 'put',
    key: scheduleKey(schedule.scheduleId),
    indexes: { gsi1: { partition: ['SCHEDULES'], sort: schedule.scheduleId } },
    item: { entity: 'schedule', ...schedule },
    expect,
  };
}

export async function loadSchedule(table: MetadataTable, scheduleId: string): Promise<Schedule> {
  const item = await table.get(scheduleKey(scheduleId), { consistent: true });
  if (!item) throw new NotFound('schedule', scheduleId);
  return ScheduleSchema.parse(item);
}

export async function allSchedules(table: MetadataTable): Promise<Schedule[]> {
  const out: Schedule[] = [];
  let cursor: string | undefined;
  do {
    const page = await table.query({ index: 'gsi1', partition: ['SCHEDULES'], limit: 100, cursor });
    out.push(...page.items.map((item) => ScheduleSchema.parse(item)));
    cursor = page.cursor;
  } while (cursor);
  return out;
}
