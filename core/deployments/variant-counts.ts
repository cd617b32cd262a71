import type { KeyRef, MetadataTable } from '../ports/metadata-store';
import type { Log } from '../ports/log';
import { TTL_ATTRIBUTE } from '../storage/table-design';
import type { Deployment } from './deployment-records';

/**
 * Requests, errors and latency per served variant, counted in the metadata
 * store so every API process (every Lambda instance on AWS) adds to the same
 * counts and the canary's verdict weighs them all, not one process's share.
 *
 * Recording costs a scoring request no storage call: calls are added up in
 * memory and flushed about once a second as atomic `adjust`s, one per
 * counter, on one item per deployment, canary step, variant and minute:
 * `requests`, `errors`, and a latency histogram (`ms_<i>`: calls whose
 * latency fell in bucket i, 0.01 ms × 2^(i/4), so any quantile is known to
 * within 19 % and merges across processes by addition). A flush that fails
 * puts its counts back to be tried again. Items expire a week after their
 * minute.
 *
 * Reading (the canary, `GET /endpoints/{name}/metrics`) sums the variant's
 * items of the current deployment and step, plus what this process has not
 * flushed yet.
 */
/** One variant's calls since its deployment (or canary step) began, over every process. */
export interface VariantStats {
  readonly requests: number;
  readonly errors: number;
  readonly errorRate: number;
  /** Latency quantiles, as the upper bound of the histogram bucket they fall in (within 19 %). */
  readonly p50Ms: number;
  readonly p99Ms: number;
}

export interface VariantCounts {
  record(table: MetadataTable, deployment: Deployment, variant: string, ok: boolean, latencyMs: number): void;
  stats(table: MetadataTable, deployment: Deployment, variant: string): Promise<VariantStats>;
  /** Writes everything buffered (tests; shutdown). */
  flush(): Promise<void>;
}

const FLUSH_EVERY_MS = 1000;
const KEEP_SECONDS = 7 * 24 * 3600;
/** Latency histogram: bucket i holds (0.01 ms × 2^((i−1)/4), 0.01 ms × 2^(i/4)]; the last one everything slower (about 5.6 min and over). */
const BASE_MS = 0.01;
const STEPS_PER_DOUBLING = 4;
const LAST_BUCKET = 100;
const LATENCY_PREFIX = 'ms_';

export function latencyBucket(ms: number): number {
  if (!(ms > BASE_MS)) return 0;
  return Math.min(LAST_BUCKET, Math.ceil(STEPS_PER_DOUBLING * Math.log2(ms / BASE_MS)));
}

/** The upper bound of a latency bucket, in ms: what a quantile falling in it is reported as. */
export function latencyBucketBound(bucket: number): number {
  return BASE_MS * 2 ** (bucket / STEPS_PER_DOUBLING);
}

/** The counts of one deployment and canary step: a new step starts from zero. */
function countsPartition(d: Deployment): (string | number)[] {
  return ['VARIANTCOUNT', d.deploymentId, d.canary?.stepIndex ?? 0];
}

interface Tally {
  requests: number;
  errors: number;
  /** Latency bucket → calls. */
  latency: Map<number, number>;
}

interface PendingTally extends Tally {
  readonly table: MetadataTable;
  readonly ref: KeyRef;
  /** Epoch seconds the item may be removed at. */
  readonly expiresAt: number;
  /** What the reads add for this process: table, deployment, step and variant. */
  readonly readKey: string;
}

function emptyTally(): Tally {
  return { requests: 0, errors: 0, latency: new Map() };
}

function addInto(into: Tally, from: Tally): void {
  into.requests += from.requests;
  into.errors += from.errors;
  for (const [bucket, n] of from.latency) into.latency.set(bucket, (into.latency.get(bucket) ?? 0) + n);
}

