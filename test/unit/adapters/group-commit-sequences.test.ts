import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AppendSequence, TransactItem } from '../../../core/adapters/dynamodb/append-sequence';
import { TransactionCombiner } from '../../../core/adapters/dynamodb/transaction-combiner';

/**
 * The TransactionCombiner's side of sealing at commit, with a scripted client:
 * how it links appends, and what it does when the head or the link gets in
 * the way (the DynamoDB Local behaviour is in test/integration/audit/chain-at-commit.test.ts).
 */
type Items = Array<TransactItem & { Put?: { Item: Record<string, unknown> } }>;

/** A counter sequence: each linked Put gets `n`; the head write is an Update of `HEAD`. */
function counterSequence() {
  const seen = { heads: 0, committed: [] as number[], forgotten: 0 };
  const sequence: AppendSequence<number> = {
    headKey: 't\u0000HEAD\u0000h',
    head: async () => {
      seen.heads++;
      return seen.committed.at(-1) ?? 0;
    },
    link: (state, item) => {
      if (item.Put?.Item?.unlinkable) throw new TypeError('cannot link');
      return { item: { Put: { ...item.Put!, Item: { ...item.Put!.Item, n: state + 1 } } }, state: state + 1 };
    },
    advance: (before, after) => ({
      Update: { TableName: 't', Key: { pk: 'HEAD', sk: 'h' }, UpdateExpression: `SET n = ${after}`, ConditionExpression: `n = ${before}` },
    }),
    committed: (after) => void seen.committed.push(after),
    forget: () => void seen.forgotten++,
  };
  return { sequence, seen };
}

/** A client answering each TransactWriteItems with `answer(items)` (undefined: applied); records what it was sent. */
function scriptedClient(answer: (items: Items, call: number) => Error | undefined) {
  const sent: Items[] = [];
  const client = {
    send: async (command: { input: { TransactItems: Items } }) => {
      sent.push(command.input.TransactItems);
      const error = answer(command.input.TransactItems, sent.length);
      if (error) throw error;
      return {};
    },
  } as unknown as DynamoDBDocumentClient;
  return { client, sent };
}

const put = (pk: string, extra: Record<string, unknown> = {}): TransactItem => ({ Put: { TableName: 't', Item: { pk, sk: 's', ...extra } } });
const isHead = (item: TransactItem) => item.Update?.Key?.pk === 'HEAD';
const cancelled = (codes: string[]) =>
  new TransactionCanceledException({ message: 'cancelled', $metadata: {}, CancellationReasons: codes.map((Code) => ({ Code })) });
const headRefused = (items: Items) => cancelled(items.map((i) => (isHead(i) ? 'ConditionalCheckFailed' : 'None')));

