import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** A method served without authorization. */
export interface PublicRoute {
  readonly method: string;
  readonly path: string;
}

/**
 * The routes api/http/guards.ts builds with `publicRoute` that exist on AWS:
 * health, the API description and its renderer, and tenant sign-up. The local
 * issuer's `/auth/*` and `/.well-known/*` are not exposed: Cognito plays that
 * part on AWS, and those paths fall under `{proxy+}`, behind the authorizer.
 */
export const PUBLIC_API_ROUTES: readonly PublicRoute[] = [
  { method: 'GET', path: '/health' },
  { method: 'GET', path: '/openapi.json' },
  { method: 'GET', path: '/docs' },
  { method: 'GET', path: '/docs/scalar.js' },
  { method: 'POST', path: '/signup' },
];

/**
 * Platform administration (`/platform/...`): authorized like every other
 * route, but not metered by a tenant usage plan, since a platform
 * administrator belongs to no tenant and the authorizer returns no usage key.
 */
export const PLATFORM_API_PATHS: readonly string[] = ['/platform'];

export interface StewardApiProps {
  /** The function running the hono app (proxy integration). */
  readonly handler: lambda.IFunction;
  /**
   * Authorizer for every route except the public routes and CORS preflight.
   * Without one every route is open, and cdk-nag says so (APIG4, COG4).
   *
   * @default - no API Gateway authorizer
   */
  readonly authorizer?: apigateway.IAuthorizer;
  /**
   * Meter tenant routes by the usage identifier key the authorizer returns
   * (`apiKeySourceType: AUTHORIZER`, `apiKeyRequired` on every authorized
   * method outside `platformPaths`), so the tenant's usage plan applies.
   *
   * @default - true when an authorizer is given
   */
  readonly meterByAuthorizerKey?: boolean;
  /**
   * Routes that stay public, e.g. health checks and API docs.
   *
   * @default PUBLIC_API_ROUTES
   */
  readonly publicRoutes?: readonly PublicRoute[];
  /**
   * Paths (and everything below them) that are authorized but not metered.
   *
   * @default PLATFORM_API_PATHS
   */
  readonly platformPaths?: readonly string[];
  /** @default 'prod' */
  readonly stageName?: string;
  /** Display name of the REST API. @default 'steward' */
  readonly apiName?: string;
  /**
   * Stage-wide steady-state requests per second, all clients together; the
   * tenants' usage plans narrow it per tenant. It must be at least the
   * largest plan's rate, or that plan promises more than the stage allows.
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
 * Public routes get their own resources so they stay open when an authorizer
 * is attached to the rest; platform paths get theirs so they escape the
 * tenant usage plans.
 */
export class StewardApi extends Construct {
  readonly restApi: apigateway.RestApi;
  readonly stage: apigateway.Stage;
  readonly accessLogGroup: logs.LogGroup;
  /** Method options of every metered tenant method (authorizer, usage key, validator). */
  readonly protectedMethodOptions: apigateway.MethodOptions;

  constructor(scope: Construct, id: string, props: StewardApiProps) {
    super(scope, id);
    const stageName = props.stageName ?? 'prod';
    const logRetention = props.logRetention ?? logs.RetentionDays.THREE_MONTHS;
    const meter = props.meterByAuthorizerKey ?? props.authorizer !== undefined;
    if (meter && !props.authorizer) throw new Error(`${this.node.path}: meterByAuthorizerKey needs an authorizer to return the usage key`);

    this.accessLogGroup = new logs.LogGroup(this, 'AccessLogs', { retention: logRetention, removalPolicy: RemovalPolicy.RETAIN });
    this.restApi = new apigateway.RestApi(this, 'RestApi', {
      restApiName: props.apiName ?? 'steward',
      description: 'Steward REST API',
      endpointTypes: [apigateway.EndpointType.REGIONAL],
      // The usage plan key comes from the authorizer (usageIdentifierKey), never from a client header.
      ...(meter ? { apiKeySourceType: apigateway.ApiKeySourceType.AUTHORIZER } : {}),
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
    const publicOptions: apigateway.MethodOptions = { requestValidator, authorizationType: apigateway.AuthorizationType.NONE };
    const authorized: apigateway.MethodOptions = {
      requestValidator,
      ...(props.authorizer ? { authorizer: props.authorizer } : { authorizationType: apigateway.AuthorizationType.NONE }),
    };
    this.protectedMethodOptions = { ...authorized, apiKeyRequired: meter };

    const withPreflight = new Set<apigateway.IResource>();
    const preflight = (resource: apigateway.IResource) => {
      if (withPreflight.has(resource)) return;
      withPreflight.add(resource);
      // Browsers send preflight without credentials; it goes to the app like any request.
      acknowledgePublic(resource.addMethod('OPTIONS', integration, publicOptions), 'CORS preflight requests carry no credentials by design (Fetch standard).');
    };
    const protect = (method: apigateway.Method) => {
      if (props.authorizer) {
        Validations.of(method).acknowledge({
          id: 'AwsSolutions-COG4',
          reason:
            'Authorized by the Lambda TOKEN authorizer, which verifies Cognito ID tokens (signature, issuer, audience, token_use) and Steward CI tokens (stw_...); a Cognito user pool authorizer accepts only the former and cannot check that the tenant and user are still active.',
        });
      }
    };

    const proxy = this.restApi.root.addResource('{proxy+}');
    for (const resource of [this.restApi.root, proxy]) {
      protect(resource.addMethod('ANY', integration, this.protectedMethodOptions));
      preflight(resource);
    }
    for (const platformPath of props.platformPaths ?? PLATFORM_API_PATHS) {
      const base = this.restApi.root.resourceForPath(platformPath);
      for (const resource of [base, base.addResource('{proxy+}')]) {
        protect(resource.addMethod('ANY', integration, { ...authorized, apiKeyRequired: false }));
        preflight(resource);
      }
    }
    for (const route of props.publicRoutes ?? PUBLIC_API_ROUTES) {
      const resource = this.restApi.root.resourceForPath(route.path);
      const method = resource.addMethod(route.method, integration, publicOptions);
      acknowledgePublic(
        method,
        `${route.method} ${route.path} is public by design (health checks, API documentation and tenant sign-up requests hold no tenant data; sign-up only records a request a platform administrator must approve).`,
      );
      preflight(resource);
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
