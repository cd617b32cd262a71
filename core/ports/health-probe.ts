/** One dependency's answer to "are you usable?". */
export interface DependencyHealth {
  readonly name: string;
  readonly status: 'ok' | 'failing';
  readonly detail?: string;
  readonly latencyMs: number;
}

/** A dependency the platform needs (table, bucket, pipeline runner, scoring gateway). */
export interface HealthProbe {
  readonly name: string;
  /** Resolves with a detail on success, rejects when the dependency is not usable. */
  check(): Promise<string | undefined>;
}
