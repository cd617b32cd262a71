import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { existsSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteStore } from '../../../core/adapters/sqlite/sqlite-store';
import { verifyChain } from '../../../core/audit/audit-chain';
import { TenantRegistry } from '../../../core/tenancy/tenant-registry';
import { startDynamoDbLocal } from '../stand-ins/dynamodb-local';
import { freePort } from '../stand-ins/ports';
import { BackupProblem, type BackupProgress } from './local-backup';

export interface MigrationReport {
  readonly items: number;
  readonly tenants: number;
  readonly chainsVerified: number;
  /** Where the DynamoDB Local folder was moved (kept, never deleted). */
  readonly keptAt: string;
}

/**
 * Moves a data folder made when DynamoDB Local was the default
 * (`<dataDir>/dynamodb/`) to the embedded store (`<dataDir>/metadata.sqlite`):
 * starts DynamoDB Local on the old folder (this needs Java 17, once), copies
 * every item as it is (keys, indexes, audit chain fields), verifies every
 * audit chain in the new store, and only then moves the old folder aside to
 * `dynamodb.migrated-<time>`. Objects stay where they are (`s3/`).
 */
export async function migrateDynamoDbLocal(dataDir: string, options: { tableName?: string; progress?: BackupProgress } = {}): Promise<MigrationReport> {
  const progress = options.progress ?? (() => undefined);
  const source = join(dataDir, 'dynamodb');
  const target = join(dataDir, 'metadata.sqlite');
  if (!existsSync(source)) throw new BackupProblem(`${dataDir} has no DynamoDB Local folder (dynamodb/): nothing to migrate`);
  if (existsSync(target)) throw new BackupProblem(`${target} already exists: the folder was migrated already (remove ${target} to migrate again)`);
  const port = await freePort();
  const jvm = await startDynamoDbLocal({ port, dataDir: source, logDir: join(dataDir, 'logs') });
  const client = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  const documents = DynamoDBDocumentClient.from(client);
  const store = new SqliteStore({ path: target, ttlSweepMs: 0 });
  let items = 0;
  try {
    let start: Record<string, unknown> | undefined;
    do {
      const page = await documents.send(new ScanCommand({ TableName: options.tableName ?? 'steward', ExclusiveStartKey: start, Limit: 1000 }));
      store.importRawItems(page.Items ?? []);
      items += page.Items?.length ?? 0;
      progress('items', items, items);
      start = page.LastEvaluatedKey;
    } while (start);
    const tenants: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await new TenantRegistry(store.platform()).list({ limit: 100, cursor });
      tenants.push(...page.items.map((t) => t.tenantId));
      cursor = page.cursor;
    } while (cursor);
    let chainsVerified = 0;
    for (const table of [store.platform(), ...tenants.map((id) => store.tenant(id))]) {
      const report = await verifyChain(table, { lagRetries: 0 });
      if (!report.ok)
        throw new BackupProblem(
          `the audit chain of ${table.owner} does not verify in the migrated store (${report.reason} at seq ${report.firstBrokenSeq}); the old folder is untouched`,
        );
      chainsVerified += 1;
      progress('audit chains', chainsVerified, tenants.length + 1);
    }
    await store.close();
    const keptAt = join(dataDir, `dynamodb.migrated-${new Date().toISOString().replace(/[:.]/g, '-')}`);
    await jvm.stop();
    renameSync(source, keptAt);
    return { items, tenants: tenants.length, chainsVerified, keptAt };
  } catch (error) {
    await store.close();
    // A failed migration leaves the old folder as the truth, and no half-made store behind.
    for (const suffix of ['', '-wal', '-shm']) if (existsSync(target + suffix)) renameSync(target + suffix, `${target}.failed${suffix}`);
    throw error;
  } finally {
    client.destroy();
    await jvm.stop().catch(() => undefined);
  }
}
