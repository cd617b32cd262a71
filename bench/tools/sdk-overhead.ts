/**
 * What one DynamoDB call costs the *client* (the API process), with the
 * platform's client configuration (core/adapters/aws-clients.ts: the SDK's
 * logger middleware removed) and with the SDK's defaults (the middleware
 * kept), the evidence for that change (bench/README.md).
 *
 *   npx tsx bench/tools/sdk-overhead.ts [--endpoint http://127.0.0.1:7701] [--seconds 8]
 *
 * Without --endpoint it starts an in-memory DynamoDB Local. For each variant:
 * 8 callers, closed loop, GetItem of a ~1.5 KB version item and Query of 25;
 * reports calls/s and the client's CPU per call (process.cpuUsage), which is
 * what the API pays per call whatever the store's speed.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { parseArgs } from 'node:util';
import { createAwsClients } from '../../core/adapters/aws-clients';
import { readSettings } from '../../core/config/settings';
import { benchModel, benchVersion, batchPut, openCatalogStore, syntheticTenantId, versionWriteItem } from '../support/catalog-data';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

type Clients = { dynamodb: DynamoDBClient; documents: DynamoDBDocumentClient };
type Variant = { name: string; make: (endpoint: string) => Clients };

const VARIANTS: Variant[] = [
  {
    name: 'SDK defaults',
    // The SDK's logger middleware filters every input and output for sensitive fields
    // (schemaLogFilter) before handing them to the logger, even the default no-op one.
    make: (endpoint) => {
      const dynamodb = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }, maxAttempts: 4 });
      return {
        dynamodb,
        documents: DynamoDBDocumentClient.from(dynamodb, { marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false } }),
      };
    },
  },
  { name: 'platform client (no logger)', make: (endpoint) => createAwsClients(readSettings({ STEWARD_MODE: 'local', STEWARD_DYNAMODB_ENDPOINT: endpoint })) },
];

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { endpoint: { type: 'string' }, seconds: { type: 'string', default: '8' }, rounds: { type: 'string', default: '2' } },
  });
  let endpoint = values.endpoint;
  let stop = async () => {};
  if (!endpoint) {
    const { startDynamoDbLocal } = await import('../../infra/local/stand-ins/dynamodb-local');
    const { freePort } = await import('../../infra/local/stand-ins/ports');
    const port = await freePort();
    const ddb = await startDynamoDbLocal({ port });
    endpoint = `http://127.0.0.1:${port}`;
    stop = () => ddb.stop();
  }
  try {
    const tenantId = syntheticTenantId();
    const seedStore = await openCatalogStore(endpoint, 'steward', tenantId);
    const model = benchModel(
      { projectId: '01benchprojectxxxxxxxxxxxx', name: 'sdk-overhead', tags: [], owner: 'token:x', versions: 50 },
      'token:x',
      new Date(),
    );
    const items = Array.from({ length: 50 }, (_, v) => versionWriteItem(seedStore.table, benchVersion(model, v + 1, 'token:x', new Date())));
    await batchPut(seedStore.documents, seedStore.tableName, items, { total: items.length, label: 'seed', report: () => undefined });
    seedStore.close();
    const seconds = Number(values.seconds);
    process.stdout.write(`endpoint ${endpoint}; 8 callers, ${seconds} s per measurement (after ${seconds / 2} s warm-up), ${values.rounds} rounds\n`);
    for (let round = 0; round < Number(values.rounds); round++) {
      for (const variant of VARIANTS) {
        const clients = variant.make(endpoint);
        const store = await openCatalogStore(endpoint, 'steward', tenantId);
        const pk = store.table.partitionKey(['MODEL', model.modelId]);
        const ops = {
          GetItem: (n: number) =>
            clients.documents.send(
              new GetCommand({ TableName: 'steward', Key: { pk, sk: `V#${String((n % 50) + 1).padStart(8, '0')}` }, ConsistentRead: true }),
            ),
          'Query 25': () =>
            clients.documents.send(
              new QueryCommand({
                TableName: 'steward',
                KeyConditionExpression: '#p = :p AND begins_with(#s, :s)',
                ExpressionAttributeNames: { '#p': 'pk', '#s': 'sk' },
                ExpressionAttributeValues: { ':p': pk, ':s': 'V#' },
                Limit: 25,
              }),
            ),
        };
        for (const [name, op] of Object.entries(ops)) {
          await loop(op, seconds / 2);
          const cpu0 = process.cpuUsage();
          const { calls, elapsed } = await loop(op, seconds);
          const cpu = process.cpuUsage(cpu0);
          const cpuMs = (cpu.user + cpu.system) / 1000 / calls;
          process.stdout.write(
            `  ${variant.name.padEnd(28)} ${name.padEnd(9)} ${(calls / elapsed).toFixed(0).padStart(6)} calls/s  client CPU ${cpuMs.toFixed(3)} ms/call\n`,
          );
        }
        store.close();
        clients.dynamodb.destroy();
      }
    }
  } finally {
    await stop();
  }
}

async function loop(op: (n: number) => Promise<unknown>, seconds: number): Promise<{ calls: number; elapsed: number }> {
  const started = performance.now();
  const deadline = started + seconds * 1000;
  let calls = 0;
  await Promise.all(
    Array.from({ length: 8 }, async (_, c) => {
      for (let n = c; performance.now() < deadline; n += 8) {
        await op(n);
        calls++;
      }
    }),
  );
  return { calls, elapsed: (performance.now() - started) / 1000 };
}

void main();
