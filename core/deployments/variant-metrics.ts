/**
 * Requests, errors and latency per served variant, counted in this process
 * since the variant's deployment (or canary step) began. The canary reads them;
 * `GET /endpoints/{name}/metrics` shows them. Latencies keep the last 2,000
 * samples, enough for a stable p99 over a bake period.
 */
export interface VariantStats {
  readonly requests: number;
  readonly errors: number;
  readonly errorRate: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

const WINDOW = 2000;

class VariantCounter {
  requests = 0;
  errors = 0;
  private readonly latencies: number[] = [];
  private next = 0;

  record(ok: boolean, latencyMs: number): void {
    this.requests++;
    if (!ok) this.errors++;
    if (this.latencies.length < WINDOW) this.latencies.push(latencyMs);
    else this.latencies[this.next++ % WINDOW] = latencyMs;
  }

  stats(): VariantStats {
    const sorted = [...this.latencies].sort((a, b) => a - b);
    const at = (q: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! : 0);
    return { requests: this.requests, errors: this.errors, errorRate: this.requests ? this.errors / this.requests : 0, p50Ms: at(0.5), p99Ms: at(0.99) };
  }
}

const counters = new Map<string, VariantCounter>();

/** `scopeKey`: the deployment (and canary step) the counts belong to, so a new step starts from zero. */
export function recordVariantCall(scopeKey: string, variant: string, ok: boolean, latencyMs: number): void {
  const key = `${scopeKey}|${variant}`;
  let counter = counters.get(key);
  if (!counter) {
    counter = new VariantCounter();
    counters.set(key, counter);
    if (counters.size > 50_000) counters.delete(counters.keys().next().value!);
  }
  counter.record(ok, latencyMs);
}

export function variantStats(scopeKey: string, variant: string): VariantStats {
  return counters.get(`${scopeKey}|${variant}`)?.stats() ?? { requests: 0, errors: 0, errorRate: 0, p50Ms: 0, p99Ms: 0 };
}
