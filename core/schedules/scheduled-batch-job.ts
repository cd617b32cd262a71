import type { Platform } from '../platform/platform';
import { auditWrite } from '../audit/audit-event';
import { type BatchJob, BatchJobSchema, loadBatchJob } from '../batch/batch-job-records';
import { jobCreationWrites, prepareBatchJob } from '../batch/batch-jobs';
import { Conflict, NotFound, ValidationFailed } from '../errors';
import { pipelineScope, type TenantScope } from '../tenancy/tenant-scope';
import { loadSchedule, scheduleSlotKey } from './schedule-records';

/** Who a scheduled fire acts as, in the audit trail and as the job's creator. */
export const SCHEDULER_ACTOR = 'system:scheduler';

export type OpenedScheduledJob =
  | { readonly outcome: 'opened'; readonly job: BatchJob }
  /**
   * The slot was claimed before: by another scheduler process, an earlier run of this one, or a repeated EventBridge delivery.
   * `queuedJob`: its job was recorded but never started (the claiming process stopped in between); starting it is safe, as
   * executions are named after the job.
   */
  | { readonly outcome: 'duplicate'; readonly queuedJob?: BatchJob }
  /** The schedule is gone or disabled, or its job no longer validates (e.g. the version was retired): recorded, nothing run. */
  | { readonly outcome: 'skipped'; readonly reason: string };

/** The tenant's scope for one fire: actor `system:scheduler`, request id naming the schedule and slot. */
export async function schedulerScope(platform: Platform, tenantId: string, scheduleId: string, slot: string): Promise<TenantScope> {
  const scope = await pipelineScope(platform, { tenantId, actor: SCHEDULER_ACTOR, executionId: `schedule-${scheduleId}` });
  return { ...scope, meta: { actor: SCHEDULER_ACTOR, requestId: `schedule:${scheduleId}@${slot}` } };
}

/** Slots are ISO instants to the millisecond, whichever way they arrive (EventBridge sends `…T10:15:00Z`). */
export function normalizeSlot(slot: string | Date): string {
  const at = typeof slot === 'string' ? new Date(slot) : slot;
  if (Number.isNaN(at.getTime())) throw new ValidationFailed(`'${String(slot)}' is not a time`, [{ field: 'scheduled.slot', problem: 'not an ISO time' }]);
  return at.toISOString();
}

/**
 * One fire of a schedule: claims the slot and records the job it starts in
 * the same transaction (`expect: 'new'` on the slot key), so however many
 * processes or deliveries try one slot — two local schedulers, a restart, an
 * at-least-once EventBridge target — exactly one job exists for it. The
 * caller starts the job's execution (it is `queued` until then).
 */
export async function openScheduledJob(scope: TenantScope, scheduleId: string, slotTime: string | Date): Promise<OpenedScheduledJob> {
  const slot = normalizeSlot(slotTime);
  let schedule;
  try {
    schedule = await loadSchedule(scope.table, scheduleId);
  } catch (error) {
    if (error instanceof NotFound) return { outcome: 'skipped', reason: `schedule ${scheduleId} no longer exists` };
    throw error;
  }
  const claim = {
    kind: 'put' as const,
    key: scheduleSlotKey(scheduleId, slot),
    item: { entity: 'schedule-slot', scheduleId, slot, claimedAt: scope.now().toISOString() },
    expect: 'new' as const,
  };
  let job: BatchJob | undefined;
  let refused: string | undefined;
  if (!schedule.enabled) refused = 'the schedule is disabled';
  else {
    try {
      job = BatchJobSchema.parse({ ...(await prepareBatchJob(scope, schedule.job, 'job')), schedule: { scheduleId, slot } });
    } catch (error) {
      if (!(error instanceof ValidationFailed)) throw error;
      refused = `${error.message} (${error.fields.map((f) => `${f.field}: ${f.problem}`).join('; ')})`;
    }
  }
  try {
    if (job) {
      await scope.table.transact(jobCreationWrites(scope, job, [{ ...claim, item: { ...claim.item, jobId: job.jobId } }]));
      return { outcome: 'opened', job };
    }
    const reason = refused ?? 'nothing to run';
    await scope.table.transact([
      { ...claim, item: { ...claim.item, skipped: reason } },
      auditWrite(scope.meta, 'schedule.fire-skipped', { type: 'schedule', id: scheduleId }, { after: { slot, reason } }, scope.now()).write,
    ]);
    return { outcome: 'skipped', reason };
  } catch (error) {
    if (!(error instanceof Conflict)) throw error;
    const claimed = await scope.table.get<{ jobId?: string }>(claim.key, { consistent: true });
    if (!claimed?.jobId) return { outcome: 'duplicate' };
    const earlier = await loadBatchJob(scope.table, claimed.jobId);
    return earlier.status === 'queued' && !earlier.executionId ? { outcome: 'duplicate', queuedJob: earlier } : { outcome: 'duplicate' };
  }
}
