import { APIGatewayClient, CreateApiKeyCommand, CreateUsagePlanKeyCommand, DeleteApiKeyCommand, UpdateApiKeyCommand } from '@aws-sdk/client-api-gateway';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDisableUserCommand,
  AdminRemoveUserFromGroupCommand,
  CognitoIdentityProviderClient,
  UsernameExistsException,
  AliasExistsException,
} from '@aws-sdk/client-cognito-identity-provider';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { ApiGatewayThrottling } from '../../../core/adapters/api-gateway-throttling';
import { CognitoUserDirectory } from '../../../core/adapters/identity/cognito-user-directory';
import { TenantCredentialBroker } from '../../../core/adapters/tenant-credentials';
import { Conflict } from '../../../core/errors';
import { authorizerResult, isPlatformRoute } from '../../../functions/authorizer/handler';

const TENANT = 'tabcdefghjkmnpqr';

describe('tenant-scoped credentials (STS)', () => {
  it('assumes the tenant role with session tag TenantId and hands the credentials to the data clients', async () => {
    const sts = mockClient(STSClient);
    sts
      .on(AssumeRoleCommand)
      .resolves({ Credentials: { AccessKeyId: 'AKIA', SecretAccessKey: 'secret', SessionToken: 'token', Expiration: new Date(Date.now() + 900_000) } });
    const broker = new TenantCredentialBroker(new STSClient({ region: 'eu-west-1' }), {
      roleArn: 'arn:aws:iam::123456789012:role/steward-tenant-access',
      region: 'eu-west-1',
    });
    const credentials = await broker.assume(TENANT);
    expect(sts).toHaveReceivedCommandWith(AssumeRoleCommand, {
      RoleArn: 'arn:aws:iam::123456789012:role/steward-tenant-access',
      RoleSessionName: `steward-${TENANT}`,
      DurationSeconds: 900,
      Tags: [{ Key: 'TenantId', Value: TENANT }],
    });
    expect(credentials).toMatchObject({ accessKeyId: 'AKIA', sessionToken: 'token' });
    expect(broker.clientsFor(TENANT)).toBe(broker.clientsFor(TENANT));
    sts.restore();
  });
});

describe('Cognito user directory', () => {
  const cognito = mockClient(CognitoIdentityProviderClient);
  afterEach(() => cognito.reset());
  const directory = new CognitoUserDirectory(new CognitoIdentityProviderClient({ region: 'eu-west-1' }), 'eu-west-1_pool');
  const user = { tenantId: TENANT, userId: 'u1', email: 'ds@bank.example', roles: ['data-scientist', 'viewer'] as const };

  it('creates the user with an immutable tenant attribute set by the platform, and mirrors roles as groups', async () => {
    cognito.on(AdminCreateUserCommand).resolves({});
    cognito.on(AdminAddUserToGroupCommand).resolves({});
    const out = await directory.provision({ ...user, roles: [...user.roles] });
    expect(out).toEqual({ platformWrites: [], invitation: { delivery: 'email' } });
    expect(cognito).toHaveReceivedCommandWith(AdminCreateUserCommand, {
      UserPoolId: 'eu-west-1_pool',
      Username: 'u1',
      UserAttributes: [
        { Name: 'email', Value: 'ds@bank.example' },
        { Name: 'email_verified', Value: 'true' },
        { Name: 'custom:tenantId', Value: TENANT },
      ],
      DesiredDeliveryMediums: ['EMAIL'],
    });
    expect(cognito).toHaveReceivedCommandTimes(AdminAddUserToGroupCommand, 2);
    expect(cognito).toHaveReceivedCommandWith(AdminAddUserToGroupCommand, { UserPoolId: 'eu-west-1_pool', Username: 'u1', GroupName: 'data-scientist' });
  });

  it('maps an existing username to Conflict', async () => {
    cognito.on(AdminCreateUserCommand).rejects(new UsernameExistsException({ message: 'exists', $metadata: {} }));
    await expect(directory.provision({ ...user, roles: [...user.roles] })).rejects.toBeInstanceOf(Conflict);
  });

  it('maps an email already used by another user (an alias) to Conflict, which invitations keep from the caller', async () => {
    cognito.on(AdminCreateUserCommand).rejects(new AliasExistsException({ message: 'An account with the email already exists.', $metadata: {} }));
    await expect(directory.provision({ ...user, roles: [...user.roles] })).rejects.toBeInstanceOf(Conflict);
  });

  it('adds and removes exactly the changed groups, and disables', async () => {
    cognito.onAnyCommand().resolves({});
    await directory.rolesChanged({ ...user, roles: ['approver', 'viewer'] }, ['data-scientist', 'viewer']);
    expect(cognito).toHaveReceivedCommandWith(AdminAddUserToGroupCommand, { Username: 'u1', GroupName: 'approver' });
    expect(cognito).toHaveReceivedCommandWith(AdminRemoveUserFromGroupCommand, { Username: 'u1', GroupName: 'data-scientist' });
    expect(cognito).toHaveReceivedCommandTimes(AdminAddUserToGroupCommand, 1);
    await directory.statusChanged({ ...user, roles: [] }, 'disabled');
    expect(cognito).toHaveReceivedCommandWith(AdminDisableUserCommand, { UserPoolId: 'eu-west-1_pool', Username: 'u1' });
  });
});

