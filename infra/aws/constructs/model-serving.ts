import { ArnFormat, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { iam5ResourceFinding } from '../nag-findings';

/** SageMaker resource names of every tenant: `<tenantId>-…`, and tenant ids start with `t` (core/storage/keys.ts). */
const TENANT_NAMES = 't*';

export interface ModelServingProps {
  /** The artifact bucket: SageMaker reads model artifacts and writes captured shadow answers under tenants/. */
  readonly bucket: s3.IBucket;
}

/**
 * What the `deploy` machine needs to run models on SageMaker: the execution
 * role SageMaker assumes (read artifacts, write captures, below `tenants/`
 * only); grants for the state machine whose SageMaker service integrations
 * drive the control plane (`grantDeployMachine`), for the steps that describe
 * and smoke-test endpoints (`grantEndpointUse`), and for the API, which rolls
 * back, promotes canaries and undeploys through the SDK (`grantDeploy`).
 */
export class ModelServing extends Construct {
  readonly executionRole: iam.Role;

  constructor(scope: Construct, id: string, props: ModelServingProps) {
    super(scope, id);
    this.executionRole = new iam.Role(this, 'ExecutionRole', {
      assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),
      description: 'Assumed by SageMaker to serve Steward models: reads tenant artifacts, writes captured inputs and outputs',
    });
    props.bucket.grantRead(this.executionRole, 'tenants/*');
    props.bucket.grantPut(this.executionRole, 'tenants/*/captures/*');
    // batch-score's transforms write each partition's answer below the tenant's transforms/ folder (core/batch/batch-transform.ts).
    props.bucket.grantPut(this.executionRole, 'tenants/*/transforms/*');
    // train-evaluate's training jobs write model.tar.gz below the run folder (core/training/container-training-plan.ts).
    props.bucket.grantPut(this.executionRole, 'tenants/*/models/*/runs/*');
    for (const resource of [
      props.bucket.arnForObjects('tenants/*'),
      props.bucket.arnForObjects('tenants/*/captures/*'),
      props.bucket.arnForObjects('tenants/*/transforms/*'),
      props.bucket.arnForObjects('tenants/*/models/*/runs/*'),
    ]) {
      Validations.of(this.executionRole).acknowledge({
        id: iam5ResourceFinding(this, resource),
        reason: 'Model artifacts and captures of every tenant live below tenants/; endpoint tags name the tenant each model belongs to.',
      });
    }
    for (const action of [
      'Action::s3:GetBucket*',
      'Action::s3:GetObject*',
      'Action::s3:List*',
      'Action::s3:Abort*',
      'Action::kms:GenerateDataKey*',
      'Action::kms:ReEncrypt*',
    ]) {
      Validations.of(this.executionRole).acknowledge({
        id: `AwsSolutions-IAM5[${action}]`,
        reason: 'The read/put grants CDK generates for the artifact bucket and its KMS key.',
      });
    }
  }

  /**
   * The `deploy` state machine's SageMaker service integrations
   * (state-machines/deploy.asl.json): CreateModel, CreateEndpointConfig,
   * CreateEndpoint (with AddTags, which tagging on create needs) only with a
   * TenantId tag in the request, UpdateEndpoint, DescribeEndpoint and
   * DeleteEndpoint (removing an endpoint a failed deployment created), ListTags, all on
   * tenant-prefixed names (`<tenantId>-…`, tenant ids start with `t`), and
   * iam:PassRole of the execution role to SageMaker only.
   */
  grantDeployMachine(stateMachine: sfn.StateMachine): void {
    const stack = Stack.of(this);
    const arn = (resource: string) => stack.formatArn({ service: 'sagemaker', resource, resourceName: TENANT_NAMES, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
    const [model, config, endpoint] = [arn('model'), arn('endpoint-config'), arn('endpoint')];
    stateMachine.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'SageMakerCreateTenantTagged',
        actions: ['sagemaker:AddTags', 'sagemaker:CreateEndpoint', 'sagemaker:CreateEndpointConfig', 'sagemaker:CreateModel'],
        resources: [model, config, endpoint],
        conditions: { Null: { 'aws:RequestTag/TenantId': 'false' } },
      }),
    );
    stateMachine.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'SageMakerEndpointLifecycle',
        // UpdateEndpoint is authorized on the endpoint and on the config it moves to.
        actions: ['sagemaker:DeleteEndpoint', 'sagemaker:DescribeEndpoint', 'sagemaker:UpdateEndpoint'],
        resources: [config, endpoint],
      }),
    );
    stateMachine.addToRolePolicy(
      // Step Functions reads the tags of what its SageMaker integrations create (the grants aws-stepfunctions-tasks gives these tasks).
      new iam.PolicyStatement({ sid: 'SageMakerListTags', actions: ['sagemaker:ListTags'], resources: [model, config, endpoint] }),
    );
    stateMachine.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'SageMakerPassExecutionRole',
        actions: ['iam:PassRole'],
        resources: [this.executionRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
      }),
    );
    for (const resource of [model, config, endpoint]) {
      Validations.of(stateMachine.role).acknowledge({
        id: iam5ResourceFinding(this, resource),
        reason:
          'SageMaker names are chosen per deployment as <tenantId>-<deploymentId>; the wildcard covers tenant-prefixed names only, and creation requires a TenantId tag.',
      });
    }
  }

  /**
   * The `batch-score` state machine (state-machines/batch-score.asl.json):
   * `sagemaker:createModel` for a version no endpoint serves, and
   * `sagemaker:createTransformJob.sync` per partition, from the Distributed
   * Map's child executions, which run as this same role. What the CDK's
   * SageMakerCreateTransformJob task grants for RUN_JOB, narrowed to
   * tenant-prefixed names: CreateTransformJob and AddTags (tagging on create)
   * only with a TenantId tag in the request, Describe/StopTransformJob (the
   * `.sync` poll, and stopping the job when the execution stops), ListTags,
   * the EventBridge rule through which Step Functions learns a transform job
   * ended, and iam:PassRole of the execution role to SageMaker only.
   */
  grantBatchMachine(stateMachine: sfn.StateMachine): void {
    const stack = Stack.of(this);
    const arn = (resource: string) => stack.formatArn({ service: 'sagemaker', resource, resourceName: TENANT_NAMES, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
    const [model, transformJob] = [arn('model'), arn('transform-job')];
    stateMachine.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'BatchTransformCreateTenantTagged',
        actions: ['sagemaker:AddTags', 'sagemaker:CreateModel', 'sagemaker:CreateTransformJob'],
        resources: [model, transformJob],
        conditions: { Null: { 'aws:RequestTag/TenantId': 'false' } },
      }),
    );
    stateMachine.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'BatchTransformFollow',
        actions: ['sagemaker:DescribeTransformJob', 'sagemaker:StopTransformJob'],
        resources: [transformJob],
      }),
    );
    stateMachine.addToRolePolicy(new iam.PolicyStatement({ sid: 'BatchTransformListTags', actions: ['sagemaker:ListTags'], resources: [model, transformJob] }));
    stateMachine.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'BatchTransformCompletionEvents',
        actions: ['events:DescribeRule', 'events:PutRule', 'events:PutTargets'],
        resources: [stack.formatArn({ service: 'events', resource: 'rule', resourceName: 'StepFunctionsGetEventsForSageMakerTransformJobsRule' })],
      }),
    );
    stateMachine.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'BatchTransformPassExecutionRole',
        actions: ['iam:PassRole'],
        resources: [this.executionRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
      }),
    );
    for (const resource of [model, transformJob]) {
      Validations.of(stateMachine.role).acknowledge({
        id: iam5ResourceFinding(this, resource),
        reason:
          'Batch transform jobs are named <tenantId>-b<jobId>-p<partition> and models <tenantId>-…; the wildcard covers tenant-prefixed names only, and creation requires a TenantId tag.',
      });
    }
  }

  /**
   * The `train-evaluate` state machine's training containers
   * (`sagemaker:createTrainingJob.sync`, state-machines/train-evaluate.asl.json):
   * what the CDK's SageMakerCreateTrainingJob task grants for RUN_JOB,
   * narrowed to tenant-prefixed job names (`<tenantId>-train-<run hash>`):
   * CreateTrainingJob and AddTags only with a TenantId tag in the request,
   * Describe/StopTrainingJob (the `.sync` poll and a stopped execution),
   * ListTags, the EventBridge rule through which Step Functions learns a
   * training job ended, and iam:PassRole of the execution role to SageMaker only.
   * The job's log goes to CloudWatch (`/aws/sagemaker/TrainingJobs`), written by SageMaker; the steps copy it (ContainerTraining.grantLogRead).
   */
  grantTrainingMachine(stateMachine: sfn.StateMachine): void {
    const stack = Stack.of(this);
    const trainingJob = stack.formatArn({
      service: 'sagemaker',
      resource: 'training-job',
      resourceName: TENANT_NAMES,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
    stateMachine.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'TrainingJobCreateTenantTagged',
        actions: ['sagemaker:AddTags', 'sagemaker:CreateTrainingJob'],
        resources: [trainingJob],
        conditions: { Null: { 'aws:RequestTag/TenantId': 'false' } },
      }),
    );
    stateMachine.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'TrainingJobFollow',
        actions: ['sagemaker:DescribeTrainingJob', 'sagemaker:StopTrainingJob', 'sagemaker:ListTags'],
        resources: [trainingJob],
      }),
    );
    stateMachine.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'TrainingJobCompletionEvents',
        actions: ['events:DescribeRule', 'events:PutRule', 'events:PutTargets'],
        resources: [stack.formatArn({ service: 'events', resource: 'rule', resourceName: 'StepFunctionsGetEventsForSageMakerTrainingJobsRule' })],
      }),
    );
    stateMachine.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'TrainingJobPassExecutionRole',
        actions: ['iam:PassRole'],
        resources: [this.executionRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
      }),
    );
    Validations.of(stateMachine.role).acknowledge({
      id: iam5ResourceFinding(this, trainingJob),
      reason: 'Training jobs are named <tenantId>-train-<run hash>; the wildcard covers tenant-prefixed names only, and creation requires a TenantId tag.',
    });
  }

  /** The deploy steps: the plan asks whether the endpoint exists, the smoke test invokes each variant. */
  grantEndpointUse(grantee: iam.IRole): void {
    const stack = Stack.of(this);
    const endpoint = stack.formatArn({ service: 'sagemaker', resource: 'endpoint', resourceName: TENANT_NAMES, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
    iam.Grant.addToPrincipal({ grantee, actions: ['sagemaker:DescribeEndpoint', 'sagemaker:InvokeEndpoint'], resourceArns: [endpoint] });
    Validations.of(grantee).acknowledge({
      id: iam5ResourceFinding(this, endpoint),
      reason: 'Endpoint names are <tenantId>-<endpointName>, chosen per tenant at deployment time.',
    });
  }

  /**
   * Lets `grantee` (the execution recorder) do what the deploy machine's
   * rollback branch does when an execution ended TIMED_OUT or ABORTED without
   * it (core/pipelines/abandoned-runs.ts): replay the live deployment (create
   * its models and config when missing, update the endpoint) or delete an
   * endpoint the cut-off deployment created; tenant-prefixed names only, no
   * InvokeEndpoint, iam:PassRole of the execution role to SageMaker only.
   */
  grantEndpointRestore(grantee: iam.IRole): void {
    const stack = Stack.of(this);
    const arn = (resource: string) => stack.formatArn({ service: 'sagemaker', resource, resourceName: TENANT_NAMES, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
    const resources = [arn('model'), arn('endpoint-config'), arn('endpoint')];
    iam.Grant.addToPrincipal({
      grantee,
      actions: [
        'sagemaker:CreateModel',
        'sagemaker:CreateEndpointConfig',
        'sagemaker:CreateEndpoint',
        'sagemaker:UpdateEndpoint',
        'sagemaker:DescribeEndpoint',
        'sagemaker:DeleteEndpoint',
        'sagemaker:AddTags',
      ],
      resourceArns: resources,
    });
    this.executionRole.grantPassRole(grantee);
    for (const resource of resources) {
      Validations.of(grantee).acknowledge({
        id: iam5ResourceFinding(this, resource),
        reason: 'Model, config and endpoint names are <tenantId>-<deploymentId> / <tenantId>-<endpointName>; the wildcard covers tenant-prefixed names only.',
      });
    }
  }

  /** Lets `grantee` (the API: rollback, canary steps, undeploy) drive SageMaker's control plane and pass the execution role. */
  grantDeploy(grantee: iam.IRole): void {
    const stack = Stack.of(this);
    const arn = (resource: string) => stack.formatArn({ service: 'sagemaker', resource, resourceName: '*', arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
    const resources = [arn('model'), arn('endpoint-config'), arn('endpoint')];
    iam.Grant.addToPrincipal({
      grantee,
      actions: [
        'sagemaker:CreateModel',
        'sagemaker:CreateEndpointConfig',
        'sagemaker:CreateEndpoint',
        'sagemaker:UpdateEndpoint',
        'sagemaker:DescribeEndpoint',
        'sagemaker:DeleteEndpoint',
        'sagemaker:AddTags',
        'sagemaker:InvokeEndpoint',
      ],
      resourceArns: resources,
    });
    this.executionRole.grantPassRole(grantee);
    for (const resource of resources) {
      Validations.of(grantee).acknowledge({
        id: iam5ResourceFinding(this, resource),
        reason: 'Model, config and endpoint names are chosen per deployment (<tenantId>-<deploymentId>); every one is tagged TenantId.',
      });
    }
  }
}
