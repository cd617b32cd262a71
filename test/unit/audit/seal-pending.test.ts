import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { tenantTable } from '../../../core/adapters/dynamodb/tables';
import { AuditChainCorrupted, sealPending } from '../../../core/audit/audit-chain';
import { chainSortKey, genesisHash, linkHash } from '../../../core/audit/chain-hash';
import { event, OWNER } from './chain-fixtures';

const documents = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }));
const ddb = mockClient(documents);
const table = tenantTable(documents, 'steward', OWNER);
const P = `T#${OWNER}#`;
const unsealed = { IndexName: 'gsi1', ExpressionAttributeValues: { ':p': `${P}AUDIT#UNSEALED` } };
const chain = { IndexName: 'gsi1', ExpressionAttributeValues: { ':p': `${P}AUDIT#CHAIN` } };

/** A pending event as the UNSEALED index returns it (keys included, as DynamoDB does). */
function stored(n: number) {
  const e = event(n);
  return { pk: `${P}AUDIT`, sk: `E#${e.eventId}`, gsi1pk: `${P}AUDIT#UNSEALED`, gsi1sk: e.eventId, entity: 'audit-event', ...e };
}

function eventUpdate(n: number, seq: number, prevHash: string, hash: string) {
  const e = event(n);
  return {
    Update: {
      TableName: 'steward',
      Key: { pk: `${P}AUDIT`, sk: `E#${e.eventId}` },
      UpdateExpression: 'SET #a0 = :v1, #a2 = :v3, #a4 = :v5, #a6 = :v7, #a8 = :v9',
      ConditionExpression: 'attribute_exists(#a10) AND attribute_not_exists(#a11) AND attribute_not_exists(#a12) AND #a13 = :v14',
      ExpressionAttributeNames: {
        '#a0': 'seq',
        '#a2': 'prevHash',
        '#a4': 'hash',
        '#a6': 'gsi1pk',
        '#a8': 'gsi1sk',
        '#a10': 'pk',
        '#a11': 'hash',
        '#a12': 'seq',
        '#a13': 'gsi1pk',
      },
      ExpressionAttributeValues: { ':v1': seq, ':v3': prevHash, ':v5': hash, ':v7': `${P}AUDIT#CHAIN`, ':v9': chainSortKey(seq), ':v14': `${P}AUDIT#UNSEALED` },
    },
  };
}

beforeEach(() => ddb.reset());

describe('sealPending', () => {
  it('links pending events from the genesis and creates the head, in one conditional transaction', async () => {
    ddb
      .on(QueryCommand, unsealed)
      .resolvesOnce({ Items: [stored(1), stored(2)] })
      .resolves({ Items: [] });
    ddb.on(QueryCommand, chain).resolves({ Items: [] });
    ddb.on(GetCommand).resolves({});
    ddb.on(TransactWriteCommand).resolves({});

    expect(await sealPending(table)).toBe(2);

    const genesis = genesisHash(OWNER);
    const h1 = linkHash(genesis, { ...event(1), seq: 1 });
    const h2 = linkHash(h1, { ...event(2), seq: 2 });
    const calls = ddb.commandCalls(TransactWriteCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0].args[0].input).toEqual({
      TransactItems: [
        eventUpdate(1, 1, genesis, h1),
        eventUpdate(2, 2, h1, h2),
        {
          Update: {
            TableName: 'steward',
            Key: { pk: `${P}AUDIT-HEAD`, sk: 'META' },
            UpdateExpression: 'SET #a0 = :v1, #a2 = :v3, #a4 = :v5, #a6 = :v7',
            ConditionExpression: 'attribute_not_exists(#a8)',
            ExpressionAttributeNames: { '#a0': 'entity', '#a2': 'seq', '#a4': 'hash', '#a6': 'eventId', '#a8': 'pk' },
            ExpressionAttributeValues: { ':v1': 'audit-head', ':v3': 2, ':v5': h2, ':v7': event(2).eventId },
          },
        },
      ],
    });
  });

  it('when another sealer wins the head, re-reads it and continues the chain from there', async () => {
    const theirs = { seq: 7, hash: 'b'.repeat(64), eventId: 'OTHER' };
    ddb
      .on(QueryCommand, unsealed)
      .resolvesOnce({ Items: [stored(1)] })
      .resolvesOnce({ Items: [stored(1)] })
      .resolves({ Items: [] });
    ddb
      .on(GetCommand)
      .resolvesOnce({ Item: { pk: `${P}AUDIT-HEAD`, sk: 'META', seq: 6, hash: 'a'.repeat(64), eventId: 'X' } })
      .resolves({ Item: { pk: `${P}AUDIT-HEAD`, sk: 'META', ...theirs } });
    ddb
      .on(TransactWriteCommand)
      .rejectsOnce(
        new TransactionCanceledException({ message: 'cancelled', $metadata: {}, CancellationReasons: [{ Code: 'None' }, { Code: 'ConditionalCheckFailed' }] }),
      )
      .resolves({});

    expect(await sealPending(table)).toBe(1);

    const [lost, won] = ddb.commandCalls(TransactWriteCommand).map((c) => c.args[0].input.TransactItems!);
    expect(lost[1].Update!.ConditionExpression).toBe('#a8 = :v9 AND #a10 = :v11');
    expect(lost[1].Update!.ExpressionAttributeValues).toMatchObject({ ':v9': 6, ':v11': 'a'.repeat(64) });
    expect(won[0]).toEqual(eventUpdate(1, 8, theirs.hash, linkHash(theirs.hash, { ...event(1), seq: 8 })));
    expect(won[1].Update!.ExpressionAttributeValues).toMatchObject({ ':v3': 8, ':v9': 7, ':v11': theirs.hash });
  });

  it('refuses to start a second chain when the head is gone but sealed events exist', async () => {
    ddb.on(QueryCommand, unsealed).resolves({ Items: [stored(3)] });
    ddb.on(QueryCommand, chain).resolves({ Items: [{ ...stored(1), seq: 1 }] });
    ddb.on(GetCommand).resolves({});
    await expect(sealPending(table)).rejects.toBeInstanceOf(AuditChainCorrupted);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('stops after a short page, leaving what was written meanwhile to the next run, unless told to go on until nothing is pending', async () => {
    const pages = () => {
      ddb.reset();
      // Two pending; while they are sealed, one more is written; then nothing.
      ddb
        .on(QueryCommand, unsealed)
        .resolvesOnce({ Items: [stored(1), stored(2)] })
        .resolvesOnce({ Items: [stored(3)] })
        .resolves({ Items: [] });
      ddb.on(QueryCommand, chain).resolves({ Items: [] });
      ddb.on(GetCommand).resolves({});
      ddb.on(TransactWriteCommand).resolves({});
    };
    pages();
    expect(await sealPending(table)).toBe(2);
    expect(ddb.commandCalls(QueryCommand, unsealed)).toHaveLength(1);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(1);

    pages();
    expect(await sealPending(table, { untilEmpty: true })).toBe(3);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(2);
  });

  it('does nothing (and reads no head) when nothing is pending', async () => {
    ddb.on(QueryCommand, unsealed).resolves({ Items: [] });
    expect(await sealPending(table)).toBe(0);
    expect(ddb.commandCalls(GetCommand)).toHaveLength(0);
  });
});
