import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  SchedulerClient,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { EventBridgeScheduleControl } from '../../../core/adapters/scheduler/eventbridge-schedule-control';
import { Conflict, DependencyFailed } from '../../../core/errors';

const TENANT = 'tabcdefghjkmnpqr';
const SCHEDULE_ID = '01m94bffzkzcbmm9haj8z8np2a';
const OPTIONS = {
  groupName: 'steward-batch',
  stateMachineArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:steward-batch-score',
  roleArn: 'arn:aws:iam::123456789012:role/steward-scheduler',
};
const SCHEDULE = {
  tenantId: TENANT,
  scheduleId: SCHEDULE_ID,
  expression: 'cron(30 7 ? * MON-FRI *)',
  timeZone: 'Europe/Paris',
  enabled: true,
  description: 'nightly scores',
};

const EXPECTED = {
  Name: `${TENANT}-${SCHEDULE_ID}`,
  GroupName: 'steward-batch',
  ScheduleExpression: 'cron(30 7 ? * MON-FRI *)',
  ScheduleExpressionTimezone: 'Europe/Paris',
  State: 'ENABLED',
  Description: 'nightly scores',
  FlexibleTimeWindow: { Mode: 'OFF' },
  ActionAfterCompletion: 'NONE',
  Target: {
    Arn: OPTIONS.stateMachineArn,
    RoleArn: OPTIONS.roleArn,
    Input: JSON.stringify({
      context: { tenantId: TENANT, actor: 'system:scheduler' },
      scheduled: { scheduleId: SCHEDULE_ID, slot: '<aws.scheduler.scheduled-time>' },
    }),
    RetryPolicy: { MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 10 },
  },
};

describe('EventBridge Scheduler schedule control', () => {
  const scheduler = mockClient(SchedulerClient);
  const control = new EventBridgeScheduleControl(new SchedulerClient({ region: 'eu-west-1' }), OPTIONS);
  afterEach(() => scheduler.reset());

  it('creates one schedule per Steward schedule, targeting batch-score with the tenant and the slot placeholder', async () => {
    scheduler.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn' });
    await control.put(SCHEDULE, 'create');
    expect(scheduler).toHaveReceivedCommandTimes(CreateScheduleCommand, 1);
    expect(scheduler).toHaveReceivedCommandWith(CreateScheduleCommand, EXPECTED);
    expect(EXPECTED.Name.length).toBeLessThanOrEqual(64);
  });

  it('updates with the whole definition (UpdateSchedule replaces), disabled as State DISABLED', async () => {
    scheduler.on(UpdateScheduleCommand).resolves({ ScheduleArn: 'arn' });
    await control.put({ ...SCHEDULE, enabled: false, expression: 'rate(5 minutes)' }, 'update');
    expect(scheduler).toHaveReceivedCommandWith(UpdateScheduleCommand, { ...EXPECTED, State: 'DISABLED', ScheduleExpression: 'rate(5 minutes)' });
    expect(scheduler).not.toHaveReceivedCommand(CreateScheduleCommand);
  });

  it('re-creates a schedule that vanished from EventBridge on update', async () => {
    scheduler.on(UpdateScheduleCommand).rejects(new ResourceNotFoundException({ message: 'gone', Message: 'gone', $metadata: {} }));
    scheduler.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn' });
    await control.put(SCHEDULE, 'update');
    expect(scheduler).toHaveReceivedCommandWith(CreateScheduleCommand, EXPECTED);
  });

  it('deletes by name and group; an absent schedule is already deleted', async () => {
    scheduler
      .on(DeleteScheduleCommand)
      .resolvesOnce({})
      .rejectsOnce(new ResourceNotFoundException({ message: 'gone', Message: 'gone', $metadata: {} }));
    await control.remove(TENANT, SCHEDULE_ID);
    await control.remove(TENANT, SCHEDULE_ID);
    expect(scheduler).toHaveReceivedCommandTimes(DeleteScheduleCommand, 2);
    expect(scheduler).toHaveReceivedCommandWith(DeleteScheduleCommand, { Name: `${TENANT}-${SCHEDULE_ID}`, GroupName: 'steward-batch' });
  });

  it('maps refusals to domain errors', async () => {
    scheduler
      .on(CreateScheduleCommand)
      .rejectsOnce(new ConflictException({ message: 'exists', Message: 'exists', $metadata: {} }))
      .rejectsOnce(new Error('throttled'));
    await expect(control.put(SCHEDULE, 'create')).rejects.toBeInstanceOf(Conflict);
    await expect(control.put(SCHEDULE, 'create')).rejects.toBeInstanceOf(DependencyFailed);
  });
});
