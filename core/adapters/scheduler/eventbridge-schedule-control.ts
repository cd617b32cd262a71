import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  type SchedulerClient,
  UpdateScheduleCommand,
  type UpdateScheduleCommandInput,
} from '@aws-sdk/client-scheduler';
import { Conflict, DependencyFailed } from '../../errors';
import type { ControlledSchedule, ScheduleControl } from '../../ports/schedule-control';

export interface EventBridgeScheduleControlOptions {
  /** The schedule group every Steward schedule lives in (infra/aws/constructs/batch-scheduling.ts). */
  readonly groupName: string;
  /** The batch-score state machine: each schedule's target. */
  readonly stateMachineArn: string;
  /** The role EventBridge Scheduler assumes to start it (states:StartExecution on that machine only). */
  readonly roleArn: string;
}

/** EventBridge Scheduler's placeholder for the slot being fired, substituted in the target input. */
export const SCHEDULED_TIME = '<aws.scheduler.scheduled-time>';

/**
 * ScheduleControl on AWS: one EventBridge schedule per Steward schedule,
 * named `<tenantId>-<scheduleId>` (43 characters, under the 64 allowed), in
 * one group, its target the batch-score state machine started with
 * `{ context: { tenantId, actor }, scheduled: { scheduleId, slot } }`. The
 * tenant in that input is written here, from the scope of the caller who
 * saved the schedule, never from anything a request said. The machine's
 * OpenScheduledJob claims the slot, so EventBridge's at-least-once delivery
 * and its retries start one job per slot.
 */
export class EventBridgeScheduleControl implements ScheduleControl {
  readonly kind = 'eventbridge' as const;

  constructor(
    private readonly scheduler: SchedulerClient,
    private readonly options: EventBridgeScheduleControlOptions,
  ) {}

  static scheduleName(tenantId: string, scheduleId: string): string {
    return `${tenantId}-${scheduleId}`;
  }

  private request(schedule: ControlledSchedule): UpdateScheduleCommandInput {
    return {
      Name: EventBridgeScheduleControl.scheduleName(schedule.tenantId, schedule.scheduleId),
      GroupName: this.options.groupName,
      ScheduleExpression: schedule.expression,
      ScheduleExpressionTimezone: schedule.timeZone,
      State: schedule.enabled ? 'ENABLED' : 'DISABLED',
      Description: schedule.description?.slice(0, 512),
      // Fire at the slot: the slot is the idempotency key, a flexible window would only blur it.
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'NONE',
      Target: {
        Arn: this.options.stateMachineArn,
        RoleArn: this.options.roleArn,
        Input: JSON.stringify({
          context: { tenantId: schedule.tenantId, actor: 'system:scheduler' },
          scheduled: { scheduleId: schedule.scheduleId, slot: SCHEDULED_TIME },
        }),
        RetryPolicy: { MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 10 },
      },
    };
  }

  async put(schedule: ControlledSchedule, mode: 'create' | 'update'): Promise<void> {
    const input = this.request(schedule);
    try {
      if (mode === 'create') await this.scheduler.send(new CreateScheduleCommand(input));
      else await this.scheduler.send(new UpdateScheduleCommand(input));
    } catch (error) {
      if (error instanceof ConflictException) throw new Conflict(`schedule ${input.Name} already exists in EventBridge Scheduler`, { cause: error });
      // An update of a schedule EventBridge lost (deleted by hand): put it back.
      if (error instanceof ResourceNotFoundException && mode === 'update') {
        await this.call(() => this.scheduler.send(new CreateScheduleCommand(input)));
        return;
      }
      throw new DependencyFailed(`EventBridge Scheduler refused ${mode} of ${input.Name}: ${(error as Error).message}`, { cause: error });
    }
  }

  async remove(tenantId: string, scheduleId: string): Promise<void> {
    try {
      await this.scheduler.send(
        new DeleteScheduleCommand({ Name: EventBridgeScheduleControl.scheduleName(tenantId, scheduleId), GroupName: this.options.groupName }),
      );
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return;
      throw new DependencyFailed(`EventBridge Scheduler refused to delete ${tenantId}-${scheduleId}: ${(error as Error).message}`, { cause: error });
    }
  }

  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw new DependencyFailed(`EventBridge Scheduler: ${(error as Error).message}`, { cause: error });
    }
  }
}
