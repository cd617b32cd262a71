import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
  ResourceInUseException,
  ResourceNotFoundException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { TABLE_INDEXES, TABLE_KEYS, TTL_ATTRIBUTE } from '../../storage/table-design';

/**
 * Creates the single table with its indexes and TTL if missing; does nothing
 * if it exists. Local mode only: on AWS the CDK stack owns the table.
 * Safe to run at every start and from several processes at once.
 *
 * No stream here. On AWS the stream feeds the audit sealer Lambda; locally the
 * sealer runs in process and is nudged by the request that wrote the events
 * (core/audit/audit-sealer.ts), so a stream would have no reader, and
 * DynamoDB Local would still store a record of every write in its SQLite
 * file (0–15 % of put throughput on disk here:
 * `npx tsx bench/tools/dynamodb-local-costs.ts`). A table made by an earlier
 * version with a stream gets it turned off.
 */
export async function bootstrapTable(dynamodb: DynamoDBClient, tableName: string): Promise<'created' | 'existed'> {
  let outcome: 'created' | 'existed' = 'existed';
  try {
    const existing = await dynamodb.send(new DescribeTableCommand({ TableName: tableName }));
    if (existing.Table?.StreamSpecification?.StreamEnabled) await turnStreamOff(dynamodb, tableName);
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
    try {
      await dynamodb.send(
        new CreateTableCommand({
          TableName: tableName,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [TABLE_KEYS.partition, TABLE_KEYS.sort, ...TABLE_INDEXES.flatMap((i) => [i.partition, i.sort])].map((name) => ({
            AttributeName: name,
            AttributeType: 'S',
          })),
          KeySchema: [
            { AttributeName: TABLE_KEYS.partition, KeyType: 'HASH' },
            { AttributeName: TABLE_KEYS.sort, KeyType: 'RANGE' },
          ],
          GlobalSecondaryIndexes: TABLE_INDEXES.map((index) => ({
            IndexName: index.name,
            KeySchema: [
              { AttributeName: index.partition, KeyType: 'HASH' },
              { AttributeName: index.sort, KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          })),
          SSESpecification: { Enabled: true },
        }),
      );
      outcome = 'created';
    } catch (createError) {
      if (!(createError instanceof ResourceInUseException)) throw createError;
    }
    await waitUntilTableExists({ client: dynamodb, maxWaitTime: 60 }, { TableName: tableName });
  }
  const ttl = await dynamodb.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
  const status = ttl.TimeToLiveDescription?.TimeToLiveStatus;
  if (status !== 'ENABLED' && status !== 'ENABLING') {
    try {
      await dynamodb.send(new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true } }));
    } catch (error) {
      // Another process starting on the same data enabled it first.
      const again = await dynamodb.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
      if (again.TimeToLiveDescription?.TimeToLiveStatus !== 'ENABLED' && again.TimeToLiveDescription?.TimeToLiveStatus !== 'ENABLING') throw error;
    }
  }
  return outcome;
}

async function turnStreamOff(dynamodb: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await dynamodb.send(new UpdateTableCommand({ TableName: tableName, StreamSpecification: { StreamEnabled: false } }));
  } catch (error) {
    // Another process starting on the same data turned it off first.
    const again = await dynamodb.send(new DescribeTableCommand({ TableName: tableName }));
    if (again.Table?.StreamSpecification?.StreamEnabled) throw error;
  }
}
