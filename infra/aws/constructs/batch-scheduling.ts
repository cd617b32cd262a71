import { RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct, type IConstruct } from 'constructs';
import { iam5ResourceFinding } from '../nag-findings';

export interface BatchSchedulingProps {
  /** The batch-score state machine every schedule starts. */
  readonly stateMachine: sfn.IStateMachine;
  /**
   * The schedule group holding every tenant's schedules.
   *
   * @default '<namePrefix>-batch'
   */
  readonly scheduleGroupName?: string;
  /** @default 'steward' */
  readonly namePrefix?: string;
}

/**
 * EventBridge Scheduler for batch jobs: one schedule group, and the role
 * schedules assume to start the batch-score state machine (that machine
 * only, and only for schedules of this account). The schedules themselves
 * are created at run time by the API, one per Steward schedule
 * (core/adapters/scheduler/eventbridge-schedule-control.ts), so they are not
 * in the template: {@link grantManage} lets the API manage them in this
 * group and pass this role to them.
 */
export class BatchScheduling extends Construct {
  readonly group: scheduler.ScheduleGroup;
  /** What EventBridge Scheduler assumes to start batch-score. */
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: BatchSchedulingProps) {
    super(scope, id);
    const namePrefix = props.namePrefix ?? 'steward';
    this.group = new scheduler.ScheduleGroup(this, 'Group', {
      scheduleGroupName: props.scheduleGroupName ?? `${namePrefix}-batch`,
      // Deleting the group deletes its schedules; the records stay in the table, so a redeploy can recreate them.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.role = new iam.Role(this, 'TargetRole', {
      description: `${namePrefix}: EventBridge Scheduler starts batch-score`,
      // Confused-deputy guard: only schedules of this account may use the role.
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } } }),
    });
    props.stateMachine.grantStartExecution(this.role);
  }

  /** STEWARD_SCHEDULE_GROUP and STEWARD_SCHEDULER_ROLE_ARN, which functions/shared/aws-platform.ts reads. */
  environment(): Record<string, string> {
    return { STEWARD_SCHEDULE_GROUP: this.group.scheduleGroupName, STEWARD_SCHEDULER_ROLE_ARN: this.role.roleArn };
  }

  /** Create, update, read and delete schedules of this group, and hand them this role (to EventBridge Scheduler only). */
  grantManage(grantee: iam.IGrantable & IConstruct): void {
    this.group.grantReadSchedules(grantee);
    this.group.grantWriteSchedules(grantee);
    this.group.grantDeleteSchedules(grantee);
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['iam:PassRole'],
      resourceArns: [this.role.roleArn],
      conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
    });
    const schedules = Stack.of(this).formatArn({ service: 'scheduler', resource: 'schedule', resourceName: `${this.group.scheduleGroupName}/*` });
    Validations.of(grantee).acknowledge({
      id: iam5ResourceFinding(this, schedules),
      reason: 'Schedules are created at run time, one per tenant schedule, named <tenantId>-<scheduleId>; the wildcard covers this one schedule group.',
    });
  }
}
