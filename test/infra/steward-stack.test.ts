import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { listAslFiles, pipelineNameOf, renderAslDefinition, renderAslText } from '../../infra/aws/asl-definition';
import { PLATFORM_API_PATHS, PUBLIC_API_ROUTES, StewardApi } from '../../infra/aws/constructs/api';
import { PROJECT_PATHS } from '../../infra/aws/project-paths';
import { withDistributedMaps } from '../../infra/aws/distributed-map';
import { TABLE_INDEXES, TABLE_KEYS, TTL_ATTRIBUTE } from '../../core/storage/table-design';
import { PLAN_NAMES, PLANS } from '../../core/tenancy/plans';
import { oneTaskDefinition, tempDir } from './support/fixtures';
import { cdkJsonContext, FIXTURES, removeTestOutdirs, stewardTestApp } from './support/steward-test-app';

afterAll(removeTestOutdirs);

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

const largestRate = Math.max(...PLAN_NAMES.map((plan) => PLANS[plan].apiRatePerSecond));

describe('StewardStack with the fixture pipelines', () => {
  let template: Template;
  let resources: Resources;

  beforeAll(() => {
    const { stack } = stewardTestApp({ stateMachinesDir: FIXTURES.stateMachines, pipelineStepsDir: FIXTURES.pipelineSteps });
    template = Template.fromStack(stack);
    resources = template.toJSON().Resources as Resources;
  });

  const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
  const apiFunction = () => {
    const [entry] = ofType('AWS::Lambda::Function').filter(([, r]) => r.Properties.Description === 'steward: REST API (hono)');
    return entry[1].Properties as { Environment: { Variables: Record<string, unknown> } };
  };

  describe('metadata table', () => {
    it('is built from core/storage/table-design.ts, with PITR, TTL, stream and KMS encryption', () => {
      template.resourceCountIs('AWS::DynamoDB::Table', 1);
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [
          { AttributeName: TABLE_KEYS.partition, KeyType: 'HASH' },
          { AttributeName: TABLE_KEYS.sort, KeyType: 'RANGE' },
        ],
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
        StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: Match.anyValue() },
        DeletionProtectionEnabled: true,
      });
    });

    it('has exactly the GSIs of the table design, string keys, ALL projection', () => {
      const [, table] = ofType('AWS::DynamoDB::Table')[0];
      const indexes = table.Properties.GlobalSecondaryIndexes as Array<Record<string, unknown>>;
      expect(indexes).toEqual(
        TABLE_INDEXES.map((index) => ({
          IndexName: index.name,
          KeySchema: [
            { AttributeName: index.partition, KeyType: 'HASH' },
            { AttributeName: index.sort, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        })),
      );
      const attributes = table.Properties.AttributeDefinitions as Array<{ AttributeName: string; AttributeType: string }>;
      expect(attributes.every((a) => a.AttributeType === 'S')).toBe(true);
    });

    it('is retained when the stack goes', () => {
      template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    });

    it('uses a customer-managed key with rotation', () => {
      template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    });
  });

  describe('artifact bucket', () => {
    it('is KMS-encrypted, versioned, private, logged to the access log bucket', () => {
      const logBucket = Object.entries(resources).find(([id, r]) => r.Type === 'AWS::S3::Bucket' && id.includes('AccessLogBucket'));
      expect(logBucket).toBeDefined();
      template.hasResourceProperties('AWS::S3::Bucket', {
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [
            { BucketKeyEnabled: true, ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: Match.anyValue() } },
          ],
        },
        VersioningConfiguration: { Status: 'Enabled' },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        LoggingConfiguration: { DestinationBucketName: { Ref: logBucket![0] }, LogFilePrefix: 'artifacts/' },
      });
    });

    it('expires noncurrent versions (CORS, staging and content keys: test/infra/artifact-bucket-hardening.test.ts)', () => {
      template.hasResourceProperties('AWS::S3::Bucket', {
        LifecycleConfiguration: {
          Rules: Match.arrayWith([Match.objectLike({ NoncurrentVersionExpiration: { NoncurrentDays: 90 }, Status: 'Enabled' })]),
        },
      });
    });

    it('denies every request without TLS, on every bucket (artifacts and their logs, the console site and its logs)', () => {
      const policies = ofType('AWS::S3::BucketPolicy');
      expect(policies).toHaveLength(4);
      for (const [, policy] of policies) {
        expect(policy.Properties.PolicyDocument).toMatchObject({
          Statement: expect.arrayContaining([
            expect.objectContaining({
              Effect: 'Deny',
              Action: 's3:*',
              Principal: { AWS: '*' },
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        });
      }
    });
  });

  describe('functions', () => {
    it('all run nodejs22.x on arm64 with active tracing and their own log group', () => {
      const functions = ofType('AWS::Lambda::Function');
      // API, authorizer, audit sealer, inspector, execution recorder + 3 distinct steps (ValidateInput is shared by both fixture pipelines).
      expect(functions).toHaveLength(8);
      for (const [, fn] of functions) {
        expect(fn.Properties).toMatchObject({
          Runtime: 'nodejs22.x',
          Architectures: ['arm64'],
          MemorySize: expect.any(Number),
          TracingConfig: { Mode: 'Active' },
          LoggingConfig: { LogGroup: { Ref: expect.any(String) } },
        });
      }
    });

    it('log groups keep logs for a bounded time', () => {
      for (const [, group] of ofType('AWS::Logs::LogGroup')) {
        expect(group.Properties.RetentionInDays).toBe(90);
      }
    });

    it('no role carries AWSLambdaBasicExecutionRole (each writes only its own log group)', () => {
      expect(JSON.stringify(ofType('AWS::IAM::Role'))).not.toContain('AWSLambdaBasicExecutionRole');
    });

    it('gives the API function the settings core/config/settings.ts reads', () => {
      const variables = apiFunction().Environment.Variables;
      expect(variables).toMatchObject({
        STEWARD_MODE: 'aws',
        STEWARD_TABLE_NAME: { Ref: expect.stringMatching(/^MetadataTable/) },
        STEWARD_BUCKET_NAME: { Ref: expect.stringMatching(/^ArtifactsBucket/) },
        STEWARD_LOG_LEVEL: 'INFO',
      });
    });

    it('passes STEWARD_STATE_MACHINES as a JSON object of pipeline name to state machine ARN', () => {
      expect(stateMachinesEnv(template)).toEqual({
        'batch-score': { Ref: expect.stringMatching(/^PipelinesBatchScore/) },
        'train-evaluate': { Ref: expect.stringMatching(/^PipelinesTrainEvaluate/) },
      });
    });
  });

  describe('pipelines', () => {
    it('builds one state machine per ASL file, named after the file', () => {
      template.resourceCountIs('AWS::StepFunctions::StateMachine', listAslFiles(FIXTURES.stateMachines).length);
      for (const name of ['steward-train-evaluate', 'steward-batch-score']) {
        template.hasResourceProperties('AWS::StepFunctions::StateMachine', { StateMachineName: name, StateMachineType: 'STANDARD' });
      }
    });

    it('deploys each file verbatim and substitutes each step with its function ARN', () => {
      const text = fs.readFileSync(`${FIXTURES.stateMachines}/train-evaluate.asl.json`, 'utf8');
      const [, machine] = ofType('AWS::StepFunctions::StateMachine').find(([, r]) => r.Properties.StateMachineName === 'steward-train-evaluate')!;
      expect(machine.Properties.DefinitionString).toBe(text);
      expect(machine.Properties.DefinitionSubstitutions).toEqual({
        ValidateInputFunctionArn: { 'Fn::GetAtt': [expect.stringMatching(/^PipelinesStepsValidateInput/), 'Arn'] },
        TrainModelFunctionArn: { 'Fn::GetAtt': [expect.stringMatching(/^PipelinesStepsTrainModel/), 'Arn'] },
      });
    });

    it('renders (renderAslText) to the same document as the file does (renderAslDefinition)', () => {
      const machines = template.findResources('AWS::StepFunctions::StateMachine', {
        Properties: { StateMachineName: 'steward-batch-score' },
      });
      const { DefinitionString, DefinitionSubstitutions } = Object.values(machines)[0].Properties as {
        DefinitionString: string;
        DefinitionSubstitutions: Record<string, { 'Fn::GetAtt': [string, string] }>;
      };
      const arns = Object.fromEntries(Object.entries(DefinitionSubstitutions).map(([key, value]) => [key, `arn:${value['Fn::GetAtt'][0]}`]));
      // batch-score's ScorePartitions deploys as a Distributed Map (infra/aws/distributed-map.ts); nothing else differs.
      const file = fs.readFileSync(path.join(FIXTURES.stateMachines, 'batch-score.asl.json'), 'utf8');
      expect(renderAslText(DefinitionString, arns)).toBe(renderAslText(withDistributedMaps(file, ['ScorePartitions']), arns));
      expect(renderAslDefinition(path.join(FIXTURES.stateMachines, 'batch-score.asl.json'), arns)).toBe(renderAslText(file, arns));
    });

    it('shares a step function between state machines that name the same step', () => {
      const validateIds = ofType('AWS::StepFunctions::StateMachine').map(
        ([, r]) => (r.Properties.DefinitionSubstitutions as Record<string, { 'Fn::GetAtt': [string, string] }>).ValidateInputFunctionArn['Fn::GetAtt'][0],
      );
      expect(validateIds).toHaveLength(2);
      expect(new Set(validateIds).size).toBe(1);
    });

    it('logs ALL events with execution data and traces with X-Ray', () => {
      for (const [, machine] of ofType('AWS::StepFunctions::StateMachine')) {
        expect(machine.Properties).toMatchObject({
          LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: true, Destinations: [expect.anything()] },
          TracingConfiguration: { Enabled: true },
        });
      }
      template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/aws/vendedlogs/states/steward-train-evaluate' });
    });

    it('lets each state machine invoke only the functions it names', () => {
      const [id] = ofType('AWS::StepFunctions::StateMachine').find(([, r]) => r.Properties.StateMachineName === 'steward-batch-score')!;
      const [, policy] = ofType('AWS::IAM::Policy').find(([policyId]) => policyId.startsWith(id.replace(/[0-9A-F]{8}$/, 'Role')))!;
      const invoke = (policy.Properties.PolicyDocument as { Statement: Array<{ Action: unknown; Resource: unknown }> }).Statement.find(
        (s) => s.Action === 'lambda:InvokeFunction',
      )!;
      const targets = JSON.stringify(invoke.Resource);
      expect(targets).toContain('PipelinesStepsValidateInput');
      expect(targets).toContain('PipelinesStepsScorePartition');
      expect(targets).not.toContain('PipelinesStepsTrainModel');
    });

    it('lets the API start and follow executions', () => {
      const statements = ofType('AWS::IAM::Policy')
        .filter(([id]) => id.startsWith('ApiFunctionServiceRole'))
        .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: Array<{ Action: string | string[] }> }).Statement)
        .flatMap((s) => [s.Action].flat());
      expect(statements).toEqual(expect.arrayContaining(['states:StartExecution', 'states:DescribeStateMachine', 'states:DescribeExecution']));
    });
  });

  describe('REST API', () => {
    it('is a regional RestApi with a {proxy+} Lambda proxy and the root', () => {
      template.resourceCountIs('AWS::ApiGateway::RestApi', 1);
      template.hasResourceProperties('AWS::ApiGateway::RestApi', { EndpointConfiguration: { Types: ['REGIONAL'] } });
      template.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: '{proxy+}' });
      template.hasResourceProperties('AWS::ApiGateway::Method', {
        HttpMethod: 'ANY',
        Integration: { Type: 'AWS_PROXY', IntegrationHttpMethod: 'POST' },
      });
    });

    it('stage has JSON access logs, X-Ray, execution logging and throttling', () => {
      const [, stage] = ofType('AWS::ApiGateway::Stage')[0];
      const access = stage.Properties.AccessLogSetting as { DestinationArn: unknown; Format: string };
      expect(access.DestinationArn).toBeDefined();
      expect(Object.keys(JSON.parse(access.Format))).toEqual(expect.arrayContaining(['requestId', 'status', 'principalId', 'xrayTraceId']));
      expect(stage.Properties).toMatchObject({
        TracingEnabled: true,
        MethodSettings: [
          // Stage-wide: at least the largest plan's rate, so no plan promises more than the stage allows.
          expect.objectContaining({ LoggingLevel: 'ERROR', DataTraceEnabled: false, ThrottlingRateLimit: largestRate, ThrottlingBurstLimit: 2 * largestRate }),
        ],
      });
      template.resourceCountIs('AWS::ApiGateway::Account', 1);
    });

    it('validates requests and keeps each public route as its own resource', () => {
      template.hasResourceProperties('AWS::ApiGateway::RequestValidator', { ValidateRequestBody: true, ValidateRequestParameters: true });
      for (const route of PUBLIC_API_ROUTES) {
        template.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: route.path.split('/').at(-1) });
      }
      const methods = ofType('AWS::ApiGateway::Method').map(([, m]) => m.Properties);
      expect(methods.every((m) => m.RequestValidatorId !== undefined)).toBe(true);
      expect(methods.filter((m) => m.HttpMethod !== 'ANY' && m.HttpMethod !== 'OPTIONS')).toHaveLength(PUBLIC_API_ROUTES.length);
    });

    it('is behind a WAF web ACL associated with the stage', () => {
      template.hasResourceProperties('AWS::WAFv2::WebACL', {
        Scope: 'REGIONAL',
        Rules: Match.arrayWith([Match.objectLike({ Name: 'RateLimitPerIp', Action: { Block: {} } })]),
      });
      const [stageId] = ofType('AWS::ApiGateway::Stage')[0];
      const [, association] = ofType('AWS::WAFv2::WebACLAssociation')[0];
      expect(JSON.stringify(association.Properties.ResourceArn)).toContain(stageId);
    });

    it('rate-limits every request per IP: no Authorization header escapes, a well-formed credential only earns a higher ceiling', () => {
      const [, acl] = ofType('AWS::WAFv2::WebACL')[0];
      const rules = acl.Properties.Rules as Array<{
        Name: string;
        Action?: unknown;
        Statement: { RateBasedStatement?: { Limit: number; AggregateKeyType: string; ScopeDownStatement?: unknown } };
      }>;
      const rate = (name: string) => rules.find((r) => r.Name === name)!.Statement.RateBasedStatement!;
      // One rule with no scope-down: every request of an IP counts, whatever its headers.
      const everything = rules.filter((r) => r.Statement.RateBasedStatement && !r.Statement.RateBasedStatement.ScopeDownStatement);
      expect(everything.map((r) => r.Name)).toEqual(['RateLimitPerIpAuthenticated']);
      expect(rate('RateLimitPerIpAuthenticated')).toMatchObject({ AggregateKeyType: 'IP', Limit: 30000 });
      // The lower ceiling applies to anything that is not a well-formed credential: a mere `Authorization: x` stays under it.
      expect(rate('RateLimitPerIp')).toMatchObject({ AggregateKeyType: 'IP', Limit: 3000 });
      const notCredential = rate('RateLimitPerIp').ScopeDownStatement as {
        NotStatement: { Statement: { RegexMatchStatement: { RegexString: string; FieldToMatch: unknown } } };
      };
      const { RegexString, FieldToMatch } = notCredential.NotStatement.Statement.RegexMatchStatement;
      expect(FieldToMatch).toEqual({ SingleHeader: { Name: 'authorization' } });
      const wellFormed = new RegExp(RegexString);
      expect(wellFormed.test('x')).toBe(false);
      expect(wellFormed.test('Bearer x')).toBe(false);
      expect(wellFormed.test(`Bearer stw_${'a'.repeat(26)}_${'B'.repeat(43)}`)).toBe(true);
      expect(wellFormed.test('Bearer eyJh.eyJz.c2ln')).toBe(true);
      // Public identity routes: the lowest ceiling, with no scope-down by header at all.
      const publicRoutes = rate('RateLimitPublicIdentityRoutesPerIp');
      expect(publicRoutes.Limit).toBe(100);
      expect(JSON.stringify(publicRoutes.ScopeDownStatement)).not.toContain('authorization');
      expect(
        new RegExp((publicRoutes.ScopeDownStatement as { RegexMatchStatement: { RegexString: string } }).RegexMatchStatement.RegexString).test('/prod/signup'),
      ).toBe(true);
      for (const r of rules.filter((x) => x.Statement.RateBasedStatement)) expect(r.Action).toEqual({ Block: {} });
    });

    it('does not invoke the authorizer for a malformed token: API Gateway checks its shape first', () => {
      const [, authorizer] = ofType('AWS::ApiGateway::Authorizer')[0];
      const shape = new RegExp(String(authorizer.Properties.IdentityValidationExpression));
      expect(shape.test('Authorization-junk')).toBe(false);
      expect(shape.test('Bearer not-a-token')).toBe(false);
      expect(shape.test(`Bearer stw_${'a'.repeat(26)}_${'B'.repeat(43)}`)).toBe(true);
      expect(shape.test('Bearer eyJh.eyJz.c2ln')).toBe(true);
    });
  });
});

