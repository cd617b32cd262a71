import { Template } from 'aws-cdk-lib/assertions';
import { TENANT_ROLES } from '../../core/access/roles';
import { TENANT_ID_LENGTH } from '../../core/storage/keys';
import { PLAN_NAMES, PLANS } from '../../core/tenancy/plans';
import { PLATFORM_API_PATHS, PUBLIC_API_ROUTES } from '../../infra/aws/constructs/api';
import { DIRECTORY_ACTIONS } from '../../infra/aws/constructs/identity';
import { FIXTURES, removeTestOutdirs, stewardTestApp } from './support/steward-test-app';

afterAll(removeTestOutdirs);

/**
 * The AWS half of tenant isolation, pinned by shape. Emulators evaluate no
 * IAM, so these assertions (with test/isolation locally and a cloud-only test
 * for a real account) are what hold the policies to the tenancy model in
 * ../shared/ARCHITECTURE.md.
 */
type Json = Record<string, unknown>;
type Resource = { Type: string; Properties: Json; DependsOn?: string[] };
type Statement = { Sid?: string; Effect: 'Allow' | 'Deny'; Action: string | string[]; Resource?: unknown; Condition?: Json; Principal?: unknown };

const PRINCIPAL_TENANT = '${aws:PrincipalTag/TenantId}';
const ONE_TENANT_ID = `t${'?'.repeat(TENANT_ID_LENGTH - 1)}`;
const TENANT_ITEM_ACTIONS = [
  'dynamodb:BatchGetItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DeleteItem',
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:Query',
  'dynamodb:UpdateItem',
];
const actionsOf = (s: Statement) => [s.Action].flat();

let resources: Record<string, Resource>;
let template: Template;

beforeAll(() => {
  const { stack } = stewardTestApp({ stateMachinesDir: FIXTURES.stateMachines, pipelineStepsDir: FIXTURES.pipelineSteps });
  template = Template.fromStack(stack);
  resources = template.toJSON().Resources as Record<string, Resource>;
});

const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const logicalId = (type: string, prefix: string): string => {
  const ids = ofType(type)
    .map(([id]) => id)
    .filter((id) => id.startsWith(prefix));
  expect(ids).toHaveLength(1);
  return ids[0];
};
const tableArn = () => ({ 'Fn::GetAtt': [logicalId('AWS::DynamoDB::Table', 'MetadataTable'), 'Arn'] });
const bucketArn = () => ({ 'Fn::GetAtt': [logicalId('AWS::S3::Bucket', 'ArtifactsBucket'), 'Arn'] });
const tenantRoleId = () => logicalId('AWS::IAM::Role', 'TenantAccessRole');

function tenantStatements(): Statement[] {
  const policies = resources[tenantRoleId()].Properties.Policies as Array<{ PolicyName: string; PolicyDocument: { Statement: Statement[] } }>;
  expect(policies.map((p) => p.PolicyName)).toEqual(['TenantData']);
  return policies[0].PolicyDocument.Statement;
}
const tenantStatement = (sid: string) => {
  const found = tenantStatements().filter((s) => s.Sid === sid);
  expect(found).toHaveLength(1);
  return found[0];
};

