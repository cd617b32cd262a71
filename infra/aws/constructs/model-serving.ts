import { ArnFormat, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { iam5ResourceFinding } from '../nag-findings';

export interface ModelServingProps {
  /** The artifact bucket: SageMaker reads model artifacts and writes captured shadow answers under tenants/. */
  readonly bucket: s3.IBucket;
}

/**
 * What the `deploy` machine needs to run models on SageMaker: the execution
 * role SageMaker assumes (read artifacts, write captures, below `tenants/`
 * only), and grants for the step functions that drive the control plane
 * (CreateModel, CreateEndpointConfig, Create/Update/Describe/DeleteEndpoint,
 * and iam:PassRole of that one role to SageMaker).
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
    for (const resource of [props.bucket.arnForObjects('tenants/*'), props.bucket.arnForObjects('tenants/*/captures/*')]) {
      Validations.of(this.executionRole).acknowledge({ id: iam5ResourceFinding(this, resource), reason: 'Model artifacts and captures of every tenant live below tenants/; endpoint tags name the tenant each model belongs to.' });
    }
    for (const action of ['Action::s3:GetBucket*', 'Action::s3:GetObject*', 'Action::s3:List*', 'Action::s3:Abort*', 'Action::kms:GenerateDataKey*', 'Action::kms:ReEncrypt*']) {
      Validations.of(this.executionRole).acknowledge({ id: `AwsSolutions-IAM5[${action}]`, reason: 'The read/put grants CDK generates for the artifact bucket and its KMS key.' });
    }
  }

  /** Lets `grantee` (the deploy steps) drive SageMaker's control plane and pass the execution role. */
  grantDeploy(grantee: iam.IRole): void {
    const stack = Stack.of(this);
    const arn = (resource: string) => stack.formatArn({ service: 'sagemaker', resource, resourceName: '*', arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
    const resources = [arn('model'), arn('endpoint-config'), arn('endpoint')];
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['sagemaker:CreateModel', 'sagemaker:CreateEndpointConfig', 'sagemaker:CreateEndpoint', 'sagemaker:UpdateEndpoint', 'sagemaker:DescribeEndpoint', 'sagemaker:DeleteEndpoint', 'sagemaker:AddTags', 'sagemaker:InvokeEndpoint'],
      resourceArns: resources,
    });
    this.executionRole.grantPassRole(grantee);
    for (const resource of resources) {
      Validations.of(grantee).acknowledge({ id: iam5ResourceFinding(this, resource), reason: 'Model, config and endpoint names are chosen per deployment (<tenantId>-<deploymentId>); every one is tagged TenantId.' });
    }
  }
}