describe('group commit with an append sequence', () => {
  it('links the appends of concurrent transactions in order behind one head write per call', async () => {
    const { sequence, seen } = counterSequence();
    const { client, sent } = scriptedClient(() => undefined);
    const combiner = new TransactionCombiner(client, { lingerMs: 0 });
    await Promise.all([1, 2, 3, 4].map((i) => combiner.write([put(`a${i}`), put(`e${i}`)], [{ index: 1, sequence }])));

    expect(sent.map((items) => items.filter(isHead).length)).toEqual(sent.map(() => 1));
    const linked = sent.flat().filter((i) => i.Put?.Item.pk.toString().startsWith('e'));
    expect(linked.map((i) => i.Put!.Item.n)).toEqual([1, 2, 3, 4]);
    expect(sent.length).toBeLessThan(4);
    expect(seen.committed.at(-1)).toBe(4);
  });

  it('sends the group again on a refused head, and after three refusals writes the appends unlinked', async () => {
    const { sequence, seen } = counterSequence();
    const { client, sent } = scriptedClient((items) => (items.some(isHead) ? headRefused(items) : undefined));
    const combiner = new TransactionCombiner(client, { lingerMs: 0 });

    await combiner.write([put('a'), put('e')], [{ index: 1, sequence }]);

    expect(sent.map((items) => items.length)).toEqual([3, 3, 3, 2]);
    expect(sent[3].find((i) => i.Put?.Item.pk === 'e')!.Put!.Item.n).toBeUndefined();
    expect(seen.forgotten).toBe(3);
    expect(seen.heads).toBe(3);
  });

  it('rejects a transaction refused for its own reason with only its own reasons, and links the others again', async () => {
    const { sequence } = counterSequence();
    const { client, sent } = scriptedClient((items, call) =>
      call === 2 ? cancelled(items.map((i) => (i.Put?.Item.pk === 'bad' ? 'ConditionalCheckFailed' : 'None'))) : undefined,
    );
    const combiner = new TransactionCombiner(client, { lingerMs: 0 });
    const first = combiner.write([put('first')]);
    const outcomes = await Promise.allSettled([
      combiner.write([put('ok1'), put('e1')], [{ index: 1, sequence }]),
      combiner.write([put('bad'), put('e2')], [{ index: 1, sequence }]),
      combiner.write([put('ok3'), put('e3')], [{ index: 1, sequence }]),
    ]);
    await first;

    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const reasons = ((outcomes[1] as PromiseRejectedResult).reason as TransactionCanceledException).CancellationReasons!.map((r) => r.Code);
    expect(reasons).toEqual(['ConditionalCheckFailed', 'None']);
    // The retry links the survivors as 1 and 2: the refused one took no place.
    expect(
      sent
        .at(-1)!
        .filter((i) => i.Put?.Item.pk.toString().startsWith('e'))
        .map((i) => [i.Put!.Item.pk, i.Put!.Item.n]),
    ).toEqual([
      ['e1', 1],
      ['e3', 2],
    ]);
  });

  it('retries a linked transaction DynamoDB refused as a whole without its links, as it would have been sent alone', async () => {
    const { sequence } = counterSequence();
    const tooBig = Object.assign(new Error('Item size has exceeded the maximum allowed size'), { name: 'ValidationException', $fault: 'client' });
    const { client, sent } = scriptedClient((items) => (items.some(isHead) ? tooBig : undefined));
    const combiner = new TransactionCombiner(client, { lingerMs: 0 });

    await combiner.write([put('a'), put('e')], [{ index: 1, sequence }]);

    expect(sent.map((items) => items.length)).toEqual([3, 2]);
  });

  it('writes an append it cannot link as it is, and a head it cannot read leaves every append unlinked', async () => {
    const { sequence } = counterSequence();
    const { client, sent } = scriptedClient(() => undefined);
    const combiner = new TransactionCombiner(client, { lingerMs: 0 });
    await combiner.write(
      [put('e1', { unlinkable: true }), put('e2')],
      [
        { index: 0, sequence },
        { index: 1, sequence },
      ],
    );
    expect(sent[0].map((i) => i.Put?.Item.n ?? (isHead(i) ? 'head' : undefined))).toEqual([undefined, 1, 'head']);

    const broken: AppendSequence<number> = { ...sequence, head: async () => Promise.reject(new Error('chain corrupted')) };
    await combiner.write([put('e3')], [{ index: 0, sequence: broken }]);
    expect(sent[1]).toEqual([put('e3')]);
  });

  it('rejects the transactions of a call it cannot build rather than leave them waiting', async () => {
    const { sequence } = counterSequence();
    const { client, sent } = scriptedClient(() => undefined);
    const combiner = new TransactionCombiner(client, { lingerMs: 0 });
    const faulty: AppendSequence<number> = {
      ...sequence,
      advance: () => {
        throw new Error('no head write');
      },
    };

    await expect(combiner.write([put('e1')], [{ index: 0, sequence: faulty }])).rejects.toThrow('no head write');
    await combiner.write([put('after')]);
    expect(sent).toEqual([[put('after')]]);
  });

  it('never puts a transaction that writes the head item itself in a call that advances it', async () => {
    const { sequence } = counterSequence();
    const { client, sent } = scriptedClient(() => undefined);
    const combiner = new TransactionCombiner(client, { lingerMs: 0 });
    const first = combiner.write([put('first')]);
    await Promise.all([
      combiner.write([put('e1')], [{ index: 0, sequence }]),
      combiner.write([{ Put: { TableName: 't', Item: { pk: 'HEAD', sk: 'h', n: 0 } } }]),
      combiner.write([put('e2')], [{ index: 0, sequence }]),
    ]);
    await first;
    for (const items of sent) expect(items.filter((i) => (i.Put?.Item.pk ?? i.Update?.Key?.pk) === 'HEAD').length).toBeLessThanOrEqual(1);
  });
});
