import { CreateTableCommand, DeleteTableCommand, DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { randomUUID } from 'node:crypto';
import { createAwsClients } from '../../../core/adapters/aws-clients';
import { bootstrapTable } from '../../../core/adapters/dynamodb/bootstrap-table';
import { localSettings } from '../../../infra/local/local-settings';

describe('the local table', () => {
  const endpoint = () => process.env.STEWARD_TEST_DYNAMODB_ENDPOINT!;
  const client = () =>
    createAwsClients(
      localSettings(
        { dynamodb: endpoint(), s3: 'http://127.0.0.1:1', scoring: 'http://127.0.0.1:1', api: 'http://127.0.0.1:1' },
        { STEWARD_LOG_LEVEL: 'SILENT' },
      ),
    ).dynamodb;

  it('has no stream (nothing reads one locally), and a stream left by an earlier version is turned off', async () => {
    const dynamodb: DynamoDBClient = client();
    const fresh = `steward-${randomUUID().slice(0, 8)}`;
    await bootstrapTable(dynamodb, fresh);
    expect((await dynamodb.send(new DescribeTableCommand({ TableName: fresh }))).Table?.StreamSpecification?.StreamEnabled ?? false).toBe(false);

    const old = `steward-${randomUUID().slice(0, 8)}`;
    await dynamodb.send(
      new CreateTableCommand({
        TableName: old,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
      }),
    );
    await Promise.all([bootstrapTable(dynamodb, old), bootstrapTable(dynamodb, old)]);
    expect((await dynamodb.send(new DescribeTableCommand({ TableName: old }))).Table?.StreamSpecification?.StreamEnabled ?? false).toBe(false);
    await Promise.all([fresh, old].map((TableName) => dynamodb.send(new DeleteTableCommand({ TableName }))));
    dynamodb.destroy();
  });

  it('goes without the SDK logger middleware, which filtered every call for a logger that drops everything', () => {
    const dynamodb = client();
    expect(dynamodb.middlewareStack.identify().some((m) => m.startsWith('loggerMiddleware'))).toBe(false);
    dynamodb.destroy();
  });
});