function statsOf(t: Tally): VariantStats {
  const buckets = [...t.latency.entries()].filter(([, n]) => n > 0).sort((a, b) => a[0] - b[0]);
  const total = buckets.reduce((s, [, n]) => s + n, 0);
  const quantile = (q: number) => {
    if (total === 0) return 0;
    const rank = Math.ceil(q * total);
    let seen = 0;
    for (const [bucket, n] of buckets) {
      seen += n;
      if (seen >= rank) return latencyBucketBound(bucket);
    }
    return latencyBucketBound(buckets[buckets.length - 1][0]);
  };
  return { requests: t.requests, errors: t.errors, errorRate: t.requests ? t.errors / t.requests : 0, p50Ms: quantile(0.5), p99Ms: quantile(0.99) };
}

/**
 * Every live buffer in this process, so that shutting the process down can
 * write what each still holds (`flushVariantCounts`): a buffer belongs to
 * the API app that made it, which the platform's close cannot reach.
 */
const LIVE = new Set<WeakRef<SharedVariantCounts>>();

/** Writes what every buffer of this process still holds (shutdown: before the store closes). */
export async function flushVariantCounts(): Promise<void> {
  const flushes: Promise<void>[] = [];
  for (const ref of LIVE) {
    const counts = ref.deref();
    if (counts) flushes.push(counts.flush());
    else LIVE.delete(ref);
  }
  await Promise.all(flushes);
}

export class SharedVariantCounts implements VariantCounts {
  private pending = new Map<string, PendingTally>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<unknown> = Promise.resolve();
  private readonly expiring = new Set<string>();

  /**
   * Per deployment (the object the live-deployment cache hands every call for a second), the tally its previous call
   * added to, with what it was found by (`pending`: the buffer it is in, replaced by each flush). Per deployment, not
   * one for the process: calls to several endpoints (tenants) interleave, and each would otherwise build the next one's key.
   */
  private readonly lastOf = new WeakMap<
    Deployment,
    { table: MetadataTable; variant: string; minute: string; pending: Map<string, PendingTally>; tally: PendingTally }
  >();

  /** The last minute recorded in, as `YYYY-MM-DDTHH:MM`: formatted once a minute, not on every call. */
  private minute = { number: Number.NaN, text: '' };

  constructor(private readonly options: { log?: Log; now?: () => Date } = {}) {
    LIVE.add(new WeakRef(this));
  }

  private minuteOf(ms: number): string {
    const number = Math.floor(ms / 60_000);
    if (number !== this.minute.number) this.minute = { number, text: new Date(number * 60_000).toISOString().slice(0, 16) };
    return this.minute.text;
  }

