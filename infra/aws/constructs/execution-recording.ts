import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { PROJECT_PATHS } from '../project-paths';
import { grantControlPlaneData, type TableData } from './data-access';
import { StewardFunction } from './steward-function';
import type { TenantAccess } from './tenant-access';

export interface ExecutionRecordingProps {
  /** Pipeline name → state machine whose executions are recorded. */
  readonly stateMachines: ReadonlyMap<string, sfn.IStateMachine>;
  /** The metadata table and its key: the recorder reads the control plane's execution → tenant mapping. */
  readonly tableData: TableData;
  /** Tenant execution logs are written through a TenantAccess session per tenant. */
  readonly tenantAccess: TenantAccess;
  /** What awsPlatform() reads at cold start (table, identity, tenant role). */
  readonly environment: Readonly<Record<string, string>>;
  /** @default logs.RetentionDays.THREE_MONTHS */
  readonly logRetention?: logs.RetentionDays;
  /** @default true */
  readonly bundle?: boolean;
}

/**
 * Execution records on AWS: an EventBridge rule on Step Functions'
 * "Execution Status Change" events of Steward's own state machines (the
 * parents only: a Distributed Map child's state machine ARN has a `/label`
 * suffix and does not match) → functions/execution-recorder/handler.ts, which
 * writes the tenant's execution record through the execution log the local
 * runner writes. Deliveries are retried for two hours, then parked in an
 * encrypted dead-letter queue; the recorder is idempotent, so a redelivery
 * or an out-of-order event changes nothing.
 *
 * Its role reads only control-plane items (the mapping); the tenant's log is
 * written in a tenant session, so no `T#` key is granted here. For TIMED_OUT
 * and ABORTED executions it also settles the run's subject
 * (core/pipelines/abandoned-runs.ts); the stack grants it the SageMaker control
 * a cut-off deploy's rollback needs (ModelServing.grantEndpointRestore).
 */
export class ExecutionRecording extends Construct {
  readonly fn: StewardFunction;
  readonly rule: events.Rule;
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: ExecutionRecordingProps) {
    super(scope, id);
    if (props.stateMachines.size === 0) throw new Error('ExecutionRecording needs at least one state machine');
    const arns = Object.fromEntries([...props.stateMachines].map(([name, machine]) => [name, machine.stateMachineArn]));
    this.fn = new StewardFunction(this, 'Function', {
      entry: PROJECT_PATHS.executionRecorderHandler,
      description: 'Steward execution recorder: Step Functions status changes into tenant execution logs',
      // Settling a cut-off train-segments run looks at each of its family's models (core/pipelines/abandoned-runs.ts).
      timeout: Duration.seconds(60),
      memorySize: 256,
      environment: { ...props.environment, STEWARD_STATE_MACHINES: Stack.of(this).toJsonString(arns) },
      logRetention: props.logRetention,
      bundle: props.bundle,
    });
    grantControlPlaneData(this.fn.role, props.tableData, 'read');
    props.tenantAccess.grantAssume(this.fn.role);

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      // Holds undelivered status-change events (execution ARN, status, input summary) for replay.
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        "This queue is itself the dead-letter queue of the recorder's EventBridge target; cdk-nag only recognises DLQs named in another queue's redrive policy.",
    });

    this.rule = new events.Rule(this, 'StatusChanges', {
      description: 'Steward: Step Functions execution status changes of Steward pipelines, to the execution recorder',
      eventPattern: {
        source: ['aws.states'],
        detailType: ['Step Functions Execution Status Change'],
        detail: { stateMachineArn: Object.values(arns) },
      },
      targets: [
        new targets.LambdaFunction(this.fn.function, {
          retryAttempts: 185,
          maxEventAge: Duration.hours(2),
          deadLetterQueue: this.deadLetterQueue,
        }),
      ],
    });
  }
}
