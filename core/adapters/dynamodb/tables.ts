import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { platformKey, tenantKey, tenantPrefix } from '../../storage/keys';
import { ScopedTable, type ScopedTableOptions } from './scoped-table';

/** The table bound to one tenant: every key it builds starts with `T#<tenantId>#`. */
export function tenantTable(documents: DynamoDBDocumentClient, tableName: string, tenantId: string, options: ScopedTableOptions = {}): ScopedTable {
  const prefix = tenantPrefix(tenantId);
  return new ScopedTable(documents, tableName, (parts) => tenantKey(tenantId, parts), prefix, options);
}

/** The control-plane view (tenant registry, sign-in indexes). Never holds tenant data. */
export function platformTable(documents: DynamoDBDocumentClient, tableName: string, options: ScopedTableOptions = {}): ScopedTable {
  return new ScopedTable(documents, tableName, (parts) => platformKey(parts), 'P#', options);
}
