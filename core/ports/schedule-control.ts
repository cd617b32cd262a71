/**
 * Where stored schedules are made to fire. On AWS: EventBridge Scheduler
 * (core/adapters/scheduler/eventbridge-schedule-control.ts), one schedule per
 * record, targeting the batch-score state machine. Locally: nothing to do
 * (LOCAL_SCHEDULE_CONTROL), as the in-process scheduler
 * (core/schedules/local-scheduler.ts) reads the records themselves.
 */
export interface ControlledSchedule {
  readonly tenantId: string;
  readonly scheduleId: string;
  readonly expression: string;
  readonly timeZone: string;
  readonly enabled: boolean;
  readonly description?: string;
}

export interface ScheduleControl {
  readonly kind: 'local' | 'eventbridge';
  /** Creates the schedule, or updates it when it exists. */
  put(schedule: ControlledSchedule, mode: 'create' | 'update'): Promise<void>;
  /** Removes it; absent is fine (a retried delete). */
  remove(tenantId: string, scheduleId: string): Promise<void>;
}

export const LOCAL_SCHEDULE_CONTROL: ScheduleControl = {
  kind: 'local',
  async put() {},
  async remove() {},
};
