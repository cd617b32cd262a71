import { BatchWriteCommand, type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { tenantKey, tenantPrefix } from '../../storage/keys';

/**
 * Deletes every item of a tenant except its audit trail. This is the one place
 * that Scans: tenant deletion is a rare control-plane job run with platform
 * credentials, never on a tenant's data path (the tenant role has no Scan).
 * Partitions are found by prefix because a tenant's items span many of them.
 */
export async function purgeTenantItems(documents: DynamoDBDocumentClient, tableName: string, tenantId: string): Promise<number> {
  const prefix = tenantPrefix(tenantId);
  const keep = tenantKey(tenantId, ['AUDIT']);
  let removed = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const page = await documents.send(
      new ScanCommand({
        TableName: tableName,
        ProjectionExpression: 'pk, sk',
        FilterExpression: 'begins_with(pk, :prefix) AND NOT begins_with(pk, :keep)',
        ExpressionAttributeValues: { ':prefix': prefix, ':keep': keep },
        ExclusiveStartKey: start,
      }),
    );
    const keys = page.Items ?? [];
    for (let i = 0; i < keys.length; i += 25) {
      let requests: Record<string, unknown[]> | undefined = {
        [tableName]: keys.slice(i, i + 25).map((k) => ({ DeleteRequest: { Key: { pk: k.pk, sk: k.sk } } })),
      };
      while (requests && Object.keys(requests).length > 0) {
        const out = await documents.send(new BatchWriteCommand({ RequestItems: requests as never }));
        requests = out.UnprocessedItems as Record<string, unknown[]> | undefined;
      }
      removed += Math.min(25, keys.length - i);
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return removed;
}
