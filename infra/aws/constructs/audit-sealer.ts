import { Duration, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { PROJECT_PATHS } from '../project-paths';
import { grantAuditSealing } from './data-access';
import { StewardFunction } from './steward-function';
import type { TenantAccess } from './tenant-access';

export interface AuditSealerProps {
  /** The metadata table; its stream must carry new images (the filter reads `entity`). */
  readonly table: dynamodb.ITable;
  /** The table's key. */
  readonly key: kms.IKey;
  /** Tenant trails are sealed through tenant sessions. */
  readonly tenantAccess: TenantAccess;
  /** What awsPlatform() reads at cold start (table, identity, tenant role). */
  readonly environment: Readonly<Record<string, string>>;
  /**
   * How often the backstop sweep seals every tenant's pending events (what a
   * failed or lost stream invocation left behind).
   *
   * @default Duration.minutes(15)
   */
  readonly sweepInterval?: Duration;
  /** Stream records per invocation. @default 100 */
  readonly batchSize?: number;
  /** @default logs.RetentionDays.THREE_MONTHS */
  readonly logRetention?: logs.RetentionDays;
  /** @default true */
  readonly bundle?: boolean;
}

/**
 * functions/audit-sealer/handler.ts on the table's stream: every audit event
 * INSERT (and nothing else, by an event filter) wakes the sealer for its
 * owner's hash chain; a schedule sends `{ "sweep": true }` as a backstop.
 * Failed batches are bisected and retried, then their position is sent to an
 * encrypted dead-letter queue.
 *
 * Its own role reaches only the platform's audit trail and the tenant
 * registry index; tenant trails (`T#<id>#AUDIT…`) are sealed through a
 * TenantAccess session per tenant, so no `T#` key is granted here.
 * (`dynamodb:LeadingKeys` could only say `T#*#AUDIT*`, a wildcard where the
 * tenant belongs; the session says exactly one tenant.)
 */
export class AuditSealer extends Construct {
  readonly fn: StewardFunction;
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: AuditSealerProps) {
    super(scope, id);
    this.fn = new StewardFunction(this, 'Function', {
      entry: PROJECT_PATHS.auditSealerHandler,
      description: 'Steward audit sealer: hash-chains new audit events (table stream + sweep)',
      // Read-back retries and a sweep over every tenant take longer than a request.
      timeout: Duration.minutes(5),
      memorySize: 512,
      environment: props.environment,
      logRetention: props.logRetention,
      bundle: props.bundle,
    });
    grantAuditSealing(this.fn.role, { table: props.table, key: props.key });
    props.tenantAccess.grantAssume(this.fn.role);

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      // Holds where a failed batch sat in the stream (shard, sequence numbers), never item data.
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        "This queue is itself the dead-letter (on-failure) destination of the sealer's stream event source mapping; cdk-nag only recognises DLQs named in another queue's redrive policy.",
    });

    this.fn.function.addEventSource(
      new DynamoEventSource(props.table, {
        startingPosition: lambda.StartingPosition.LATEST,
        batchSize: props.batchSize ?? 100,
        maxBatchingWindow: Duration.seconds(1),
        bisectBatchOnError: true,
        retryAttempts: 5,
        // The handler reports the first record of an owner it could not seal.
        reportBatchItemFailures: true,
        onFailure: new SqsDlq(this.deadLetterQueue),
        filters: [
          lambda.FilterCriteria.filter({
            eventName: filterRule('INSERT'),
            dynamodb: { NewImage: { entity: { S: filterRule('audit-event') } } },
          }),
        ],
      }),
    );

    Validations.of(this.fn.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'dynamodb:ListStreams (reading the table stream) supports no resource-level permissions; the stream record actions are granted on the stream ARN only.',
    });

    new events.Rule(this, 'Sweep', {
      description: 'Steward audit sealer backstop sweep',
      schedule: events.Schedule.rate(props.sweepInterval ?? Duration.minutes(15)),
      targets: [new targets.LambdaFunction(this.fn.function, { event: events.RuleTargetInput.fromObject({ sweep: true }), retryAttempts: 2 })],
    });
  }
}

/** CDK types FilterRule.isEqual's pattern as `any`; it is a JSON filter pattern. */
function filterRule(value: string): unknown {
  return lambda.FilterRule.isEqual(value);
}
