import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CounterCombiner } from '../../../core/adapters/dynamodb/counter-combiner';
import { type TransactItem, TransactionCombiner } from '../../../core/adapters/dynamodb/transaction-combiner';

/** A client whose every call takes `ms` and is recorded with the time it was sent. */
function slowClient(ms: number) {
  const sent: Array<{ at: number; name: string; input: Record<string, unknown> }> = [];
  const client = {
    send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      sent.push({ at: performance.now(), name: command.constructor.name, input: command.input });
      await new Promise((resolve) => setTimeout(resolve, ms));
      return { Attributes: { n: 1 } };
    },
  } as unknown as DynamoDBDocumentClient;
  return { client, sent };
}

const put = (n: number): TransactItem => ({ Put: { TableName: 't', Item: { pk: `p${n}`, sk: 's' } } });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('group commit lingering', () => {
  it('sends a lone transaction at once when no concurrency has been seen', async () => {
    const { client, sent } = slowClient(1);
    const combiner = new TransactionCombiner(client, { lingerMs: 400 });
    const started = performance.now();
    await combiner.write([put(1)]);
    expect(sent).toHaveLength(1);
    expect(sent[0].at - started).toBeLessThan(200);
  });

  it('after a concurrent burst, waits for the rest of the company: two transactions a moment apart share one call', async () => {
    for (const [lingerMs, calls] of [
      [30, 1],
      [0, 2],
    ] as const) {
      const { client, sent } = slowClient(5);
      const combiner = new TransactionCombiner(client, { lingerMs });
      // A burst: the first leaves alone, the three queued behind it leave together.
      await Promise.all([1, 2, 3, 4].map((n) => combiner.write([put(n)])));
      expect(sent.map((s) => (s.input.TransactItems as unknown[]).length)).toEqual([1, 3]);
      sent.length = 0;
      const first = combiner.write([put(5)]);
      await sleep(5);
      await Promise.all([first, combiner.write([put(6)])]);
      expect(sent).toHaveLength(calls);
    }
  });

  it('stops lingering once calls leave alone again', async () => {
    const { client, sent } = slowClient(2);
    const combiner = new TransactionCombiner(client, { lingerMs: 400 });
    await Promise.all([1, 2, 3].map((n) => combiner.write([put(n)])));
    await combiner.write([put(4)]); // lingers once, then leaves alone
    sent.length = 0;
    const started = performance.now();
    await combiner.write([put(5)]);
    expect(sent[0].at - started).toBeLessThan(200);
  });

  it('does the same for counter adds on one counter', async () => {
    for (const [lingerMs, calls] of [
      [30, 1],
      [0, 2],
    ] as const) {
      const { client, sent } = slowClient(5);
      const counters = new CounterCombiner(client, { lingerMs });
      const add = () => counters.add({ tableName: 't', key: { pk: 'USAGE', sk: 'META' }, attribute: 'n', by: 1 });
      await Promise.all([add(), add(), add(), add()]);
      expect(sent).toHaveLength(2);
      sent.length = 0;
      const first = add();
      await sleep(5);
      await Promise.all([first, add()]);
      expect(sent).toHaveLength(calls);
    }
  });
});
