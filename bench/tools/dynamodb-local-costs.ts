/**
 * What DynamoDB Local itself charges for writes, on disk as `npm start` runs
 * it (or in memory with --memory): the evidence behind group commit
 * (core/adapters/dynamodb/transaction-combiner.ts) and the local table
 * without a stream (core/adapters/dynamodb/bootstrap-table.ts).
 *
 *   npx tsx bench/tools/dynamodb-local-costs.ts [--memory] [--seconds 6]
 *
 * Starts its own DynamoDB Local over a temporary folder. 8 callers, closed
 * loop, ~1 KB items with the platform's key design:
 * - per-item cost: TransactWriteItems of 1, 2, 4, 10 and 25 puts, and
 *   BatchWriteItem of 25 (items with 3 GSI keys), as calls/s and ms per item;
 * - stream cost: PutItem on a table with 4 GSIs with and without a
 *   NEW_AND_OLD_IMAGES stream, alternated three times (a stream's records pile
 *   up in the SQLite file; later rounds show any drift).
 * The JVM is warmed first (20 s, unmeasured).
 */
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { withoutSdkLogging } from '../../core/adapters/aws-clients';
import { TABLE_INDEXES } from '../../core/storage/table-design';
import { startDynamoDbLocal } from '../../infra/local/stand-ins/dynamodb-local';
import { freePort } from '../../infra/local/stand-ins/ports';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const CALLERS = 8;
const WARMUP_SECONDS = 20;
const ROUNDS = 3;
const PAD = 'x'.repeat(800);

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { memory: { type: 'boolean', default: false }, seconds: { type: 'string', default: '6' } } });
  const seconds = Number(values.seconds);
  const dataDir = values.memory ? undefined : mkdtempSync(join(tmpdir(), 'steward-ddb-costs-'));
  const port = await freePort();
  const ddb = await startDynamoDbLocal({ port, dataDir });
  const dynamodb = withoutSdkLogging(
    new DynamoDBClient({ endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } }),
  );
  const documents = DynamoDBDocumentClient.from(dynamodb);
  process.stdout.write(
    `DynamoDB Local ${values.memory ? 'in memory' : `on disk (${dataDir})`}; ${CALLERS} callers, ${seconds} s per figure after a short warm-up\n`,
  );
  let seq = 0;
  const item = (withIndexes: boolean) => {
    const k = String(seq++).padStart(10, '0');
    return {
      pk: `T#bench#I${k}`,
      sk: 'S',
      data: PAD,
      ...(withIndexes ? { gsi1pk: 'T#bench#G1', gsi1sk: k, gsi2pk: `T#bench#G2${seq % 50}`, gsi2sk: k, gsi3pk: 'T#bench#ALL', gsi3sk: k } : {}),
    };
  };
  try {
    await createTable(dynamodb, 'costs', false);
    // A JVM: its first thousands of calls run interpreted. Whatever ran first would pay for that.
    process.stdout.write(`warming the JVM: ${WARMUP_SECONDS} s of transactions and puts, not measured\n`);
    await closedLoop(WARMUP_SECONDS, (n) =>
      n % 2 === 0
        ? documents.send(new PutCommand({ TableName: 'costs', Item: item(true) }))
        : documents.send(
            new TransactWriteCommand({
              TransactItems: [1, 2, 3].map(() => ({ Put: { TableName: 'costs', Item: item(true), ConditionExpression: 'attribute_not_exists(pk)' } })),
            }),
          ),
    );
    process.stdout.write('\nper-item cost (items with 3 GSI keys)\n');
    for (const k of [1, 2, 4, 10, 25]) {
      const calls = await closedLoop(seconds, () =>
        documents.send(
          new TransactWriteCommand({
            TransactItems: Array.from({ length: k }, () => ({
              Put: { TableName: 'costs', Item: item(true), ConditionExpression: 'attribute_not_exists(pk)' },
            })),
          }),
        ),
      );
      report(`TransactWriteItems of ${k}`, calls, k);
    }
    const batches = await closedLoop(seconds, () =>
      documents.send(new BatchWriteCommand({ RequestItems: { costs: Array.from({ length: 25 }, () => ({ PutRequest: { Item: item(true) } })) } })),
    );
    report('BatchWriteItem of 25', batches, 25);

    process.stdout.write('\nstream cost (PutItem, table with 4 GSIs)\n');
    await createTable(dynamodb, 'nostream', false);
    await createTable(dynamodb, 'withstream', true);
    for (let round = 1; round <= ROUNDS; round++) {
      for (const table of ['nostream', 'withstream']) {
        const calls = await closedLoop(seconds, () => documents.send(new PutCommand({ TableName: table, Item: item(true) })));
        report(`round ${round}: ${table === 'withstream' ? 'with a stream' : 'without a stream'}`, calls, 1);
      }
    }
  } finally {
    dynamodb.destroy();
    await ddb.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }

  function report(label: string, callsPerSecond: number, itemsPerCall: number): void {
    const msPerItem = 1000 / (callsPerSecond * itemsPerCall);
    process.stdout.write(
      `  ${label.padEnd(34)} ${callsPerSecond.toFixed(0).padStart(6)} calls/s ${(callsPerSecond * itemsPerCall).toFixed(0).padStart(6)} items/s ${msPerItem.toFixed(2).padStart(6)} ms/item\n`,
    );
  }
}

async function createTable(dynamodb: DynamoDBClient, name: string, stream: boolean): Promise<void> {
  await dynamodb.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: ['pk', 'sk', ...TABLE_INDEXES.flatMap((i) => [i.partition, i.sort])].map((n) => ({ AttributeName: n, AttributeType: 'S' })),
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: TABLE_INDEXES.map((i) => ({
        IndexName: i.name,
        KeySchema: [
          { AttributeName: i.partition, KeyType: 'HASH' },
          { AttributeName: i.sort, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      })),
      ...(stream ? { StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' } } : {}),
    }),
  );
}

/** Calls per second over `seconds`, after a warm-up of half as long. */
async function closedLoop(seconds: number, op: (n: number) => Promise<unknown>): Promise<number> {
  const run = async (duration: number) => {
    let calls = 0;
    const deadline = performance.now() + duration * 1000;
    await Promise.all(
      Array.from({ length: CALLERS }, async () => {
        while (performance.now() < deadline) {
          await op(calls);
          calls++;
        }
      }),
    );
    return calls / duration;
  };
  await run(seconds / 2);
  return run(seconds);
}

void main();
