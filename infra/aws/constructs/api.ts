import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** Paths served without authorization, whatever authorizer is attached. */
export const PUBLIC_API_PATHS: readonly string[] = ['/health', '/openapi.json', '/docs'];

export interface StewardApiProps {
  /** The function running the hono app (proxy integration). */
  readonly handler: lambda.IFunction;
  /**
   * Authorizer for every route except the public paths and CORS preflight.
   * The tenancy work attaches its Lambda (TOKEN or REQUEST) authorizer here;
   * nothing else in this construct has to change.
   *
   * @default - no API Gateway authorizer
   */
  readonly authorizer?: apigateway.IAuthorizer;
  /**
   * Paths that stay public (GET only), e.g. health checks and API docs.
   *
   * @default PUBLIC_API_PATHS
   */
  readonly publicPaths?: readonly string[];
  /** @default 'prod' */
  readonly stageName?: string;
  /** Display name of the REST API. @default 'steward' */
  readonly apiName?: string;
  /**
   * Stage-wide steady-state requests per second; per-tenant usage plans
   * narrow this further.
   *
   * @default 100
   */
  readonly throttlingRateLimit?: number;
  /** @default 200 */
  readonly throttlingBurstLimit?: number;
  /** @default logs.RetentionDays.THREE_MONTHS */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * The REST API in front of the hono app: a `{proxy+}` Lambda proxy plus the
 * root, JSON access logs, X-Ray, stage throttling and request validation.
 * Public paths get their own resources so they stay open when an authorizer
 * is attached to the rest.
 */
export class StewardApi extends Construct {
  readonly restApi: apigateway.RestApi;
  readonly stage: apigateway.Stage;
  readonly accessLogGroup: logs.LogGroup;
  /** Method options of every protected method (authorizer, validator). */
  readonly protectedMethodOptions: apigateway.MethodOptions;

  constructor(scope: Construct, id: string, props: StewardApiProps) {
    super(scope, id);
    const stageName = props.stageName ?? 'prod';
    const logRetention = props.logRetention ?? logs.RetentionDays.THREE_MONTHS;

    this.accessLogGroup = new logs.LogGroup(this, 'AccessLogs', { retention: logRetention, removalPolicy: RemovalPolicy.RETAIN });
    this.restApi = new apigateway.RestApi(this, 'RestApi', {
      restApiName: props.apiName ?? 'steward',
      description: 'Steward REST API',
      endpointTypes: [apigateway.EndpointType.REGIONAL],
      // Execution logging (below) needs the account-level CloudWatch role.
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN,
      deployOptions: {
        stageName,
        tracingEnabled: true,
        metricsEnabled: true,
        loggingLevel: apigateway.MethodLoggingLevel.ERROR,
        // Bodies carry tenant data; keep them out of execution logs.
        dataTraceEnabled: false,
        throttlingRateLimit: props.throttlingRateLimit ?? 100,
        throttlingBurstLimit: props.throttlingBurstLimit ?? 200,
        accessLogDestination: new apigateway.LogGroupLogDestination(this.accessLogGroup),
        accessLogFormat: accessLogFormat(),
      },
    });
    this.stage = this.restApi.deploymentStage;

    // API Gateway creates this group on first request with no retention; own it instead.
    new logs.LogGroup(this, 'ExecutionLogs', {
      logGroupName: `API-Gateway-Execution-Logs_${this.restApi.restApiId}/${stageName}`,
      retention: logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    const requestValidator = this.restApi.addRequestValidator('RequestValidator', {
      validateRequestBody: true,
      validateRequestParameters: true,
    });
    const integration = new apigateway.LambdaIntegration(props.handler, {
      proxy: true,
      // One invoke permission for the whole API instead of two per method.
      scopePermissionToMethod: false,
    });
    this.protectedMethodOptions = {
      requestValidator,
      ...(props.authorizer ? { authorizer: props.authorizer } : { authorizationType: apigateway.AuthorizationType.NONE }),
    };
    const publicOptions: apigateway.MethodOptions = { requestValidator, authorizationType: apigateway.AuthorizationType.NONE };

    const proxy = this.restApi.root.addResource('{proxy+}');
    for (const resource of [this.restApi.root, proxy]) {
      resource.addMethod('ANY', integration, this.protectedMethodOptions);
      // Browsers send preflight without credentials; the app answers CORS.
      acknowledgePublic(resource.addMethod('OPTIONS', integration, publicOptions), 'CORS preflight requests carry no credentials by design (Fetch standard).');
    }
    for (const publicPath of props.publicPaths ?? PUBLIC_API_PATHS) {
      const method = this.restApi.root.resourceForPath(publicPath).addMethod('GET', integration, publicOptions);
      acknowledgePublic(method, `${publicPath} is public by design (health checks and API documentation hold no tenant data).`);
    }

    if (!props.authorizer) {
      for (const id of ['AwsSolutions-APIG4', 'AwsSolutions-COG4']) {
        Validations.of(this.restApi).acknowledge({
          id,
          reason:
            'No API Gateway authorizer yet: Cognito and the Lambda authorizer arrive with the tenancy issue and plug in through StewardApiProps.authorizer, which drops this acknowledgement. Do not deploy tenant-data routes before then.',
        });
      }
    }
    Validations.of(this.restApi).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason: 'The account-level API Gateway logging role uses the AWS managed policy made for exactly this (writing execution logs).',
    });
  }
}

function acknowledgePublic(method: apigateway.Method, reason: string): void {
  for (const id of ['AwsSolutions-APIG4', 'AwsSolutions-COG4']) Validations.of(method).acknowledge({ id, reason });
}

/** One JSON object per request, joinable with Lambda logs on requestId and X-Ray on xrayTraceId. */
function accessLogFormat(): apigateway.AccessLogFormat {
  const f = apigateway.AccessLogField;
  return apigateway.AccessLogFormat.custom(
    JSON.stringify({
      requestId: f.contextRequestId(),
      extendedRequestId: f.contextExtendedRequestId(),
      requestTime: f.contextRequestTime(),
      httpMethod: f.contextHttpMethod(),
      resourcePath: f.contextResourcePath(),
      path: f.contextPath(),
      status: f.contextStatus(),
      protocol: f.contextProtocol(),
      responseLength: f.contextResponseLength(),
      responseLatency: f.contextResponseLatency(),
      integrationLatency: f.contextIntegrationLatency(),
      integrationStatus: f.contextIntegrationStatus(),
      sourceIp: f.contextIdentitySourceIp(),
      userAgent: f.contextIdentityUserAgent(),
      principalId: f.contextAuthorizerPrincipalId(),
      xrayTraceId: f.contextXrayTraceId(),
      wafResponseCode: f.contextWafResponseCode(),
      errorMessage: f.contextErrorMessage(),
    }),
  );
}
