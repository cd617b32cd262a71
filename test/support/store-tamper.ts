import Database from 'better-sqlite3';
import { DeleteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ScopedTable } from '../../core/adapters/dynamodb/scoped-table';
import type { SqliteTable } from '../../core/adapters/sqlite/sqlite-store';
import type { KeyRef, MetadataTable } from '../../core/ports/metadata-store';
import type { LocalPlatform } from '../../infra/local/local-platform';

/**
 * What an attacker with write access to the store's files or endpoint could
 * do, behind the application's back: change or remove a stored item without
 * any of the platform's rules. Tamper tests use it on either store.
 */
export async function tamperEdit(local: LocalPlatform, table: MetadataTable, key: KeyRef, fields: Record<string, unknown>): Promise<void> {
  if (local.platform.store.kind === 'dynamodb') {
    const t = table as ScopedTable;
    const names = Object.fromEntries(Object.keys(fields).map((f, i) => [`#f${i}`, f]));
    const values = Object.fromEntries(Object.values(fields).map((v, i) => [`:f${i}`, v]));
    await local.clients.documents.send(
      new UpdateCommand({
        TableName: t.tableName,
        Key: { pk: t.partitionKey(key.partition), sk: key.sort },
        UpdateExpression: `SET ${Object.keys(fields)
          .map((_, i) => `#f${i} = :f${i}`)
          .join(', ')}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
    return;
  }
  withFile(table, (db, pk) => {
    const row = db.prepare('SELECT body FROM items WHERE pk = ? AND sk = ?').get(pk(key), key.sort) as { body: string };
    db.prepare('UPDATE items SET body = ? WHERE pk = ? AND sk = ?').run(JSON.stringify({ ...JSON.parse(row.body), ...fields }), pk(key), key.sort);
  });
}

export async function tamperDelete(local: LocalPlatform, table: MetadataTable, key: KeyRef): Promise<void> {
  if (local.platform.store.kind === 'dynamodb') {
    const t = table as ScopedTable;
    await local.clients.documents.send(new DeleteCommand({ TableName: t.tableName, Key: { pk: t.partitionKey(key.partition), sk: key.sort } }));
    return;
  }
  withFile(table, (db, pk) => db.prepare('DELETE FROM items WHERE pk = ? AND sk = ?').run(pk(key), key.sort));
}

/** A second connection to the file, as another program would open it. */
function withFile(table: MetadataTable, work: (db: Database.Database, pk: (key: KeyRef) => string) => void): void {
  const t = table as SqliteTable;
  const db = new Database(t.store.options.path);
  try {
    work(db, (key) => t.partitionKey(key.partition));
  } finally {
    db.close();
  }
}
