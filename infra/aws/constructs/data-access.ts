import { Stack, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { TENANT_ID_LENGTH, TENANT_ID_PATTERN } from '../../../core/storage/keys';
import { TABLE_KEYS } from '../../../core/storage/table-design';
import { iam5ResourceFinding } from '../nag-findings';

/**
 * Item-level DynamoDB actions, the ones `dynamodb:LeadingKeys` can confine.
 * Scan and PartiQL are never among them: a Scan carries no leading key, and
 * `ForAllValues` is true for a request without one.
 */
export const TABLE_KEY_ACTIONS = {
  read: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'],
  readWrite: [
    'dynamodb:GetItem',
    'dynamodb:BatchGetItem',
    'dynamodb:Query',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'dynamodb:DeleteItem',
    'dynamodb:BatchWriteItem',
    'dynamodb:ConditionCheckItem',
  ],
} as const satisfies Record<string, readonly string[]>;

if (!TENANT_ID_PATTERN.source.startsWith('^t')) {
  throw new Error('core/storage/keys.ts changed the tenant id shape; update TENANT_ID_LIKE');
}

/**
 * Exactly one tenant id as an IAM `StringLike` pattern: `t` and 15
 * single-character wildcards (core/storage/keys.ts). Fixed length, so
 * `T#<this>#AUDIT` names a tenant's audit partition and nothing else.
 */
export const TENANT_ID_LIKE = `t${'?'.repeat(TENANT_ID_LENGTH - 1)}`;

/** Control-plane partitions: tenant registry, logins, CI token lookups, platform admins, the platform's own audit trail. */
export const PLATFORM_LEADING_KEYS = 'P#*';

/** The attributes a keys-only request may name. */
const KEY_ATTRIBUTES = [TABLE_KEYS.partition, TABLE_KEYS.sort];

export interface TableData {
  readonly table: dynamodb.ITable;
  /** The customer-managed key of the table. */
  readonly key: kms.IKey;
}

/**
 * The control plane's items (`P#…` partitions, table and indexes) for a
 * function role, plus the table key through DynamoDB. Tenant items stay out
 * of reach: they are read and written through TenantAccess sessions.
 */
export function grantControlPlaneData(role: iam.Role, data: TableData, access: 'read' | 'read-write'): void {
  grantItems(role, data, {
    sid: access === 'read' ? 'ReadControlPlaneItems' : 'ControlPlaneItems',
    actions: access === 'read' ? TABLE_KEY_ACTIONS.read : TABLE_KEY_ACTIONS.readWrite,
    leadingKeys: [PLATFORM_LEADING_KEYS],
  });
}

/**
 * What the audit sealer needs of the control plane with its own role: the
 * platform's audit trail (`P#AUDIT`, `P#AUDIT-HEAD`, index partitions
 * `P#AUDIT#UNSEALED`/`P#AUDIT#CHAIN`, core/audit/audit-chain.ts) and a read of
 * the tenant registry index for the sweep (`P#TENANTS…`,
 * core/tenancy/tenant-registry.ts). Tenant trails are sealed through
 * TenantAccess sessions, so the role itself needs no `T#` key at all.
 */
export function grantAuditSealing(role: iam.Role, data: TableData): void {
  grantItems(role, data, { sid: 'PlatformAuditTrail', actions: TABLE_KEY_ACTIONS.readWrite, leadingKeys: ['P#AUDIT*'] });
  grantItems(role, data, { sid: 'ReadTenantRegistryIndex', actions: TABLE_KEY_ACTIONS.read, leadingKeys: ['P#TENANTS*'] });
}

/**
 * Control-plane transactions that also write into a tenant's partitions
 * (core/tenancy/tenant-lifecycle.ts): sign-up, approval, suspension, resumption
 * and deletion put the tenant's audit event (`T#<id>#AUDIT`) in the same
 * transaction as the registry entry, and approval creates the first tenant
 * admin (`T#<id>#USER#<userId>`); invitations, sign-in failures and CI tokens
 * (core/identity/*) pair a tenant record (`USER#`, `TOKEN#`) with its platform
 * lookup (`P#LOGIN#…`, `P#CITOKEN#…`) in one transaction, which runs with
 * these credentials (core/adapters/dynamodb/scoped-table.ts transactAcross).
 * PutItem only, on those partitions only: the control plane can append them
 * but read nothing of the tenant.
 */
export function grantControlPlaneTenantAppends(role: iam.Role, data: TableData): void {
  grantItems(role, data, {
    sid: 'AppendControlPlaneRecordsToTenants',
    actions: ['dynamodb:PutItem'],
    leadingKeys: [`T#${TENANT_ID_LIKE}#AUDIT`, `T#${TENANT_ID_LIKE}#USER#*`, `T#${TENANT_ID_LIKE}#TOKEN#*`],
    tableOnly: true,
  });
}

/**
 * Tenant deletion (core/adapters/dynamodb/tenant-purge.ts): a Scan that may
 * project only the keys (pk, sk), and DeleteItem by key on tenant partitions,
 * returning nothing, never on an audit trail (an explicit Deny, so the trail
 * outlives the tenant whatever the code does). The control plane can find and
 * remove a tenant's items without being able to read them.
 *
 * DeleteItem, not BatchWriteItem: IAM cannot tell a batch's DeleteRequest from
 * a key-only PutRequest, which would overwrite any tenant item. BatchWriteItem
 * on tenant partitions is denied outright.
 */
export function grantTenantOffboarding(role: iam.Role, data: TableData): void {
  const { table } = data;
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'FindTenantItemsByKeyOnly',
      actions: ['dynamodb:Scan'],
      resources: [table.tableArn],
      conditions: {
        // The DynamoDB guide's pattern for "these attributes only": with
        // StringEqualsIfExists on Select, a Scan without a projection (all
        // attributes) is refused.
        'ForAllValues:StringEquals': { 'dynamodb:Attributes': KEY_ATTRIBUTES },
        StringEqualsIfExists: { 'dynamodb:Select': 'SPECIFIC_ATTRIBUTES' },
      },
    }),
  );
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'DeleteTenantItemsByKey',
      actions: ['dynamodb:DeleteItem'],
      resources: [table.tableArn],
      conditions: {
        'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`T#${TENANT_ID_LIKE}#*`] },
        'ForAllValues:StringEquals': { 'dynamodb:Attributes': KEY_ATTRIBUTES },
        // ALL_OLD would hand back the deleted item: deleting must not be a way to read.
        StringEqualsIfExists: { 'dynamodb:ReturnValues': 'NONE' },
      },
    }),
  );
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'NoBatchWritesToTenants',
      effect: iam.Effect.DENY,
      actions: ['dynamodb:BatchWriteItem'],
      resources: [table.tableArn],
      conditions: { 'ForAnyValue:StringLike': { 'dynamodb:LeadingKeys': ['T#*'] } },
    }),
  );
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'KeepTenantAuditTrails',
      effect: iam.Effect.DENY,
      actions: ['dynamodb:DeleteItem'],
      resources: [table.tableArn],
      // AUDIT and AUDIT-HEAD: the events and the chain head.
      conditions: { 'ForAnyValue:StringLike': { 'dynamodb:LeadingKeys': [`T#${TENANT_ID_LIKE}#AUDIT*`] } },
    }),
  );
  grantTableKey(role, data);
}