describe('StewardStack with the repository state-machines/', () => {
  it('builds exactly one state machine per state-machines/*.asl.json, and tells the API about each', () => {
    const files = listAslFiles(PROJECT_PATHS.stateMachines);
    const { stack } = stewardTestApp();
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::StepFunctions::StateMachine', files.length);
    for (const file of files) {
      template.hasResourceProperties('AWS::StepFunctions::StateMachine', { StateMachineName: `steward-${pipelineNameOf(file)}` });
    }
    expect(Object.keys(stateMachinesEnv(template)).sort()).toEqual(files.map(pipelineNameOf).sort());
  });
});

describe('StewardStack validation at synth', () => {
  it('fails naming every step handler that does not exist yet', () => {
    const dir = tempDir({
      'train-evaluate.asl.json': oneTaskDefinition('${TrainModelFunctionArn}'),
      'deploy.asl.json': oneTaskDefinition('${CreateEndpointFunctionArn}'),
    });
    expect(() => stewardTestApp({ stateMachinesDir: dir, pipelineStepsDir: FIXTURES.pipelineSteps })).toThrow(
      /pipeline step handlers missing:\n.*\$\{CreateEndpointFunctionArn\} in .*deploy\.asl\.json needs test\/infra\/fixtures\/pipeline-steps\/create-endpoint\.ts exporting handler/,
    );
  });
});

