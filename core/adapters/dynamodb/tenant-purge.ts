import { DeleteCommand, type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { tenantKey, tenantPrefix } from '../../storage/keys';

/**
 * Deletes every item of a tenant except its audit trail. This is the one place
 * that Scans: tenant deletion is a rare control-plane job run with platform
 * credentials, never on a tenant's data path (the tenant role has no Scan).
 * Partitions are found by prefix because a tenant's items span many of them.
 * Items go one DeleteItem at a time (a few in parallel): the role may delete
 * tenant items but not BatchWrite them, since IAM cannot tell a batch's
 * delete from a key-only put (infra/aws/constructs/data-access.ts).
 */
const PARALLEL_DELETES = 16;

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
    const keys = (page.Items ?? []) as { pk: string; sk: string }[];
    for (let i = 0; i < keys.length; i += PARALLEL_DELETES) {
      await Promise.all(
        keys.slice(i, i + PARALLEL_DELETES).map((k) => documents.send(new DeleteCommand({ TableName: tableName, Key: { pk: k.pk, sk: k.sk } }))),
      );
    }
    removed += keys.length;
    start = page.LastEvaluatedKey;
  } while (start);
  return removed;
}
