import { ArnFormat, CfnOutput, Duration, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { PLAN_NAMES, PLANS } from '../../../core/tenancy/plans';
import { ApiFirewall } from '../constructs/api-firewall';
import { InspectorFunction } from '../constructs/inspector-function';
import { BEARER_CREDENTIAL_PATTERN } from '../../../core/identity/credential-shape';
import { StewardApi } from '../constructs/api';
import { ArtifactBucket } from '../constructs/artifact-bucket';
import { StewardConsole } from '../constructs/console';
import { ModelServing } from '../constructs/model-serving';
import { ContainerTraining } from '../constructs/container-training';
import { AuditSealer } from '../constructs/audit-sealer';
import { grantControlPlaneData, grantControlPlaneTenantAppends, grantTenantOffboarding, type TableData } from '../constructs/data-access';
import { StewardIdentity } from '../constructs/identity';
import { MetadataTable } from '../constructs/metadata-table';
import { OnnxRuntimeLayer } from '../constructs/onnx-runtime-layer';
import { Pipelines } from '../constructs/pipelines';
import { ExecutionRecording } from '../constructs/execution-recording';
import { BatchScheduling } from '../constructs/batch-scheduling';
import { DISTRIBUTED_MAPS } from '../distributed-map';
import { StewardFunction } from '../constructs/steward-function';
import { TenantAccess } from '../constructs/tenant-access';
import { TenantUsagePlans } from '../constructs/tenant-usage-plans';
import { PROJECT_PATHS } from '../project-paths';

export type StewardLogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT';

export interface StewardStackProps extends StackProps {
  /**
   * Bundle every function with esbuild at synth. Template-only tests pass
   * `false`: functions get an inline stand-in, handler modules are still checked.
   *
   * @default true
   */
  readonly bundleFunctions?: boolean;
  /**
   * Prefix of physical names (state machines, the API function, usage plans).
   * A second stack in the same account and region, e.g. a siloed premium
   * tenant, needs its own.
   *
   * @default 'steward'
   */
  readonly namePrefix?: string;
  /** @default - `state-machines/` at the project root */
  readonly stateMachinesDir?: string;
  /** @default - `functions/pipeline-steps/` at the project root */
  readonly pipelineStepsDir?: string;
  /** STEWARD_LOG_LEVEL of every function. @default 'INFO' */
  readonly logLevel?: StewardLogLevel;
  /** Browser origins allowed to use presigned artifact URLs: the console's, spelled out (no wildcard). @default - none */
  readonly corsAllowedOrigins?: string[];
  /**
   * Put a WAFv2 web ACL in front of the API stage.
   *
   * @default true
   */
  readonly apiFirewall?: boolean;
  /**
   * Whether Cognito requires a TOTP second factor at sign-in.
   *
   * @default 'optional'
   */
  readonly mfa?: 'optional' | 'required';
  /**
   * Cognito feature plan: `plus` adds threat protection (enforced), at a
   * higher price per monthly active user.
   *
   * @default 'plus'
   */
  readonly userPoolFeaturePlan?: 'essentials' | 'plus';
}

/**
 * Everything Steward runs on in one AWS account and region: the metadata
 * table, the artifact bucket, Cognito, the tenant data role, one state machine
 * per pipeline definition, the audit sealer, and the REST API with its Lambda
 * authorizer and per-plan usage plans. The same class stamps a siloed
 * tenant's stack.
 *
 * Function roles reach only control-plane items (`P#…`); tenant items and
 * objects are reached through TenantAccess sessions tagged with the tenant.
 */
export class StewardStack extends Stack {
  readonly dataKey: kms.Key;
  /** onnxruntime-node for the API and the pipeline steps; absent when functions are not bundled. */
  readonly onnxRuntime?: OnnxRuntimeLayer;
  readonly metadata: MetadataTable;
  readonly artifacts: ArtifactBucket;
  readonly modelServing: ModelServing;
  /** train-evaluate's training template images (built at deploy) and the steps' read of training jobs' CloudWatch logs. */
  readonly containerTraining: ContainerTraining;
  readonly identity: StewardIdentity;
  readonly tenantAccess: TenantAccess;
  readonly pipelines: Pipelines;
  readonly authorizerFunction: StewardFunction;
  readonly apiFunction: StewardFunction;
  /** Where uploads are inspected; the API and the pipeline steps may invoke it, nothing else. */
  readonly inspector: InspectorFunction;
  readonly api: StewardApi;
  readonly usagePlans: TenantUsagePlans;
  readonly auditSealer: AuditSealer;
  /** Step Functions status changes → tenant execution records. */
  readonly executionRecording: ExecutionRecording;
  readonly console: StewardConsole;
  /** EventBridge Scheduler for batch jobs; absent when no batch-score pipeline is deployed. */
  readonly batchScheduling?: BatchScheduling;

  constructor(scope: Construct, id: string, props: StewardStackProps = {}) {
    super(scope, id, props);
    const namePrefix = props.namePrefix ?? 'steward';
    const bundle = props.bundleFunctions ?? true;

    this.dataKey = new kms.Key(this, 'DataKey', {
      description: `${namePrefix}: encrypts tenant metadata (DynamoDB) and artifacts (S3)`,
      enableKeyRotation: true,
    });
    this.metadata = new MetadataTable(this, 'Metadata', { encryptionKey: this.dataKey });
    this.artifacts = new ArtifactBucket(this, 'Artifacts', {
      encryptionKey: this.dataKey,
      corsAllowedOrigins: props.corsAllowedOrigins,
    });
    const table = this.metadata.table;
    const bucket = this.artifacts.bucket;
    this.modelServing = new ModelServing(this, 'ModelServing', { bucket });
    this.containerTraining = new ContainerTraining(this, 'ContainerTraining', { executionRole: this.modelServing.executionRole });
    const tableData: TableData = { table, key: this.dataKey };

    this.identity = new StewardIdentity(this, 'Identity', {
      mfa: props.mfa === 'required' ? cognito.Mfa.REQUIRED : cognito.Mfa.OPTIONAL,
      featurePlan: props.userPoolFeaturePlan === 'essentials' ? cognito.FeaturePlan.ESSENTIALS : cognito.FeaturePlan.PLUS,
    });
    this.tenantAccess = new TenantAccess(this, 'TenantAccess', { table, bucket, dataKey: this.dataKey });

    // What awsPlatform() (functions/shared/aws-platform.ts) requires of every function at cold start.
    const platformEnvironment: Record<string, string> = {
      STEWARD_MODE: 'aws',
      STEWARD_TABLE_NAME: table.tableName,
      STEWARD_BUCKET_NAME: bucket.bucketName,
      STEWARD_LOG_LEVEL: props.logLevel ?? 'INFO',
      ...this.identity.environment(),
      STEWARD_TENANT_ROLE_ARN: this.tenantAccess.role.roleArn,
      STEWARD_SAGEMAKER_ROLE_ARN: this.modelServing.executionRole.roleArn,
    };

    // Only real bundles can load it; template-only synths skip the 25 MB copy.
    this.onnxRuntime = bundle ? new OnnxRuntimeLayer(this, 'OnnxRuntime') : undefined;
    const layers = this.onnxRuntime ? [this.onnxRuntime.layer] : undefined;
    this.inspector = new InspectorFunction(this, 'Inspector', { layers, bundle });

    this.pipelines = new Pipelines(this, 'Pipelines', {
      stateMachinesDir: props.stateMachinesDir,
      stepsDir: props.pipelineStepsDir,
      namePrefix,
      stepEnvironment: { ...platformEnvironment, ...this.inspector.environment(), ...this.containerTraining.environment() },
      stepLayers: layers,
      bundleFunctions: bundle,
      distributedMaps: DISTRIBUTED_MAPS,
    });
    // Steps read the tenant registry (plan quotas); everything else they touch is the tenant's.
    grantControlPlaneData(this.pipelines.stepsRole, tableData, 'read');
    this.tenantAccess.grantAssume(this.pipelines.stepsRole);
    // The deploy machine drives SageMaker through service integrations (state-machines/deploy.asl.json); its steps only describe and smoke-test.
    this.modelServing.grantEndpointUse(this.pipelines.stepsRole);
    const deployMachine = this.pipelines.stateMachines.get('deploy');
    if (deployMachine) this.modelServing.grantDeployMachine(deployMachine);
    const batchMachine = this.pipelines.stateMachines.get('batch-score');
    if (batchMachine) this.modelServing.grantBatchMachine(batchMachine);
    const trainMachine = this.pipelines.stateMachines.get('train-evaluate');
    if (trainMachine) this.modelServing.grantTrainingMachine(trainMachine);
    // CollectTrainedModel and RecordFailure copy a finished training job's log from CloudWatch into the run folder.
    this.containerTraining.grantLogRead(this.pipelines.stepsRole);
    // A training step registers its model version, which inspects the artifact.
    this.inspector.grantInvoke(this.pipelines.stepsRole);

    this.executionRecording = new ExecutionRecording(this, 'ExecutionRecording', {
      stateMachines: this.pipelines.stateMachines,
      tableData,
      tenantAccess: this.tenantAccess,
      environment: platformEnvironment,
      bundle,
    });
    // A deploy that timed out or was aborted never ran its rollback branch: the recorder puts the endpoint back (core/pipelines/abandoned-runs.ts).
    this.modelServing.grantEndpointRestore(this.executionRecording.fn.role);

    this.authorizerFunction = new StewardFunction(this, 'AuthorizerFunction', {
      entry: PROJECT_PATHS.authorizerHandler,
      description: `${namePrefix}: API Gateway TOKEN authorizer (Cognito ID tokens and CI tokens)`,
      timeout: Duration.seconds(10),
      environment: platformEnvironment,
      bundle,
    });
    // Registry, CI token lookups and platform admins are control-plane items; user and token records are read in a tenant session.
    grantControlPlaneData(this.authorizerFunction.role, tableData, 'read');
    this.tenantAccess.grantAssume(this.authorizerFunction.role);
    const authorizer = new apigateway.TokenAuthorizer(this, 'Authorizer', {
      handler: this.authorizerFunction.function,
      identitySource: apigateway.IdentitySource.header('Authorization'),
      // API Gateway answers 401 itself for anything not shaped like a credential: junk never costs an invocation.
      validationRegex: BEARER_CREDENTIAL_PATTERN,
      // No caching: the authorizer re-checks that the tenant and the user are
      // active and the CI token is not revoked, so a suspension or revocation
      // must act on the very next request. A cached Allow would keep a revoked
      // credential working for the whole TTL.
      resultsCacheTtl: Duration.seconds(0),
    });

    const batchScore = this.pipelines.stateMachines.get('batch-score');
    this.batchScheduling = batchScore ? new BatchScheduling(this, 'BatchScheduling', { stateMachine: batchScore, namePrefix }) : undefined;

    // The API function's environment names the usage plans, which name the
    // stage, whose deployment names every method, whose integration would
    // name the function: a cycle. The integration therefore addresses the
    // function by its (fixed) name instead of by reference.
    const apiFunctionName = `${namePrefix}-api`;
    const apiHandler = lambda.Function.fromFunctionAttributes(this, 'ApiFunctionByName', {
      functionArn: this.formatArn({ service: 'lambda', resource: 'function', resourceName: apiFunctionName, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
      sameEnvironment: true,
    });
    const largestRate = Math.max(...PLAN_NAMES.map((plan) => PLANS[plan].apiRatePerSecond));
    this.api = new StewardApi(this, 'Api', {
      handler: apiHandler,
      authorizer,
      apiName: namePrefix,
      // The stage limit caps all tenants together; below the largest plan's rate that plan would be a promise the stage breaks.
      throttlingRateLimit: largestRate,
      throttlingBurstLimit: 2 * largestRate,
    });
    this.usagePlans = new TenantUsagePlans(this, 'UsagePlans', { api: this.api.restApi, stage: this.api.stage, namePrefix, plans: PLANS });

    this.apiFunction = new StewardFunction(this, 'ApiFunction', {
      entry: PROJECT_PATHS.apiHandler,
      functionName: apiFunctionName,
      description: `${namePrefix}: REST API (hono)`,
      // API Gateway gives up on the integration after 29 s.
      timeout: Duration.seconds(29),
      environment: {
        ...platformEnvironment,
        ...this.inspector.environment(),
        STEWARD_STATE_MACHINES: this.toJsonString(this.pipelines.stateMachineArns()),
        STEWARD_USAGE_PLANS: this.toJsonString(this.usagePlans.usagePlanIds()),
        ...this.batchScheduling?.environment(),
      },
      layers,
      bundle,
    });
    // API Gateway's invoke permission names the function by that name too; it must wait for the function.
    for (const permission of this.api.node.findAll().filter((c): c is lambda.CfnPermission => c instanceof lambda.CfnPermission)) {
      permission.node.addDependency(this.apiFunction.function);
    }

    const apiRole = this.apiFunction.role;
    this.pipelines.grantRun(this.apiFunction);
    this.inspector.grantInvoke(apiRole);
    grantControlPlaneData(apiRole, tableData, 'read-write');
    grantControlPlaneTenantAppends(apiRole, tableData);
    grantTenantOffboarding(apiRole, tableData);
    this.tenantAccess.grantAssume(apiRole);
    this.identity.grantDirectoryAdministration(apiRole);
    this.usagePlans.grantKeyManagement(this.apiFunction);
    // Scoring (InvokeEndpoint), rollback and undeploy run in the API itself.
    this.modelServing.grantDeploy(apiRole);
    this.batchScheduling?.grantManage(this.apiFunction);
    apiRole.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'TableHealthProbe', actions: ['dynamodb:DescribeTable'], resources: [table.tableArn] }));
    apiRole.addToPrincipalPolicy(
      // For the bucket health probe. HeadBucket is authorized as s3:ListBucket,
      // which would list every tenant's keys; GetBucketLocation proves the
      // bucket answers without that (the probe must switch to it).
      new iam.PolicyStatement({ sid: 'BucketHealthProbe', actions: ['s3:GetBucketLocation'], resources: [bucket.bucketArn] }),
    );

    this.auditSealer = new AuditSealer(this, 'AuditSealer', {
      table,
      key: this.dataKey,
      tenantAccess: this.tenantAccess,
      environment: platformEnvironment,
      bundle,
    });

    if (props.apiFirewall ?? true) {
      new ApiFirewall(this, 'ApiFirewall', { stageArn: this.api.stage.stageArn, metricPrefix: namePrefix });
    } else {
      Validations.of(this.api.stage).acknowledge({
        id: 'AwsSolutions-APIG3',
        reason: 'The deployer turned the WAF off (apiFirewall: false); stage throttling and the tenant usage plans still apply.',
      });
    }

    this.console = new StewardConsole(this, 'Console', {
      connectOrigins: [`https://${this.api.restApi.restApiId}.execute-api.${this.region}.${this.urlSuffix}`, `https://${bucket.bucketRegionalDomainName}`],
    });
    new CfnOutput(this, 'ConsoleUrl', { value: `https://${this.console.distribution.distributionDomainName}/`, description: 'The web console (CloudFront)' });
    new CfnOutput(this, 'ConsoleBucketName', {
      value: this.console.bucket.bucketName,
      description: 'Upload web/dist here (aws s3 sync web/dist s3://… --delete)',
    });

    new CfnOutput(this, 'UserPoolId', { value: this.identity.userPool.userPoolId, description: 'Cognito user pool of Steward users' });
    new CfnOutput(this, 'ConsoleClientId', {
      value: this.identity.consoleClient.userPoolClientId,
      description: 'Cognito app client of the console (SRP, no secret)',
    });
    new CfnOutput(this, 'JwtIssuer', { value: this.identity.issuer, description: 'iss of the ID tokens the API accepts' });
  }
}