type Method = { HttpMethod: string; AuthorizationType: string; AuthorizerId?: unknown; ApiKeyRequired?: boolean; ResourceId: unknown };

const stubFunction = (stack: Stack, id: string) =>
  new lambda.Function(stack, id, {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({});'),
  });

/** The seam the stack uses: pass an authorizer, and tenant routes are authorized and metered, platform routes authorized only. */
describe('StewardApi authorizer seam', () => {
  function methodsWith(authorizer?: (stack: Stack) => apigateway.IAuthorizer) {
    const stack = new Stack(new App({ context: cdkJsonContext() }), 'ApiOnly');
    new StewardApi(stack, 'Api', { handler: stubFunction(stack, 'Handler'), authorizer: authorizer?.(stack) });
    const template = Template.fromStack(stack);
    const resources = template.findResources('AWS::ApiGateway::Resource');
    const pathOf = (resourceId: unknown): string => {
      const ref = (resourceId as { Ref?: string }).Ref;
      if (!ref) return '';
      const props = resources[ref].Properties as { PathPart: string; ParentId: unknown };
      return `${pathOf(props.ParentId)}/${props.PathPart}`;
    };
    const methods = Object.values(template.findResources('AWS::ApiGateway::Method')).map((m) => {
      const props = m.Properties as Method;
      return {
        route: `${props.HttpMethod} ${pathOf(props.ResourceId) || '/'}`,
        type: props.AuthorizationType,
        authorized: props.AuthorizerId !== undefined,
        metered: props.ApiKeyRequired === true,
      };
    });
    return { methods, restApi: Object.values(template.findResources('AWS::ApiGateway::RestApi'))[0].Properties as Record<string, unknown> };
  }

  const tenantRoutes = ['ANY /', 'ANY /{proxy+}'];
  const platformRoutes = PLATFORM_API_PATHS.flatMap((p) => [`ANY ${p}`, `ANY ${p}/{proxy+}`]);
  const publicRoutes = PUBLIC_API_ROUTES.map((r) => `${r.method} ${r.path}`);

  it('without an authorizer, every method is open and nothing is metered (the construct alone, in tests)', () => {
    const { methods, restApi } = methodsWith();
    expect(
      methods
        .filter((m) => !m.route.startsWith('OPTIONS '))
        .map((m) => m.route)
        .sort(),
    ).toEqual([...tenantRoutes, ...platformRoutes, ...publicRoutes].sort());
    expect(methods.every((m) => m.type === 'NONE' && !m.metered)).toBe(true);
    expect(restApi).not.toHaveProperty('ApiKeySourceType');
  });

  it('with a Lambda TOKEN authorizer: tenant routes authorized and metered by the authorizer key, platform routes authorized, public routes and CORS preflight open', () => {
    const { methods, restApi } = methodsWith((stack) => new apigateway.TokenAuthorizer(stack, 'Authorizer', { handler: stubFunction(stack, 'AuthorizerFn') }));
    const byRoute = Object.fromEntries(methods.map((m) => [m.route, m]));
    for (const route of tenantRoutes) expect(byRoute[route]).toMatchObject({ type: 'CUSTOM', authorized: true, metered: true });
    for (const route of platformRoutes) expect(byRoute[route]).toMatchObject({ type: 'CUSTOM', authorized: true, metered: false });
    for (const route of publicRoutes) expect(byRoute[route]).toMatchObject({ type: 'NONE', authorized: false, metered: false });
    const preflight = methods.filter((m) => m.route.startsWith('OPTIONS '));
    // One preflight per resource, so a browser can reach every route.
    expect(preflight.map((m) => m.route.slice('OPTIONS '.length)).sort()).toEqual(
      [...new Set(['/', '/{proxy+}', ...PLATFORM_API_PATHS.flatMap((p) => [p, `${p}/{proxy+}`]), ...PUBLIC_API_ROUTES.map((r) => r.path)])].sort(),
    );
    expect(preflight.every((m) => m.type === 'NONE' && !m.metered)).toBe(true);
    expect(restApi.ApiKeySourceType).toBe('AUTHORIZER');
  });
});

/**
 * The API function's STEWARD_STATE_MACHINES, parsed: pipeline name -> `{ Ref: <state machine logical id> }`.
 * With no pipelines it is a plain "{}"; otherwise a Fn::Join with a Ref in place of each ARN.
 */
function stateMachinesEnv(template: Template): Record<string, unknown> {
  const functions = Object.values(template.findResources('AWS::Lambda::Function', { Properties: { Description: 'steward: REST API (hono)' } }));
  expect(functions).toHaveLength(1);
  const value = (functions[0].Properties.Environment.Variables as Record<string, unknown>).STEWARD_STATE_MACHINES;
  if (typeof value === 'string') return JSON.parse(value) as Record<string, unknown>;
  const [, parts] = (value as { 'Fn::Join': [string, Array<string | { Ref: string }>] })['Fn::Join'];
  const rendered = parts.map((part) => (typeof part === 'string' ? part : `ref:${part.Ref}`)).join('');
  const parsed = JSON.parse(rendered) as Record<string, string>;
  return Object.fromEntries(Object.entries(parsed).map(([name, arn]) => [name, arn.startsWith('ref:') ? { Ref: arn.slice(4) } : arn]));
}
