import { ArnFormat, Duration, Lazy, Stack, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { iam5ResourceFinding } from '../nag-findings';
import { TABLE_KEY_ACTIONS, TENANT_ID_LIKE, tableKeyStatements } from './data-access';

/**
 * The session tag TenantCredentialBroker (core/adapters/tenant-credentials.ts)
 * puts on every tenant session; the policies read it back as
 * `${aws:PrincipalTag/TenantId}`.
 */
export const TENANT_SESSION_TAG = 'TenantId';

/** The session's tenant, as an IAM policy variable. */
export const PRINCIPAL_TENANT = `\${aws:PrincipalTag/${TENANT_SESSION_TAG}}`;

/** Every item of the session's tenant, on the table and on every index (core/storage/table-design.ts). */
export const TENANT_LEADING_KEYS = `T#${PRINCIPAL_TENANT}#*`;

/** Every object of the session's tenant (core/adapters/s3/tenant-objects.ts). */
export const TENANT_OBJECT_PREFIX = `tenants/${PRINCIPAL_TENANT}/`;

/** The session tenant's staged uploads (core/ports/object-store.ts), outside its prefix so one lifecycle rule expires every tenant's. */
export const TENANT_STAGING_PREFIX = `staging/${PRINCIPAL_TENANT}/`;

/** Role ARNs that fit the default 2,048-character trust policy next to the conditions. */
const MAX_TRUSTED_ROLES = 15;

export interface TenantAccessProps {
  /** The pooled metadata table; items are confined by their partition key. */
  readonly table: dynamodb.ITable;
  /** The pooled artifact bucket; objects are confined by their key prefix. */
  readonly bucket: s3.IBucket;
  /** The key encrypting the table and the bucket. */
  readonly dataKey: kms.IKey;
  /**
   * Longest session a broker may ask for. TenantCredentialBroker asks for
   * 900 s and lets the SDK refresh; the role's maximum only caps it.
   *
   * @default Duration.hours(1)
   */
  readonly maxSessionDuration?: Duration;
}

/**
 * The tenant data path on AWS: one IAM role that Steward's functions assume
 * with the session tag `TenantId=<tenant>`, whose policies admit only that
 * tenant's DynamoDB items (`dynamodb:LeadingKeys` = `T#<tenant>#*`), S3
 * objects (`tenants/<tenant>/*`) and SageMaker resources (tag `TenantId`).
 * The tenant comes from the session tag, never from the request, so even a
 * bug in key building cannot read or write across tenants.
 *
 * The statements are written out rather than granted: the conditions are the point.
 */
export class TenantAccess extends Construct {
  readonly role: iam.Role;
  private readonly grantees: iam.IRole[] = [];

  constructor(scope: Construct, id: string, props: TenantAccessProps) {
    super(scope, id);
    const stack = Stack.of(this);

    // Same-account trust narrowed to the grantees' role ARNs (filled in by
    // grantAssume), with the tag conditions on both sts:AssumeRole and
    // sts:TagSession: assuming without the TenantId tag is refused outright.
    const trusted = new iam.SessionTagsPrincipal(new iam.AccountPrincipal(stack.account)).withConditions({
      ArnEquals: { 'aws:PrincipalArn': Lazy.list({ produce: () => this.grantees.map((g) => g.roleArn) }) },
      StringLike: { [`aws:RequestTag/${TENANT_SESSION_TAG}`]: TENANT_ID_LIKE },
      'ForAllValues:StringEquals': { 'aws:TagKeys': [TENANT_SESSION_TAG] },
      Null: { 'sts:TransitiveTagKeys': 'true' },
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: trusted,
      description: 'Steward tenant data path: assumed per request with session tag TenantId; sees one tenant only',
      maxSessionDuration: props.maxSessionDuration ?? Duration.hours(1),
      inlinePolicies: { TenantData: new iam.PolicyDocument({ statements: tenantDataStatements(stack, props) }) },
    });
    this.node.addValidation({
      validate: () => {
        if (this.grantees.length === 0) return ['nobody may assume the tenant access role: call grantAssume() for the functions on the data path'];
        // A trust policy holds 2,048 characters by default; each role ARN takes up to ~98 of them.
        if (this.grantees.length > MAX_TRUSTED_ROLES) {
          return [
            `${this.grantees.length} roles would be trusted by name, more than the default trust policy size admits (${MAX_TRUSTED_ROLES}); share roles between pipeline steps or trust a role path instead`,
          ];
        }
        return [];
      },
    });

    const acknowledgements: Array<[string, string]> = [
      [
        iam5ResourceFinding(this, `${props.table.tableArn}/index/*`),
        `Tenant queries run on the table's GSIs (gsi1..gsi4); every index partition key also begins with T#<tenantId># and the LeadingKeys condition (${TENANT_LEADING_KEYS}) applies to index queries too.`,
      ],
      [
        iam5ResourceFinding(this, props.bucket.arnForObjects(`${TENANT_OBJECT_PREFIX}*`)),
        "Object keys below the session tenant's own prefix only: the wildcard follows tenants/${aws:PrincipalTag/TenantId}/, which STS fills from the session tag.",
      ],
      [
        iam5ResourceFinding(this, props.bucket.arnForObjects(`${TENANT_STAGING_PREFIX}*`)),
        'Staged uploads of the session tenant only: the wildcard follows staging/${aws:PrincipalTag/TenantId}/, which STS fills from the session tag.',
      ],
      ...sageMakerResources(stack).map((arn): [string, string] => [
        iam5ResourceFinding(this, arn),
        'SageMaker names are chosen at deploy time; every statement on them is conditioned on the resource tag TenantId (aws:ResourceTag) or, on create, the request tag (aws:RequestTag) equal to the session tenant.',
      ]),
    ];
    for (const [findingId, reason] of acknowledgements) Validations.of(this.role).acknowledge({ id: findingId, reason });
  }

  /**
   * Lets `grantee` start tenant sessions: sts:AssumeRole and sts:TagSession on
   * this role in the grantee's policy, and the grantee's role ARN in this
   * role's trust. The trust requires exactly one session tag, `TenantId`,
   * shaped like a tenant id (core/storage/keys.ts: `t` + 15 characters), and
   * refuses transitive tags, so a session can neither omit its tenant nor hand
   * it on down a role chain.
   */
  grantAssume(grantee: iam.IRole): void {
    this.grantees.push(grantee);
    iam.Grant.addToPrincipal({ grantee, actions: ['sts:AssumeRole', 'sts:TagSession'], resourceArns: [this.role.roleArn] });
  }
}

/** The role's one inline policy, statement by statement. */
function tenantDataStatements(stack: Stack, props: TenantAccessProps): iam.PolicyStatement[] {
  const { table, bucket, dataKey } = props;
  const [endpoints, endpointConfigs, models] = sageMakerResources(stack);
  const ownResource = { StringEquals: { [`aws:ResourceTag/${TENANT_SESSION_TAG}`]: PRINCIPAL_TENANT } };
  return [
    new iam.PolicyStatement({
      sid: 'TenantItems',
      // No Scan (it reads every partition, whatever the leading key) and no
      // PartiQL. TransactWriteItems/TransactGetItems need no action of their
      // own: DynamoDB authorizes each contained Put/Update/Delete/ConditionCheck/Get
      // as PutItem/UpdateItem/DeleteItem/ConditionCheckItem/GetItem, each with this
      // LeadingKeys condition. ForAllValues is true for a request with no
      // leading key at all, which is why Scan must stay off this list.
      actions: [...TABLE_KEY_ACTIONS.readWrite],
      resources: [table.tableArn, `${table.tableArn}/index/*`],
      conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [TENANT_LEADING_KEYS] } },
    }),
    new iam.PolicyStatement({
      sid: 'TenantObjects',
      // DeleteObjects (purge) is authorized as s3:DeleteObject per key; HeadObject as s3:GetObject.
      actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
      resources: [bucket.arnForObjects(`${TENANT_OBJECT_PREFIX}*`), bucket.arnForObjects(`${TENANT_STAGING_PREFIX}*`)],
    }),
    new iam.PolicyStatement({
      sid: 'ListTenantPrefix',
      actions: ['s3:ListBucket'],
      resources: [bucket.bucketArn],
      // A listing without a prefix has no s3:prefix and fails StringLike: only the tenant's own keys can be listed.
      conditions: { StringLike: { 's3:prefix': [`${TENANT_OBJECT_PREFIX}*`, `${TENANT_STAGING_PREFIX}*`] } },
    }),
    ...tableKeyStatements(stack, table, dataKey),
    new iam.PolicyStatement({
      sid: 'BucketKeyThroughS3',
      // With an S3 Bucket Key the encryption context is the bucket ARN, not the
      // object ARN, so the key cannot be narrowed to a tenant prefix; the object
      // statements above do that.
      actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
      resources: [dataKey.keyArn],
      conditions: {
        StringEquals: {
          'kms:ViaService': `s3.${stack.region}.${stack.urlSuffix}`,
          'kms:EncryptionContext:aws:s3:arn': bucket.bucketArn,
        },
      },
    }),
    new iam.PolicyStatement({
      sid: 'InvokeOwnEndpoints',
      actions: ['sagemaker:InvokeEndpoint', 'sagemaker:InvokeEndpointWithResponseStream'],
      resources: [endpoints],
      conditions: ownResource,
    }),
    new iam.PolicyStatement({
      sid: 'ManageOwnSageMakerResources',
      actions: [
        'sagemaker:DescribeEndpoint',
        'sagemaker:DescribeEndpointConfig',
        'sagemaker:DescribeModel',
        'sagemaker:UpdateEndpoint',
        'sagemaker:UpdateEndpointWeightsAndCapacities',
        'sagemaker:DeleteEndpoint',
        'sagemaker:DeleteEndpointConfig',
        'sagemaker:DeleteModel',
      ],
      resources: [endpoints, endpointConfigs, models],
      conditions: ownResource,
    }),
    new iam.PolicyStatement({
      sid: 'CreateSageMakerResourcesForOwnTenant',
      // Tag-on-create: the new resource must carry TenantId = the session tenant.
      // sagemaker:AddTags is what SageMaker checks for the tags of a Create call;
      // StringEqualsIfExists on the resource tag keeps AddTags from relabelling
      // another tenant's existing resource as this tenant's.
      actions: ['sagemaker:CreateEndpoint', 'sagemaker:CreateEndpointConfig', 'sagemaker:CreateModel', 'sagemaker:AddTags'],
      resources: [endpoints, endpointConfigs, models],
      conditions: {
        StringEquals: { [`aws:RequestTag/${TENANT_SESSION_TAG}`]: PRINCIPAL_TENANT },
        StringEqualsIfExists: { [`aws:ResourceTag/${TENANT_SESSION_TAG}`]: PRINCIPAL_TENANT },
      },
    }),
  ];
}

/** Endpoint, endpoint-config and model ARNs of this account and region (names are chosen at deploy time). */
function sageMakerResources(stack: Stack): [string, string, string] {
  const arn = (resource: string) => stack.formatArn({ service: 'sagemaker', resource, resourceName: '*', arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
  return [arn('endpoint'), arn('endpoint-config'), arn('model')];
}