/** Role logical id -> every statement of the identity policies attached to it. */
function roleStatements(): Map<string, Statement[]> {
  const byRole = new Map<string, Statement[]>();
  for (const [, policy] of ofType('AWS::IAM::Policy')) {
    for (const role of policy.Properties.Roles as Array<{ Ref: string }>) {
      byRole.set(role.Ref, [...(byRole.get(role.Ref) ?? []), ...(policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement]);
    }
  }
  return byRole;
}
/** The role of the function with this description. */
const roleOf = (description: string | RegExp): string => {
  const fns = ofType('AWS::Lambda::Function').filter(([, fn]) =>
    typeof description === 'string' ? fn.Properties.Description === description : description.test(fn.Properties.Description as string),
  );
  expect(fns.length).toBeGreaterThan(0);
  return (fns[0][1].Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
};
const API = 'steward: REST API (hono)';
const AUTHORIZER = /TOKEN authorizer/;
const SEALER = /audit sealer/;
const functionRoles = () => ofType('AWS::Lambda::Function').map(([, fn]) => (fn.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0]);
const environmentOf = (description: string | RegExp) =>
  ofType('AWS::Lambda::Function').find(([, fn]) =>
    typeof description === 'string' ? fn.Properties.Description === description : description.test(fn.Properties.Description as string),
  )![1].Properties.Environment as { Variables: Json };

describe('the tenant access role (tenant data path)', () => {
  it('confines DynamoDB to the session tenant: ForAllValues:StringLike LeadingKeys T#${aws:PrincipalTag/TenantId}#*, table and indexes, item actions only', () => {
    expect(tenantStatement('TenantItems')).toEqual({
      Sid: 'TenantItems',
      Effect: 'Allow',
      Action: TENANT_ITEM_ACTIONS,
      Resource: [tableArn(), { 'Fn::Join': ['', [tableArn(), '/index/*']] }],
      Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`T#${PRINCIPAL_TENANT}#*`] } },
    });
  });

  it('grants no Scan, no PartiQL and no wildcard DynamoDB action, and no DynamoDB action without the LeadingKeys condition', () => {
    const dynamo = tenantStatements().filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')));
    expect(dynamo).toHaveLength(1);
    const actions = dynamo.flatMap(actionsOf);
    expect(actions).not.toContain('dynamodb:Scan');
    expect(actions.filter((a) => a.includes('*') || a.includes('PartiQL') || a === 'dynamodb:ExecuteStatement')).toEqual([]);
  });

  it('confines S3 objects to tenants/${aws:PrincipalTag/TenantId}/ (and its staging/${aws:PrincipalTag/TenantId}/) and listing to those prefixes', () => {
    expect(tenantStatement('TenantObjects')).toEqual({
      Sid: 'TenantObjects',
      Effect: 'Allow',
      Action: ['s3:DeleteObject', 's3:GetObject', 's3:PutObject'],
      // CDK sorts a statement's resources.
      Resource: [{ 'Fn::Join': ['', [bucketArn(), `/staging/${PRINCIPAL_TENANT}/*`]] }, { 'Fn::Join': ['', [bucketArn(), `/tenants/${PRINCIPAL_TENANT}/*`]] }],
    });
    expect(tenantStatement('ListTenantPrefix')).toEqual({
      Sid: 'ListTenantPrefix',
      Effect: 'Allow',
      Action: 's3:ListBucket',
      Resource: bucketArn(),
      Condition: { StringLike: { 's3:prefix': [`tenants/${PRINCIPAL_TENANT}/*`, `staging/${PRINCIPAL_TENANT}/*`] } },
    });
    const s3 = tenantStatements().filter((s) => actionsOf(s).some((a) => a.startsWith('s3:')));
    expect(s3.map((s) => s.Sid).sort()).toEqual(['ListTenantPrefix', 'TenantObjects']);
  });

  it('uses the data key only through DynamoDB for this table and through S3 for this bucket', () => {
    const kms = tenantStatements().filter((s) => actionsOf(s).some((a) => a.startsWith('kms:')));
    for (const statement of kms) {
      expect(Object.keys((statement.Condition?.StringEquals ?? {}) as Json)).toContain('kms:ViaService');
      expect(actionsOf(statement).every((a) => !a.includes('*'))).toBe(true);
    }
    expect(tenantStatement('TableKeyThroughDynamoDB').Condition).toMatchObject({
      StringEquals: { 'kms:EncryptionContext:aws:dynamodb:tableName': { Ref: logicalId('AWS::DynamoDB::Table', 'MetadataTable') } },
    });
    expect(tenantStatement('BucketKeyThroughS3').Condition).toMatchObject({ StringEquals: { 'kms:EncryptionContext:aws:s3:arn': bucketArn() } });
  });

  it('invokes and manages only SageMaker resources tagged with the session tenant, and creates them only so tagged', () => {
    const own = { 'aws:ResourceTag/TenantId': PRINCIPAL_TENANT };
    expect(tenantStatement('InvokeOwnEndpoints')).toMatchObject({
      Action: ['sagemaker:InvokeEndpoint', 'sagemaker:InvokeEndpointWithResponseStream'],
      Condition: { StringEquals: own },
    });
    expect(JSON.stringify(tenantStatement('InvokeOwnEndpoints').Resource)).toContain(':endpoint/*');
    expect(tenantStatement('ManageOwnSageMakerResources').Condition).toEqual({ StringEquals: own });
    expect(actionsOf(tenantStatement('ManageOwnSageMakerResources'))).toEqual(
      expect.arrayContaining([
        'sagemaker:DescribeEndpoint',
        'sagemaker:UpdateEndpoint',
        'sagemaker:DeleteEndpoint',
        'sagemaker:DeleteEndpointConfig',
        'sagemaker:DeleteModel',
      ]),
    );
    expect(tenantStatement('CreateSageMakerResourcesForOwnTenant')).toMatchObject({
      Action: ['sagemaker:AddTags', 'sagemaker:CreateEndpoint', 'sagemaker:CreateEndpointConfig', 'sagemaker:CreateModel'],
      Condition: { StringEquals: { 'aws:RequestTag/TenantId': PRINCIPAL_TENANT }, StringEqualsIfExists: own },
    });
    // Every SageMaker statement carries a tenant tag condition; none is unconditioned.
    for (const statement of tenantStatements().filter((s) => actionsOf(s).some((a) => a.startsWith('sagemaker:')))) {
      expect(JSON.stringify(statement.Condition)).toContain(PRINCIPAL_TENANT);
    }
  });

  it('trusts only the data-path function roles, which must pass exactly one TenantId tag shaped like a tenant id and no transitive tags', () => {
    const trust = resources[tenantRoleId()].Properties.AssumeRolePolicyDocument as { Statement: Statement[] };
    expect(trust.Statement).toHaveLength(1);
    const [statement] = trust.Statement;
    expect(statement).toMatchObject({
      Effect: 'Allow',
      Action: ['sts:AssumeRole', 'sts:TagSession'],
      Condition: {
        StringLike: { 'aws:RequestTag/TenantId': ONE_TENANT_ID },
        'ForAllValues:StringEquals': { 'aws:TagKeys': ['TenantId'] },
        Null: { 'sts:TransitiveTagKeys': 'true' },
      },
    });
    const trusted = (statement.Condition as { ArnEquals: { 'aws:PrincipalArn': Array<{ 'Fn::GetAtt': [string, string] }> } }).ArnEquals['aws:PrincipalArn'].map(
      (arn) => arn['Fn::GetAtt'][0],
    );
    // Every function but the inspector is on the data path: API, authorizer, sealer, execution recorder and the pipeline steps (one shared role).
    // The inspector reads untrusted files through a presigned URL and may assume nothing (issue 14).
    const inspectorRole = (
      ofType('AWS::Lambda::Function').find(([, fn]) => String(fn.Properties.Description).startsWith('Steward inspector:'))![1].Properties.Role as {
        'Fn::GetAtt': [string, string];
      }
    )['Fn::GetAtt'][0];
    expect(trusted).not.toContain(inspectorRole);
    expect(trusted.sort()).toEqual([...new Set(functionRoles())].filter((role) => role !== inspectorRole).sort());
    expect(trusted).toHaveLength(5);
    for (const role of trusted) {
      expect(roleStatements().get(role)).toContainEqual({
        Effect: 'Allow',
        Action: ['sts:AssumeRole', 'sts:TagSession'],
        Resource: { 'Fn::GetAtt': [tenantRoleId(), 'Arn'] },
      });
    }
  });
});

