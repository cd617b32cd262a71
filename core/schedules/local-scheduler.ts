import { startBatchJob } from '../batch/batch-jobs';
import type { Platform } from '../platform/platform';
import { TenantRegistry } from '../tenancy/tenant-registry';
import { type OpenedScheduledJob, openScheduledJob, schedulerScope } from './scheduled-batch-job';
import { fireTimesBetween } from './schedule-expression';
import { allSchedules } from './schedule-records';

export interface LocalSchedulerOptions {
  /** How often stored schedules are re-read and due slots fired. @default 1000 ms */
  readonly pollMs?: number;
  /**
   * How late a slot may still fire: after a restart, slots missed within
   * this window fire (each at most once, by its claim); older ones are
   * skipped, as EventBridge Scheduler does not backfill either. @default 5 minutes
   */
  readonly graceMs?: number;
}

export interface FiredSlot {
  readonly tenantId: string;
  readonly scheduleId: string;
  readonly slot: string;
  readonly result: OpenedScheduledJob;
}

/**
 * The local stand-in for EventBridge Scheduler: reads every active tenant's
 * stored schedules on each tick (so creations, edits and deletions through
 * the API apply without a restart, and a restart loses nothing), works out
 * the slots due since the last tick, claims each with a conditional write
 * and starts the claimed job's batch-score execution. The claim, not this
 * process's memory, is what makes a slot fire once: two schedulers on one
 * store, or one restarted mid-slot, cannot both start it.
 *
 * Time comes from the platform's clock, so tests drive it with `tick()`.
 */
export class LocalScheduler {
  private readonly pollMs: number;
  private readonly graceMs: number;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<FiredSlot[]> | undefined;
  private lastTick: Date | undefined;
  private stopped = false;

  constructor(
    private readonly platform: Platform,
    options: LocalSchedulerOptions = {},
  ) {
    this.pollMs = options.pollMs ?? 1000;
    this.graceMs = options.graceMs ?? 5 * 60_000;
  }

  start(): this {
    this.stopped = false;
    const loop = () => {
      if (this.stopped) return;
      this.timer = setTimeout(() => {
        this.tick()
          .catch((error: unknown) => this.platform.log.error('scheduler tick failed', { error: (error as Error).message }))
          .finally(loop);
      }, this.pollMs);
      this.timer.unref?.();
    };
    loop();
    return this;
  }

  /** Stops polling and waits for a tick in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** Fires every slot due in (last tick or now − grace, now]; one tick at a time. */
  tick(): Promise<FiredSlot[]> {
    this.running ??= this.fireDue().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async fireDue(): Promise<FiredSlot[]> {
    const now = this.platform.now();
    const earliest = new Date(now.getTime() - this.graceMs);
    const from = this.lastTick && this.lastTick > earliest ? this.lastTick : earliest;
    const fired: FiredSlot[] = [];
    for (const tenantId of await this.activeTenants()) {
      const schedules = await allSchedules(this.platform.tenantTable(tenantId));
      for (const schedule of schedules) {
        if (!schedule.enabled) continue;
        // Never a slot before the schedule existed in its current form.
        const since = new Date(Math.max(from.getTime(), Date.parse(schedule.updatedAt) - 1));
        for (const slotTime of fireTimesBetween(schedule, since, now)) {
          const slot = slotTime.toISOString();
          try {
            const scope = await schedulerScope(this.platform, tenantId, schedule.scheduleId, slot);
            const result = await openScheduledJob(scope, schedule.scheduleId, slot);
            if (result.outcome === 'opened') await startBatchJob(this.platform.pipelines, scope, result.job);
            // Claimed by a process that stopped before starting it: start it now (once, by the execution's name).
            else if (result.outcome === 'duplicate' && result.queuedJob) await startBatchJob(this.platform.pipelines, scope, result.queuedJob);
            fired.push({ tenantId, scheduleId: schedule.scheduleId, slot, result });
            this.platform.log.info('schedule slot', { tenantId, scheduleId: schedule.scheduleId, slot, outcome: result.outcome });
          } catch (error) {
            this.platform.log.error('schedule slot failed', { tenantId, scheduleId: schedule.scheduleId, slot, error: (error as Error).message });
          }
        }
      }
    }
    this.lastTick = now;
    return fired;
  }

  private async activeTenants(): Promise<string[]> {
    const registry = new TenantRegistry(this.platform.platformTable());
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await registry.list({ status: 'active', limit: 100, cursor });
      ids.push(...page.items.map((t) => t.tenantId));
      cursor = page.cursor;
    } while (cursor);
    return ids;
  }
}
