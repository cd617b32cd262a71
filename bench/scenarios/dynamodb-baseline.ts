import { randomUUID } from 'node:crypto';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { createAwsClients } from '../../core/adapters/aws-clients';
import { bootstrapTable } from '../../core/adapters/dynamodb/bootstrap-table';
import { readSettings } from '../../core/config/settings';
import { runClosedLoop } from '../drivers/closed-loop';
import { required, type LoadSettings, type Measurement, type Scenario, type ScenarioContext } from './scenario';

/**
 * The store's ceiling: the same DynamoDB Local the API uses, driven directly
 * through the document client by N concurrent callers, on a throw-away table
 * with the platform's own key design (core/adapters/dynamodb/bootstrap-table).
 * An API scenario that reads one item can go no faster than
 * dynamodb-get-item; the gap between them is what the API costs.
 */
const TENANT = 't0bench000000000';
const PARTITIONS = 50;
const ITEMS_PER_PARTITION = 20;
const PAYLOAD = 'x'.repeat(700); // an item of roughly 1 KB, like a catalog entry

type Operation = 'get-item' | 'put-item' | 'query';

function item(partition: number, index: number) {
  return {
    pk: `T#${TENANT}#MODEL#m${partition}`,
    sk: `VERSION#${String(index).padStart(6, '0')}`,
    gsi1pk: `T#${TENANT}#MODELS`,
    gsi1sk: `m${partition}#${index}`,
    name: `model ${partition}`,
    version: index,
    status: 'REGISTERED',
    description: PAYLOAD,
    createdAt: new Date(0).toISOString(),
  };
}

function dynamodbScenario(operation: Operation, measures: string): Scenario {
  const defaults: LoadSettings = { connections: 8, durationSeconds: 10, warmupSeconds: 2 };
  return {
    name: `dynamodb-${operation}`,
    measures,
    requires: ['dynamodb'],
    defaults,
    run: (context) => runAgainstTable(operation, context),
  };
}

async function runAgainstTable(operation: Operation, { target, load, report, window }: ScenarioContext): Promise<Measurement> {
  const clients = createAwsClients(readSettings({ STEWARD_MODE: 'local', STEWARD_DYNAMODB_ENDPOINT: required(target, 'dynamodbEndpoint') }));
  const table = `steward-bench-${randomUUID().slice(0, 8)}`;
  const docs = clients.documents;
  try {
    report(`  creating table ${table} and seeding ${PARTITIONS * ITEMS_PER_PARTITION} items`);
    await bootstrapTable(clients.dynamodb, table);
    for (let p = 0; p < PARTITIONS; p++) {
      const items = Array.from({ length: ITEMS_PER_PARTITION }, (_, i) => item(p, i));
      for (let i = 0; i < items.length; i += 25) {
        await docs.send(new BatchWriteCommand({ RequestItems: { [table]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) } }));
      }
    }
    const call = {
      'get-item': (caller: number, n: number) =>
        docs.send(new GetCommand({ TableName: table, Key: keyOf((caller * 7919 + n) % (PARTITIONS * ITEMS_PER_PARTITION)) })),
      'put-item': (caller: number, n: number) =>
        docs.send(new PutCommand({ TableName: table, Item: { ...item(PARTITIONS + caller, n), sk: `VERSION#${caller}#${n}` } })),
      query: (caller: number, n: number) =>
        docs.send(
          new QueryCommand({
            TableName: table,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': item((caller + n) % PARTITIONS, 0).pk },
            Limit: ITEMS_PER_PARTITION,
          }),
        ),
    }[operation];
    const measurement = await runClosedLoop(`dynamodb-${operation}`, call, load, report, window);
    return {
      ...measurement,
      notes: {
        itemBytes: JSON.stringify(item(0, 0)).length,
        partitions: PARTITIONS,
        itemsPerPartition: ITEMS_PER_PARTITION,
        client: 'lib-dynamodb DocumentClient',
      },
    };
  } finally {
    await clients.dynamodb.send(new DeleteTableCommand({ TableName: table })).catch(() => undefined);
    clients.dynamodb.destroy();
  }
}

function keyOf(n: number) {
  const { pk, sk } = item(Math.floor(n / ITEMS_PER_PARTITION), n % ITEMS_PER_PARTITION);
  return { pk, sk };
}

export const dynamodbGetItem = dynamodbScenario('get-item', 'GetItem of a ~1 KB item by key, straight to DynamoDB Local: the read ceiling');
export const dynamodbPutItem = dynamodbScenario('put-item', 'PutItem of a ~1 KB item, straight to DynamoDB Local: the write ceiling');
export const dynamodbQuery = dynamodbScenario('query', 'Query of one partition (20 items of ~1 KB), straight to DynamoDB Local: the list ceiling');