/**
 * The table's key, only through DynamoDB and only for this table (DynamoDB
 * passes `aws:dynamodb:tableName` as encryption context on every KMS call).
 * DescribeKey carries no encryption context, so it is conditioned on the
 * service alone.
 */
export function tableKeyStatements(stack: Stack, table: dynamodb.ITable, key: kms.IKey): iam.PolicyStatement[] {
  const viaDynamoDb = `dynamodb.${stack.region}.${stack.urlSuffix}`;
  return [
    new iam.PolicyStatement({
      sid: 'TableKeyThroughDynamoDB',
      actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'],
      resources: [key.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': viaDynamoDb, 'kms:EncryptionContext:aws:dynamodb:tableName': table.tableName } },
    }),
    new iam.PolicyStatement({
      sid: 'TableKeyMetadataThroughDynamoDB',
      actions: ['kms:DescribeKey'],
      resources: [key.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': viaDynamoDb } },
    }),
  ];
}

interface ItemGrant {
  readonly sid: string;
  readonly actions: readonly string[];
  readonly leadingKeys: readonly string[];
  /** Leave the indexes out (writes name the table). @default false */
  readonly tableOnly?: boolean;
}

function grantItems(role: iam.Role, data: TableData, grant: ItemGrant): void {
  const { table } = data;
  const indexes = `${table.tableArn}/index/*`;
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: grant.sid,
      actions: [...grant.actions],
      resources: grant.tableOnly ? [table.tableArn] : [table.tableArn, indexes],
      conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [...grant.leadingKeys] } },
    }),
  );
  grantTableKey(role, data);
  if (!grant.tableOnly)
    acknowledgeOnce(
      role,
      iam5ResourceFinding(role, indexes),
      'The table design queries its own GSIs (gsi1..gsi4); index ARNs are the table ARN plus /index/<name>, and the LeadingKeys condition applies to index partition keys too.',
    );
}

const keyGranted = new WeakSet<iam.Role>();

function grantTableKey(role: iam.Role, data: TableData): void {
  if (keyGranted.has(role)) return;
  keyGranted.add(role);
  for (const statement of tableKeyStatements(Stack.of(role), data.table, data.key)) role.addToPrincipalPolicy(statement);
}

const acknowledged = new WeakMap<iam.Role, Set<string>>();

function acknowledgeOnce(role: iam.Role, id: string, reason: string): void {
  const done = acknowledged.get(role) ?? new Set<string>();
  if (done.has(id)) return;
  done.add(id);
  acknowledged.set(role, done);
  Validations.of(role).acknowledge({ id, reason });
}