describe('function roles (control plane)', () => {
  const dynamoStatements = (role: string) => (roleStatements().get(role) ?? []).filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')));
  const leadingKeys = (s: Statement) => ((s.Condition?.['ForAllValues:StringLike'] ?? {}) as Json)['dynamodb:LeadingKeys'] as string[] | undefined;
  const READS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:Scan'];

  it('read no tenant item: every read is confined to P# keys, except the keys-only Scan of tenant purge', () => {
    for (const role of new Set(functionRoles())) {
      for (const statement of dynamoStatements(role).filter((s) => s.Effect === 'Allow' && actionsOf(s).some((a) => READS.includes(a)))) {
        if (actionsOf(statement).includes('dynamodb:Scan')) {
          expect(statement).toEqual({
            Sid: 'FindTenantItemsByKeyOnly',
            Effect: 'Allow',
            Action: 'dynamodb:Scan',
            Resource: tableArn(),
            Condition: {
              'ForAllValues:StringEquals': { 'dynamodb:Attributes': ['pk', 'sk'] },
              StringEqualsIfExists: { 'dynamodb:Select': 'SPECIFIC_ATTRIBUTES' },
            },
          });
          continue;
        }
        expect(leadingKeys(statement)).toBeDefined();
        expect(leadingKeys(statement)!.every((key) => key.startsWith('P#'))).toBe(true);
      }
    }
  });

  it('touch no tenant object: S3 object access exists only in the tenant role', () => {
    for (const role of new Set(functionRoles())) {
      const s3 = (roleStatements().get(role) ?? []).filter((s) => actionsOf(s).some((a) => a.startsWith('s3:')));
      expect(s3.flatMap(actionsOf).filter((a) => a !== 's3:GetBucketLocation')).toEqual([]);
    }
  });

  it('the API role: control plane P#*, PutItem-only appends to tenant audit, user and CI-token partitions, and key-only purge that spares audit trails', () => {
    const statements = dynamoStatements(roleOf(API));
    const bySid = (sid: string) => statements.find((s) => s.Sid === sid);
    expect(leadingKeys(bySid('ControlPlaneItems')!)).toEqual(['P#*']);
    expect(bySid('AppendControlPlaneRecordsToTenants')).toEqual({
      Sid: 'AppendControlPlaneRecordsToTenants',
      Effect: 'Allow',
      Action: 'dynamodb:PutItem',
      Resource: tableArn(),
      Condition: {
        'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`T#${ONE_TENANT_ID}#AUDIT`, `T#${ONE_TENANT_ID}#USER#*`, `T#${ONE_TENANT_ID}#TOKEN#*`] },
      },
    });
    expect(bySid('DeleteTenantItemsByKey')).toEqual({
      Sid: 'DeleteTenantItemsByKey',
      Effect: 'Allow',
      Action: 'dynamodb:DeleteItem',
      Resource: tableArn(),
      Condition: {
        'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`T#${ONE_TENANT_ID}#*`] },
        'ForAllValues:StringEquals': { 'dynamodb:Attributes': ['pk', 'sk'] },
        StringEqualsIfExists: { 'dynamodb:ReturnValues': 'NONE' },
      },
    });
    // A batch's PutRequest cannot be told from a DeleteRequest by IAM: no batch write reaches a tenant partition.
    expect(bySid('NoBatchWritesToTenants')).toEqual({
      Sid: 'NoBatchWritesToTenants',
      Effect: 'Deny',
      Action: 'dynamodb:BatchWriteItem',
      Resource: tableArn(),
      Condition: { 'ForAnyValue:StringLike': { 'dynamodb:LeadingKeys': ['T#*'] } },
    });
    expect(
      statements.filter(
        (s) => s.Effect === 'Allow' && actionsOf(s).includes('dynamodb:BatchWriteItem') && (leadingKeys(s) ?? ['T#']).some((k) => k.startsWith('T#')),
      ),
    ).toEqual([]);
    expect(bySid('KeepTenantAuditTrails')).toEqual({
      Sid: 'KeepTenantAuditTrails',
      Effect: 'Deny',
      Action: 'dynamodb:DeleteItem',
      Resource: tableArn(),
      Condition: { 'ForAnyValue:StringLike': { 'dynamodb:LeadingKeys': [`T#${ONE_TENANT_ID}#AUDIT*`] } },
    });
    // Nothing else reaches a T# key.
    const tenantKeyed = statements.filter((s) => s.Effect === 'Allow' && (leadingKeys(s) ?? []).some((k) => k.startsWith('T#')));
    expect(tenantKeyed.map((s) => s.Sid).sort()).toEqual(['AppendControlPlaneRecordsToTenants', 'DeleteTenantItemsByKey']);
  });

  it('the authorizer and the pipeline steps only read control-plane items', () => {
    for (const role of [roleOf(AUTHORIZER), roleOf(/^Steward pipeline step/)]) {
      const statements = dynamoStatements(role);
      expect(statements).toHaveLength(1);
      expect(statements[0]).toMatchObject({ Action: ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query'] });
      expect(leadingKeys(statements[0])).toEqual(['P#*']);
    }
  });

  it('the API role administers users of this user pool only, with exactly the calls the Cognito directory sends', () => {
    const cognito = roleStatements()
      .get(roleOf(API))!
      .filter((s) => actionsOf(s).some((a) => a.startsWith('cognito-idp:')));
    expect(cognito).toHaveLength(1);
    expect([...actionsOf(cognito[0])].sort()).toEqual([...DIRECTORY_ACTIONS].sort());
    expect(cognito[0].Resource).toEqual({ 'Fn::GetAtt': [logicalId('AWS::Cognito::UserPool', 'IdentityUserPool'), 'Arn'] });
  });

  it('the API role manages tenant API keys and adds them to the three usage plans only', () => {
    const statements = roleStatements()
      .get(roleOf(API))!
      .filter((s) => actionsOf(s).some((a) => a.startsWith('apigateway:')));
    const resourcesOf = (sid: string) => JSON.stringify(statements.find((s) => s.Sid === sid)!.Resource);
    expect(resourcesOf('CreateTenantApiKeys')).toMatch(/::\/apikeys"\]\]\}$/);
    expect(resourcesOf('EnableDisableDeleteTenantApiKeys')).toMatch(/::\/apikeys\/\*"\]\]\}$/);
    const plans = statements.find((s) => s.Sid === 'PutTenantApiKeysInPlans')!;
    expect(plans.Action).toBe('apigateway:POST');
    const planRefs = (plans.Resource as Array<{ 'Fn::Join': [string, unknown[]] }>).map(
      (r) =>
        (
          r['Fn::Join'][1].find((p) => typeof p === 'object' && 'Ref' in (p as Json) && String((p as { Ref: string }).Ref).startsWith('ApiRestApi')) as {
            Ref: string;
          }
        ).Ref,
    );
    expect(planRefs.sort()).toEqual(
      ofType('AWS::ApiGateway::UsagePlan')
        .map(([id]) => id)
        .sort(),
    );
    expect(statements.flatMap(actionsOf).every((a) => ['apigateway:POST', 'apigateway:PUT', 'apigateway:PATCH', 'apigateway:DELETE'].includes(a))).toBe(true);
  });
});

describe('Cognito', () => {
  const pool = () => ofType('AWS::Cognito::UserPool')[0][1].Properties;
  const client = () => ofType('AWS::Cognito::UserPoolClient')[0][1].Properties;

  it('has an immutable custom:tenantId that the console client can read but not write', () => {
    expect(pool().Schema).toContainEqual(expect.objectContaining({ Name: 'tenantId', Mutable: false, AttributeDataType: 'String' }));
    expect(client().ReadAttributes).toEqual(expect.arrayContaining(['custom:tenantId', 'email']));
    expect(client().WriteAttributes).toBeDefined();
    expect(client().WriteAttributes).not.toContain('custom:tenantId');
    expect(client().WriteAttributes).not.toContain('email');
  });

  it('admits users only through Steward (no self sign-up), with email as sign-in alias, a strong password policy and optional TOTP', () => {
    expect(pool()).toMatchObject({
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      AliasAttributes: ['email'],
      MfaConfiguration: 'OPTIONAL',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
      Policies: { PasswordPolicy: { MinimumLength: 12, RequireLowercase: true, RequireUppercase: true, RequireNumbers: true, RequireSymbols: true } },
      UserPoolTier: 'PLUS',
      UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
      DeletionProtection: 'ACTIVE',
    });
  });

  it('the console client is a public SPA client: SRP and refresh only, no secret, no OAuth, 1 h ID tokens', () => {
    expect(client()).toMatchObject({
      GenerateSecret: false,
      ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      AllowedOAuthFlowsUserPoolClient: false,
      IdTokenValidity: 60,
      TokenValidityUnits: expect.objectContaining({ IdToken: 'minutes' }),
    });
  });

  it('has one group per tenant role and one for platform administrators', () => {
    const groups = ofType('AWS::Cognito::UserPoolGroup').map(([, g]) => g.Properties.GroupName);
    expect(groups.sort()).toEqual([...TENANT_ROLES, 'platform-admin'].sort());
  });
});

describe('the API Gateway edge', () => {
  const methods = () => {
    const apiResources = Object.fromEntries(ofType('AWS::ApiGateway::Resource'));
    const pathOf = (id: unknown): string => {
      const ref = (id as { Ref?: string }).Ref;
      if (!ref) return '';
      const props = apiResources[ref].Properties as { PathPart: string; ParentId: unknown };
      return `${pathOf(props.ParentId)}/${props.PathPart}`;
    };
    return ofType('AWS::ApiGateway::Method').map(([, m]): Json & { route: string } => ({
      ...m.Properties,
      route: `${m.Properties.HttpMethod} ${pathOf(m.Properties.ResourceId) || '/'}`,
    }));
  };

  it('has one TOKEN authorizer on the Authorization header that caches nothing (suspension and revocation act on the next request)', () => {
    const authorizers = ofType('AWS::ApiGateway::Authorizer');
    expect(authorizers).toHaveLength(1);
    expect(authorizers[0][1].Properties).toMatchObject({
      Type: 'TOKEN',
      IdentitySource: 'method.request.header.Authorization',
      AuthorizerResultTtlInSeconds: 0,
    });
    expect(JSON.stringify(authorizers[0][1].Properties.AuthorizerUri)).toContain(logicalId('AWS::Lambda::Function', 'AuthorizerFunction'));
  });

  it('puts the authorizer on every route but the public ones and CORS preflight', () => {
    const authorizerId = { Ref: ofType('AWS::ApiGateway::Authorizer')[0][0] };
    const publicRoutes = new Set(PUBLIC_API_ROUTES.map((r) => `${r.method} ${r.path}`));
    for (const method of methods()) {
      const open = publicRoutes.has(method.route) || method.route.startsWith('OPTIONS ');
      if (open) expect(method).toMatchObject({ AuthorizationType: 'NONE' });
      else expect(method).toMatchObject({ AuthorizationType: 'CUSTOM', AuthorizerId: authorizerId });
      if (open) expect(method).not.toHaveProperty('AuthorizerId');
    }
    // Every public route exists and nothing of the local issuer is exposed on its own.
    for (const route of publicRoutes) expect(methods().map((m) => m.route)).toContain(route);
    expect(methods().filter((m) => /\/(auth|\.well-known)\b/.test(m.route))).toEqual([]);
  });

  it("meters tenant routes by the authorizer's usage key, not platform routes", () => {
    template.hasResourceProperties('AWS::ApiGateway::RestApi', { ApiKeySourceType: 'AUTHORIZER' });
    const byRoute = Object.fromEntries(methods().map((m) => [m.route, m]));
    for (const route of ['ANY /', 'ANY /{proxy+}']) expect(byRoute[route]).toMatchObject({ ApiKeyRequired: true });
    for (const path of PLATFORM_API_PATHS) {
      for (const route of [`ANY ${path}`, `ANY ${path}/{proxy+}`]) expect(byRoute[route].ApiKeyRequired).toBe(false);
    }
  });

  it('has one usage plan per Steward plan on the stage, rate = PLANS[plan].apiRatePerSecond, burst 2x', () => {
    const stageId = ofType('AWS::ApiGateway::Stage')[0][0];
    const plans = ofType('AWS::ApiGateway::UsagePlan').map(([, p]) => p.Properties);
    expect(plans).toHaveLength(PLAN_NAMES.length);
    for (const plan of PLAN_NAMES) {
      expect(plans).toContainEqual(
        expect.objectContaining({
          UsagePlanName: `steward-${plan}`,
          Throttle: { RateLimit: PLANS[plan].apiRatePerSecond, BurstLimit: 2 * PLANS[plan].apiRatePerSecond },
          ApiStages: [expect.objectContaining({ Stage: { Ref: stageId } })],
        }),
      );
    }
  });
});

describe('function settings', () => {
  const platformSettings = ['STEWARD_USER_POOL_ID', 'STEWARD_JWT_ISSUER', 'STEWARD_JWKS_URI', 'STEWARD_JWT_AUDIENCE', 'STEWARD_TENANT_ROLE_ARN'];

  it('the API gets the user pool, the issuer, the audience, the tenant role and the usage plans', () => {
    const variables = environmentOf(API).Variables;
    const pool = logicalId('AWS::Cognito::UserPool', 'IdentityUserPool');
    const issuer = ['https://cognito-idp.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }, '/', { Ref: pool }];
    expect(variables).toMatchObject({
      STEWARD_USER_POOL_ID: { Ref: pool },
      STEWARD_JWT_ISSUER: { 'Fn::Join': ['', issuer] },
      STEWARD_JWKS_URI: { 'Fn::Join': ['', [...issuer, '/.well-known/jwks.json']] },
      STEWARD_JWT_AUDIENCE: { Ref: logicalId('AWS::Cognito::UserPoolClient', 'IdentityUserPoolConsoleClient') },
      STEWARD_TENANT_ROLE_ARN: { 'Fn::GetAtt': [tenantRoleId(), 'Arn'] },
    });
    const [, parts] = (variables.STEWARD_USAGE_PLANS as { 'Fn::Join': [string, Array<string | { Ref: string }>] })['Fn::Join'];
    const usagePlans = JSON.parse(parts.map((p) => (typeof p === 'string' ? p : p.Ref)).join('')) as Record<string, string>;
    expect(Object.keys(usagePlans).sort()).toEqual([...PLAN_NAMES].sort());
    for (const plan of PLAN_NAMES) expect(resources[usagePlans[plan]].Properties.UsagePlanName).toBe(`steward-${plan}`);
  });

  it('every other function gets what awsPlatform() requires at cold start', () => {
    for (const fn of [AUTHORIZER, SEALER, /^Steward pipeline step/]) {
      expect(Object.keys(environmentOf(fn).Variables)).toEqual(expect.arrayContaining(platformSettings));
    }
  });
});

describe('the audit sealer', () => {
  it('consumes the table stream from LATEST, 100 records a batch, bisecting and retrying, then to an encrypted DLQ, audit event INSERTs only', () => {
    const mappings = ofType('AWS::Lambda::EventSourceMapping');
    expect(mappings).toHaveLength(1);
    const props = mappings[0][1].Properties as Json & { FilterCriteria: { Filters: Array<{ Pattern: string }> } };
    const queue = logicalId('AWS::SQS::Queue', 'AuditSealerDeadLetterQueue');
    expect(props).toMatchObject({
      EventSourceArn: { 'Fn::GetAtt': [logicalId('AWS::DynamoDB::Table', 'MetadataTable'), 'StreamArn'] },
      FunctionName: { Ref: logicalId('AWS::Lambda::Function', 'AuditSealerFunction') },
      StartingPosition: 'LATEST',
      BatchSize: 100,
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 5,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queue, 'Arn'] } } },
    });
    expect(props.FilterCriteria.Filters.map((f) => JSON.parse(f.Pattern))).toEqual([
      { eventName: ['INSERT'], dynamodb: { NewImage: { entity: { S: ['audit-event'] } } } },
    ]);
    expect(resources[queue].Properties).toMatchObject({ SqsManagedSseEnabled: true });
  });

  it('reaches only the platform audit trail and the tenant registry index itself; tenant trails go through tenant sessions', () => {
    const statements = roleStatements()
      .get(roleOf(SEALER))!
      .filter((s) => actionsOf(s).some((a) => ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem'].includes(a)));
    const keys = statements.map((s) => [s.Sid, ((s.Condition?.['ForAllValues:StringLike'] ?? {}) as Json)['dynamodb:LeadingKeys']]);
    expect(Object.fromEntries(keys)).toEqual({ PlatformAuditTrail: ['P#AUDIT*'], ReadTenantRegistryIndex: ['P#TENANTS*'] });
  });

  it('sweeps on a schedule as a backstop', () => {
    // The other rule is the execution recorder's (test/infra/execution-recording.test.ts).
    const rules = ofType('AWS::Events::Rule')
      .map(([, r]) => r.Properties)
      .filter((r) => r.ScheduleExpression !== undefined);
    expect(rules).toEqual([
      expect.objectContaining({
        ScheduleExpression: 'rate(15 minutes)',
        Targets: [
          expect.objectContaining({
            Arn: { 'Fn::GetAtt': [logicalId('AWS::Lambda::Function', 'AuditSealerFunction'), 'Arn'] },
            Input: JSON.stringify({ sweep: true }),
          }),
        ],
      }),
    ]);
  });
});
