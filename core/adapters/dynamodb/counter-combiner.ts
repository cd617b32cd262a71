import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DEFAULT_LINGER_MS } from './transaction-combiner';

export interface CounterRequest {
  readonly tableName: string;
  readonly key: { readonly pk: string; readonly sk: string };
  readonly attribute: string;
  readonly by: number;
  /** The counter may not pass this value; the add is refused (ConditionalCheckFailedException) if it would. */
  readonly atMost?: number;
}

interface Pending {
  readonly request: CounterRequest;
  resolve(value: number): void;
  reject(error: unknown): void;
}

interface Lane {
  busy: boolean;
  queue: Pending[];
  /** Adds in the last call sent; more than now waiting means company is likely on its way. */
  lastGroup: number;
}

/** Idle lanes kept for their `lastGroup` (the rest are dropped when they drain). */
const MAX_IDLE_LANES = 10_000;

/**
 * Atomic counter adds (quota reservations) with group commit: while an add to
 * one counter is in flight, later adds to the same counter with the same
 * ceiling wait, then go as one UpdateItem of their sum. A combined add the
 * ceiling refuses is retried one add at a time, so the ceiling stays exact:
 * each caller is admitted or refused just as its own add would have been, in
 * arrival order. Each caller gets the counter's value right after its own add.
 *
 * Why: every registration reserves quota on the tenant's one usage item, so
 * concurrent registrations queue on that item; one update for all that
 * waited costs the store one call instead of many. While adds are
 * concurrent, a call waits a moment for the rest of the last call's company
 * (`lingerMs`). With one request at a time (a Lambda container) every add
 * leaves alone, unchanged.
 */
export class CounterCombiner {
  private readonly lanes = new Map<string, Lane>();
  private readonly lingerMs: number;

  /** `lingerMs`: as TransactionCombiner's, a short wait for company while adds are concurrent (default 2 ms). */
  constructor(
    private readonly client: DynamoDBDocumentClient,
    options: { lingerMs?: number } = {},
  ) {
    this.lingerMs = Math.max(0, options.lingerMs ?? DEFAULT_LINGER_MS);
  }

  add(request: CounterRequest): Promise<number> {
    const id = [request.tableName, request.key.pk, request.key.sk, request.attribute, request.atMost ?? ''].join('\u0000');
    let lane = this.lanes.get(id);
    if (!lane) {
      lane = { busy: false, queue: [], lastGroup: 1 };
      this.lanes.set(id, lane);
    }
    const promise = new Promise<number>((resolve, reject) => lane.queue.push({ request, resolve, reject }));
    if (!lane.busy) void this.drain(id, lane);
    return promise;
  }

  private async drain(id: string, lane: Lane): Promise<void> {
    lane.busy = true;
    try {
      let lingered = false;
      while (lane.queue.length > 0) {
        if (this.lingerMs > 0 && !lingered && lane.queue.length < lane.lastGroup) {
          lingered = true;
          await new Promise((resolve) => setTimeout(resolve, this.lingerMs));
          continue;
        }
        const group = lane.queue;
        lane.queue = [];
        lane.lastGroup = group.length;
        lingered = false;
        await this.commit(group);
      }
    } finally {
      lane.busy = false;
      // A lane that last sent alone has nothing to remember; the others keep their group size, within a bound.
      if (lane.lastGroup <= 1 || this.lanes.size > MAX_IDLE_LANES) this.lanes.delete(id);
    }
  }

  private async commit(group: Pending[]): Promise<void> {
    if (group.length > 1) {
      const total = group.reduce((sum, p) => sum + p.request.by, 0);
      try {
        let value = await this.send(group[0].request, total);
        // Hand each its own value: the combined result minus what the adds after it contributed.
        for (let i = group.length - 1; i >= 0; i--) {
          group[i].resolve(value);
          value -= group[i].request.by;
        }
        return;
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) {
          for (const p of group) p.reject(error);
          return;
        }
        // Near the ceiling: admit them one by one, in order, so each gets the exact verdict.
      }
    }
    for (const p of group) {
      try {
        p.resolve(await this.send(p.request, p.request.by));
      } catch (error) {
        p.reject(error);
      }
    }
  }

  private async send(request: CounterRequest, by: number): Promise<number> {
    const ceiling = request.atMost !== undefined;
    const out = await this.client.send(
      new UpdateCommand({
        TableName: request.tableName,
        Key: request.key,
        UpdateExpression: 'SET #c = if_not_exists(#c, :zero) + :by',
        ...(ceiling ? { ConditionExpression: 'attribute_not_exists(#c) OR #c <= :room' } : {}),
        ExpressionAttributeNames: { '#c': request.attribute },
        ExpressionAttributeValues: { ':by': by, ':zero': 0, ...(ceiling ? { ':room': request.atMost - by } : {}) },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return Number(out.Attributes?.[request.attribute] ?? 0);
  }
}

const combiners = new WeakMap<DynamoDBDocumentClient, CounterCombiner>();

export function counterCombiner(client: DynamoDBDocumentClient): CounterCombiner {
  let combiner = combiners.get(client);
  if (!combiner) {
    combiner = new CounterCombiner(client);
    combiners.set(client, combiner);
  }
  return combiner;
}
