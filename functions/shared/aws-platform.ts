import { Logger } from '@aws-lambda-powertools/logger';
import { createAwsClients } from '../../core/adapters/aws-clients';
import { bucketProbe, tableProbe } from '../../core/adapters/aws-health-probes';
import { StepFunctionsRunner } from '../../core/adapters/sfn/step-functions-runner';
import { readSettings } from '../../core/config/settings';
import { assemblePlatform, type Platform } from '../../core/platform/platform';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { STSClient } from '@aws-sdk/client-sts';
import { CognitoUserDirectory } from '../../core/adapters/identity/cognito-user-directory';
import { JwtIdTokenVerifier } from '../../core/adapters/identity/jwt-verifier';
import { SmtpMailSender } from '../../core/adapters/mail/smtp-mail-sender';
import { UnconfiguredMailSender } from '../../core/adapters/mail/unconfigured-mail-sender';
import { TenantCredentialBroker } from '../../core/adapters/tenant-credentials';
import { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { ApiGatewayThrottling } from '../../core/adapters/api-gateway-throttling';
import { TenantObjects } from '../../core/adapters/s3/tenant-objects';
import { dynamoDbStore } from '../../core/adapters/dynamodb/dynamodb-store';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SageMakerEndpointControl } from '../../core/adapters/sagemaker/sagemaker-endpoint-control';
import { RuntimeEndpointInvoker } from '../../core/adapters/sagemaker/runtime-endpoint-invoker';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { EventBridgeScheduleControl } from '../../core/adapters/scheduler/eventbridge-schedule-control';
import type { Settings } from '../../core/config/settings';
import { DependencyFailed } from '../../core/errors';
import type { ScheduleControl } from '../../core/ports/schedule-control';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { LambdaInspector } from '../../core/adapters/inspection/lambda-inspector';
import type { FileInspector } from '../../core/ports/file-inspector';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { CloudWatchTrainingLogs } from '../../core/adapters/cloudwatch/cloudwatch-training-logs';
import { withoutSdkLogging } from '../../core/adapters/aws-clients';

/**
 * The Platform as Lambda functions see it on AWS: clients use the function's
 * role, pipelines run on Step Functions. Built once per container (cold start).
 */
export function awsPlatform(env: Record<string, string | undefined> = process.env): Platform {
  const settings = readSettings({ ...env, STEWARD_MODE: 'aws' });
  const clients = createAwsClients(settings);
  const log = new Logger({ serviceName: 'steward', logLevel: settings.STEWARD_LOG_LEVEL });
  let platform: Platform | undefined;
  const pipelines = new StepFunctionsRunner(clients.sfn, settings.STEWARD_STATE_MACHINES, () => platform!);
  const issuer = required(settings.STEWARD_JWT_ISSUER, 'STEWARD_JWT_ISSUER');
  const userPoolId = required(settings.STEWARD_USER_POOL_ID, 'STEWARD_USER_POOL_ID');
  const broker = new TenantCredentialBroker(new STSClient({ region: settings.AWS_REGION }), {
    roleArn: required(settings.STEWARD_TENANT_ROLE_ARN, 'STEWARD_TENANT_ROLE_ARN'),
    region: settings.AWS_REGION,
    dynamodbTimeoutMs: settings.STEWARD_DYNAMODB_TIMEOUT_MS,
  });
  platform = assemblePlatform({
    settings,
    log,
    pipelines,
    schedules: scheduleControl(settings),
    identity: () => ({
      verifier: new JwtIdTokenVerifier({ issuer, audience: settings.STEWARD_JWT_AUDIENCE, jwksUri: settings.STEWARD_JWKS_URI }),
      directory: new CognitoUserDirectory(new CognitoIdentityProviderClient({ region: settings.AWS_REGION }), userPoolId),
      // Cognito mails invitations itself; notices (sign-up) need a relay, else they are logged and dropped.
      mail: settings.STEWARD_SMTP_URL ? new SmtpMailSender(settings.STEWARD_SMTP_URL) : new UnconfiguredMailSender(log),
    }),
    // Many Lambda containers write one tenant's events at once: the table stream seals them (deferred).
    store: dynamoDbStore({
      tableName: settings.STEWARD_TABLE_NAME,
      documents: clients.documents,
      tenantDocuments: (tenantId) => broker.clientsFor(tenantId).documents,
    }),
    tenantObjects: (tenantId) => new TenantObjects(broker.clientsFor(tenantId).s3, settings.STEWARD_BUCKET_NAME, tenantId),
    throttling: settings.STEWARD_USAGE_PLANS
      ? new ApiGatewayThrottling(new APIGatewayClient({ region: settings.AWS_REGION }), settings.STEWARD_USAGE_PLANS)
      : undefined,
    probes: [tableProbe(clients, settings.STEWARD_TABLE_NAME), bucketProbe(clients, settings.STEWARD_BUCKET_NAME), pipelines.probe()],
    inspector: fileInspector(settings),
    // SageMaker training jobs log to CloudWatch; train-evaluate copies a finished job's log into the run folder.
    trainingLogs: new CloudWatchTrainingLogs(withoutSdkLogging(new CloudWatchLogsClient({ region: settings.AWS_REGION }))),
    serving: {
      // Image and role are read when a deployment needs them: the API Lambda scores without them.
      control: new SageMakerEndpointControl(new SageMakerClient({ region: settings.AWS_REGION }), {
        image: settings.STEWARD_SERVING_IMAGE ?? 'unset:STEWARD_SERVING_IMAGE',
        executionRoleArn: settings.STEWARD_SAGEMAKER_ROLE_ARN ?? 'unset:STEWARD_SAGEMAKER_ROLE_ARN',
      }),
      invoker: new RuntimeEndpointInvoker(clients.sagemakerRuntime),
    },
  });
  return platform;
}

/** EventBridge Scheduler when the stack deployed batch scheduling; otherwise schedule changes are refused rather than saved unfired. */
function scheduleControl(settings: Settings): ScheduleControl {
  const stateMachineArn = settings.STEWARD_STATE_MACHINES['batch-score'];
  if (settings.STEWARD_SCHEDULE_GROUP && settings.STEWARD_SCHEDULER_ROLE_ARN && stateMachineArn) {
    return new EventBridgeScheduleControl(new SchedulerClient({ region: settings.AWS_REGION }), {
      groupName: settings.STEWARD_SCHEDULE_GROUP,
      roleArn: settings.STEWARD_SCHEDULER_ROLE_ARN,
      stateMachineArn,
    });
  }
  const refuse = async () => {
    throw new DependencyFailed('batch scheduling is not deployed in this stack');
  };
  return { kind: 'eventbridge', put: refuse, remove: refuse };
}

/** The inspector function when the stack deployed one; otherwise inspections are refused, never run inside this function. */
function fileInspector(settings: Settings): FileInspector {
  const functionName = settings.STEWARD_INSPECTOR_FUNCTION;
  if (functionName) return new LambdaInspector(new LambdaClient({ region: settings.AWS_REGION }), functionName);
  const refuse = async (): Promise<never> => {
    throw new DependencyFailed('no inspector function is configured (STEWARD_INSPECTOR_FUNCTION)');
  };
  return { inspectArtifact: refuse, inspectDataset: refuse };
}

function required(value: string | undefined, name: string): string {
  if (!value) throw new Error(`${name} must be set on AWS`);
  return value;
}
