import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import type { GuardedUpdate } from '../../ports/metadata-store';
import { DependencyFailed } from '../../errors';
import { KEY_ATTRIBUTE_NAMES, TABLE_INDEXES } from '../../storage/table-design';
import type { ScopedTable } from './scoped-table';

/**
 * All updates in one DynamoDB transaction (at most 100). `refused` when any
 * condition failed or a concurrent transaction touched the same items: the
 * caller's view is stale, re-read and retry. Other failures throw.
 */
export async function transactGuardedUpdates(table: ScopedTable, updates: readonly GuardedUpdate[]): Promise<'applied' | 'refused'> {
  if (updates.length === 0) return 'applied';
  if (updates.length > 100) throw new RangeError('a DynamoDB transaction holds at most 100 writes');
  const input: TransactWriteCommandInput = { TransactItems: updates.map((u) => ({ Update: prepare(table, u) })) };
  try {
    await table.client.send(new TransactWriteCommand(input));
    return 'applied';
  } catch (error) {
    if (error instanceof TransactionCanceledException) {
      const codes = (error.CancellationReasons ?? []).map((r) => r.Code);
      if (codes.some((c) => c === 'ConditionalCheckFailed' || c === 'TransactionConflict')) return 'refused';
    }
    throw new DependencyFailed('metadata store request failed', { cause: error });
  }
}

/** The raw Update for one guarded update (exported for the unit test of its exact shape). */
export function prepare(table: ScopedTable, update: GuardedUpdate) {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  let n = 0;
  const name = (attribute: string) => {
    const alias = `#a${n++}`;
    names[alias] = attribute;
    return alias;
  };
  const value = (v: unknown) => {
    const alias = `:v${n++}`;
    values[alias] = v;
    return alias;
  };
  const sets: string[] = [];
  for (const [attribute, v] of Object.entries(update.set)) {
    if (KEY_ATTRIBUTE_NAMES.has(attribute)) throw new RangeError(`'${attribute}' is a key attribute; give index keys through 'indexes'`);
    sets.push(`${name(attribute)} = ${value(v)}`);
  }
  for (const [indexName, ref] of Object.entries(update.indexes ?? {})) {
    const index = TABLE_INDEXES.find((i) => i.name === indexName)!;
    sets.push(`${name(index.partition)} = ${value(table.partitionKey(ref.partition))}`);
    sets.push(`${name(index.sort)} = ${value(ref.sort)}`);
  }
  if (sets.length === 0) throw new RangeError('an update must set something');
  const conditions: string[] = [];
  const { expect } = update;
  if (expect.item === 'new') conditions.push(`attribute_not_exists(${name('pk')})`);
  if (expect.item === 'exists') conditions.push(`attribute_exists(${name('pk')})`);
  for (const [attribute, v] of Object.entries(expect.equals ?? {})) conditions.push(`${name(attribute)} = ${value(v)}`);
  for (const attribute of expect.missing ?? []) conditions.push(`attribute_not_exists(${name(attribute)})`);
  if (expect.inIndex) {
    const index = TABLE_INDEXES.find((i) => i.name === expect.inIndex!.index)!;
    conditions.push(`${name(index.partition)} = ${value(table.partitionKey(expect.inIndex.partition))}`);
  }
  return {
    TableName: table.tableName,
    Key: { pk: table.partitionKey(update.key.partition), sk: update.key.sort },
    UpdateExpression: `SET ${sets.join(', ')}`,
    ...(conditions.length ? { ConditionExpression: conditions.join(' AND ') } : {}),
    ExpressionAttributeNames: names,
    ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
  };
}
