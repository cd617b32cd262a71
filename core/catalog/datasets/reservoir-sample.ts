/**
 * A uniform random sample of at most `capacity` values from a stream of
 * unknown length (Vitter's algorithm R). While the stream is no longer than
 * the capacity the sample holds every value, so statistics drawn from it are
 * exact; beyond that they are estimates from a uniform sample.
 *
 * The generator is seeded, so profiling the same file twice gives the same
 * profile (registrations are reproducible and testable).
 */
export class ReservoirSample {
  private values: Float64Array;
  private length = 0;
  private seen = 0;
  private state: number;

  constructor(
    readonly capacity: number,
    seed = 0x9e3779b9,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('capacity must be a positive integer');
    // Grows on demand: a small file should not cost `capacity` doubles per column.
    this.values = new Float64Array(Math.min(capacity, 1024));
    this.state = seed >>> 0;
  }

  /** How many values were offered. */
  get count(): number {
    return this.seen;
  }

  /** True while the sample still holds every value offered. */
  get complete(): boolean {
    return this.seen <= this.capacity;
  }

  add(value: number): void {
    this.seen++;
    if (this.length < this.capacity) {
      if (this.length === this.values.length) this.grow();
      this.values[this.length++] = value;
      return;
    }
    const slot = Math.floor(this.random() * this.seen);
    if (slot < this.capacity) this.values[slot] = value;
  }

  /** The sample, sorted ascending (a copy). */
  sorted(): Float64Array {
    return this.values.slice(0, this.length).sort();
  }

  private grow(): void {
    const next = new Float64Array(Math.min(this.capacity, this.values.length * 2));
    next.set(this.values);
    this.values = next;
  }

  // mulberry32: small, fast, good enough for sampling (not for secrets).
  private random(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}
