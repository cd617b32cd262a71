/**
 * Latency percentiles from every recorded sample, in milliseconds with two
 * decimals. autocannon's own histogram keeps whole milliseconds, which reads
 * as 0 for anything on loopback; the drivers keep the raw samples instead.
 */
export function summarizeLatencies(samples: Float64Array): { mean: number; p50: number; p90: number; p95: number; p97_5: number; p99: number; max: number } {
  const sorted = samples.slice().sort();
  const at = (p: number) => (sorted.length ? round(sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]) : 0);
  let sum = 0;
  for (const s of sorted) sum += s;
  return {
    mean: round(sorted.length ? sum / sorted.length : 0),
    p50: at(50),
    p90: at(90),
    p95: at(95),
    p97_5: at(97.5),
    p99: at(99),
    max: round(sorted[sorted.length - 1] ?? 0),
  };
}

/** A growable list of float samples without boxing every number. */
export class SampleBuffer {
  private data = new Float64Array(1 << 16);
  private length = 0;

  push(value: number): void {
    if (this.length === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = value;
  }

  get count(): number {
    return this.length;
  }

  values(): Float64Array {
    return this.data.subarray(0, this.length);
  }
}

export function round(value: number): number {
  return Math.round(value * 100) / 100;
}