describe('API Gateway usage plans per tenant', () => {
  it('creates a tagged key in the plan’s usage plan, disables it on suspension and deletes it with the tenant', async () => {
    const apigw = mockClient(APIGatewayClient);
    apigw.onAnyCommand().resolves({});
    apigw.on(CreateApiKeyCommand).resolves({ id: 'key-1' });
    const throttling = new ApiGatewayThrottling(new APIGatewayClient({ region: 'eu-west-1' }), { free: 'up-free', standard: 'up-std', enterprise: 'up-ent' });
    const out = await throttling.provision(TENANT, 'standard');
    expect(out.usageKeyId).toBe('key-1');
    expect(out.usageKey).toMatch(/^[A-Za-z0-9_-]{40}$/);
    expect(apigw).toHaveReceivedCommandWith(CreateApiKeyCommand, {
      name: `steward-tenant-${TENANT}`,
      value: out.usageKey,
      enabled: true,
      tags: { TenantId: TENANT, Plan: 'standard' },
    });
    expect(apigw).toHaveReceivedCommandWith(CreateUsagePlanKeyCommand, { usagePlanId: 'up-std', keyId: 'key-1', keyType: 'API_KEY' });
    await throttling.setEnabled('key-1', false);
    expect(apigw).toHaveReceivedCommandWith(UpdateApiKeyCommand, { apiKey: 'key-1', patchOperations: [{ op: 'replace', path: '/enabled', value: 'false' }] });
    await throttling.remove('key-1');
    expect(apigw).toHaveReceivedCommandWith(DeleteApiKeyCommand, { apiKey: 'key-1' });
    apigw.restore();
  });
});

describe('authorizer result', () => {
  it('recognises platform routes from the method ARN', () => {
    expect(isPlatformRoute('arn:aws:execute-api:eu-west-1:1:api/prod/GET/platform/tenants')).toBe(true);
    expect(isPlatformRoute('arn:aws:execute-api:eu-west-1:1:api/prod/POST/platform')).toBe(true);
    expect(isPlatformRoute('arn:aws:execute-api:eu-west-1:1:api/prod/GET/models/platform')).toBe(false);
    expect(isPlatformRoute('arn:aws:execute-api:eu-west-1:1:api/prod/GET/platformer')).toBe(false);
  });

  it('allows only the called method and passes the verified principal and the tenant’s usage key', () => {
    const principal = { kind: 'token', tokenId: 'tok1', tenantId: TENANT, name: 'ci', roles: ['data-scientist'] };
    const result = authorizerResult('arn:aws:execute-api:eu-west-1:1:api/prod/GET/models', principal, 'usage-key');
    expect(result).toEqual({
      principalId: 'tok1',
      policyDocument: {
        Version: '2012-10-17',
        Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: 'arn:aws:execute-api:eu-west-1:1:api/prod/GET/models' }],
      },
      context: { principal: JSON.stringify(principal) },
      usageIdentifierKey: 'usage-key',
    });
  });
});
