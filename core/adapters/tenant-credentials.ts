import { S3Client } from '@aws-sdk/client-s3';
import { AssumeRoleCommand, type STSClient } from '@aws-sdk/client-sts';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { dynamoDbClient } from './aws-clients';
import type { AwsCredentialIdentity } from '@aws-sdk/types';

export interface TenantDataClients {
  readonly documents: DynamoDBDocumentClient;
  readonly s3: S3Client;
}

/**
 * On AWS the data path of a tenant runs with credentials that can touch only
 * that tenant: AssumeRole on the tenant-access role with session tag
 * TenantId=<id>. The role's policies admit DynamoDB keys starting
 * `T#${aws:PrincipalTag/TenantId}#` and S3 keys under
 * `tenants/${aws:PrincipalTag/TenantId}/`, so even a bug in key building
 * cannot cross tenants. Clients are cached per tenant; the SDK refreshes the
 * credentials before they expire.
 */
export class TenantCredentialBroker {
  private readonly clients = new Map<string, TenantDataClients>();

  constructor(
    private readonly sts: STSClient,
    private readonly options: { roleArn: string; region: string; sessionSeconds?: number; maxTenants?: number; dynamodbTimeoutMs?: number },
  ) {}

  clientsFor(tenantId: string): TenantDataClients {
    const hit = this.clients.get(tenantId);
    if (hit) {
      // Map order doubles as LRU order.
      this.clients.delete(tenantId);
      this.clients.set(tenantId, hit);
      return hit;
    }
    const credentials = () => this.assume(tenantId);
    const created: TenantDataClients = {
      documents: DynamoDBDocumentClient.from(dynamoDbClient({ region: this.options.region, credentials }, this.options.dynamodbTimeoutMs ?? 5000), {
        marshallOptions: { removeUndefinedValues: true },
      }),
      s3: new S3Client({ region: this.options.region, credentials }),
    };
    this.clients.set(tenantId, created);
    if (this.clients.size > (this.options.maxTenants ?? 200)) {
      const oldest = this.clients.keys().next().value!;
      this.clients.get(oldest)?.documents.destroy();
      this.clients.get(oldest)?.s3.destroy();
      this.clients.delete(oldest);
    }
    return created;
  }

  async assume(tenantId: string): Promise<AwsCredentialIdentity> {
    const out = await this.sts.send(
      new AssumeRoleCommand({
        RoleArn: this.options.roleArn,
        RoleSessionName: `steward-${tenantId}`,
        DurationSeconds: this.options.sessionSeconds ?? 900,
        Tags: [{ Key: 'TenantId', Value: tenantId }],
      }),
    );
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error('AssumeRole returned no credentials');
    return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration };
  }
}