  record(table: MetadataTable, deployment: Deployment, variant: string, ok: boolean, latencyMs: number): void {
    const nowMs = this.options.now?.().getTime() ?? Date.now();
    const minute = this.minuteOf(nowMs);
    const last = this.lastOf.get(deployment);
    // Calls of a deployment come in runs for one variant: the previous call's tally, while it is still the one buffered, is found without building its key.
    let tally = last && last.table === table && last.variant === variant && last.minute === minute && last.pending === this.pending ? last.tally : undefined;
    if (!tally) tally = this.tallyFor(table, deployment, variant, minute, nowMs);
    tally.requests++;
    if (!ok) tally.errors++;
    const bucket = latencyBucket(latencyMs);
    tally.latency.set(bucket, (tally.latency.get(bucket) ?? 0) + 1);
    if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        void this.flush();
      }, FLUSH_EVERY_MS);
      this.timer.unref();
    }
  }

  private tallyFor(table: MetadataTable, deployment: Deployment, variant: string, minute: string, nowMs: number): PendingTally {
    const key = `${table.identity}|${deployment.deploymentId}|${deployment.canary?.stepIndex ?? 0}|${variant}|${minute}`;
    let tally = this.pending.get(key);
    if (!tally) {
      const partition = countsPartition(deployment);
      const readKey = `${table.identity}|${partition.join('|')}|${variant}`;
      tally = { table, ref: { partition, sort: `${variant}#${minute}` }, expiresAt: Math.floor(nowMs / 1000) + KEEP_SECONDS, readKey, ...emptyTally() };
      this.pending.set(key, tally);
    }
    this.lastOf.set(deployment, { table, variant, minute, pending: this.pending, tally });
    return tally;
  }

  async stats(table: MetadataTable, deployment: Deployment, variant: string): Promise<VariantStats> {
    const partition = countsPartition(deployment);
    const total = emptyTally();
    let cursor: string | undefined;
    do {
      const page = await table.query<Record<string, unknown>>({
        partition,
        sortBeginsWith: `${variant}#`,
        consistent: true,
        limit: 500,
        ...(cursor ? { cursor } : {}),
      });
      for (const item of page.items) addInto(total, tallyOfItem(item));
      cursor = page.cursor;
    } while (cursor);
    const readKey = `${table.identity}|${partition.join('|')}|${variant}`;
    for (const tally of this.pending.values()) if (tally.readKey === readKey) addInto(total, tally);
    return statsOf(total);
  }

  async flush(): Promise<void> {
    const batch = [...this.pending.values()];
    this.pending = new Map();
    const done = Promise.all(batch.map((t) => this.write(t)));
    this.flushing = Promise.all([this.flushing, done]);
    await this.flushing;
  }

  /** One tally's adds; each one that fails goes back into the buffer (the others landed, so they are not repeated). */
  private async write(tally: PendingTally): Promise<void> {
    const adds: [string, number][] = [['requests', tally.requests]];
    if (tally.errors > 0) adds.push(['errors', tally.errors]);
    for (const [bucket, n] of tally.latency) adds.push([`${LATENCY_PREFIX}${bucket}`, n]);
    const failed = emptyTally();
    let error: Error | undefined;
    await Promise.all(
      adds.map(async ([attribute, by]) => {
        try {
          await tally.table.adjust(tally.ref, attribute, by);
        } catch (e) {
          error = e as Error;
          if (attribute === 'requests') failed.requests += by;
          else if (attribute === 'errors') failed.errors += by;
          else failed.latency.set(Number(attribute.slice(LATENCY_PREFIX.length)), by);
        }
      }),
    );
    if (error) {
      this.options.log?.warn('variant counts not written; kept for the next flush', { error: error.message });
      this.putBack(tally, failed);
      return;
    }
    const itemKey = `${tally.table.identity}|${tally.ref.partition.join('|')}|${tally.ref.sort}`;
    if (this.expiring.has(itemKey)) return;
    try {
      await tally.table.patch(tally.ref, { [TTL_ATTRIBUTE]: tally.expiresAt });
      this.expiring.add(itemKey);
      if (this.expiring.size > 10_000) this.expiring.delete(this.expiring.values().next().value!);
    } catch (e) {
      this.options.log?.warn('variant counts: expiry not set; tried again on the next flush', { error: (e as Error).message });
    }
  }

  private putBack(tally: PendingTally, failed: Tally): void {
    const key = `${tally.readKey}|${tally.ref.sort.slice(tally.ref.sort.lastIndexOf('#') + 1)}`;
    let into = this.pending.get(key);
    if (!into) {
      into = { table: tally.table, ref: tally.ref, expiresAt: tally.expiresAt, readKey: tally.readKey, ...emptyTally() };
      this.pending.set(key, into);
    }
    addInto(into, failed);
    if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        void this.flush();
      }, FLUSH_EVERY_MS);
      this.timer.unref();
    }
  }
}

function tallyOfItem(item: Record<string, unknown>): Tally {
  const tally = emptyTally();
  for (const [name, value] of Object.entries(item)) {
    if (typeof value !== 'number') continue;
    if (name === 'requests') tally.requests = value;
    else if (name === 'errors') tally.errors = value;
    else if (name.startsWith(LATENCY_PREFIX)) tally.latency.set(Number(name.slice(LATENCY_PREFIX.length)), value);
  }
  return tally;
}
