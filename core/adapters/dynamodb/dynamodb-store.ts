import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import type { MetadataStore, MetadataTable, ScopedWrite } from '../../ports/metadata-store';
import { auditChainAtCommit } from './audit-chain-at-commit';
import { transactAcross, type ScopedTableOptions } from './scoped-table';
import { platformTable, tenantTable } from './tables';
import { purgeTenantItems } from './tenant-purge';

export interface DynamoDbStoreOptions {
  readonly tableName: string;
  /** The platform's client: control-plane items, tenant purge, health. */
  readonly documents: DynamoDBDocumentClient;
  /** Each tenant's client (AWS: STS session-tagged credentials confined to the tenant); default: the platform's. */
  readonly tenantDocuments?: (tenantId: string) => DynamoDBDocumentClient;
  /**
   * `at-commit`: audit events are linked into their chain by the transaction
   * that writes them (one process writes most events: DynamoDB Local);
   * `deferred`: written unlinked, sealed afterwards (AWS: many containers).
   * @default deferred
   */
  readonly auditChain?: 'at-commit' | 'deferred';
}

/** The MetadataStore on DynamoDB (AWS) and DynamoDB Local: one table, every key prefixed by its owner. */
export function dynamoDbStore(options: DynamoDbStoreOptions): MetadataStore {
  const tableOptions: ScopedTableOptions = options.auditChain === 'at-commit' ? { chain: auditChainAtCommit } : {};
  const control = platformTable(options.documents, options.tableName, tableOptions);
  const tenantClient = options.tenantDocuments ?? (() => options.documents);
  return {
    kind: 'dynamodb',
    tenant: (tenantId) => tenantTable(tenantClient(tenantId), options.tableName, tenantId, tableOptions),
    platform: () => control,
    transactAcross: (groups: ReadonlyArray<readonly [MetadataTable, readonly ScopedWrite[]]>) => transactAcross(groups),
    purgeTenant: (tenantId) => purgeTenantItems(options.documents, options.tableName, tenantId),
    async ping() {
      const out = await options.documents.send(new DescribeTableCommand({ TableName: options.tableName }));
      return `table ${out.Table?.TableStatus ?? 'unknown'}`;
    },
    async close() {
      options.documents.destroy();
    },
  };
}
