/** What a scenario needs running before it can be measured. */
export type Requirement = 'api' | 'dynamodb' | 's3' | 'scoring';

/** Where the scenarios send their load: a platform the bench started, or one given on the command line. */
export interface BenchTarget {
  readonly apiUrl?: string;
  readonly dynamodbEndpoint?: string;
  readonly s3Endpoint?: string;
  readonly scoringEndpoint?: string;
  /** For the record: how the target came to be. */
  readonly description: string;
}

export interface LoadSettings {
  /** Concurrent connections (HTTP) or concurrent callers (SDK baselines). */
  readonly connections: number;
  readonly durationSeconds: number;
  /** Load of the same shape run first and discarded: JIT, connection pools, caches. */
  readonly warmupSeconds: number;
}

export interface ScenarioContext {
  readonly target: BenchTarget;
  readonly load: LoadSettings;
  /** Progress and notes go to stderr through this, never to the result. */
  readonly report: (line: string) => void;
}

/** One measured run, the same shape whichever driver produced it. */
export interface Measurement {
  readonly driver: 'autocannon' | 'closed-loop';
  readonly connections: number;
  readonly durationSeconds: number;
  readonly warmupSeconds: number;
  readonly requests: {
    readonly total: number;
    /** Sampled once per second over the measured window. */
    readonly perSecond: { readonly mean: number; readonly stddev: number; readonly min: number; readonly max: number };
  };
  readonly latencyMs: { readonly mean: number; readonly p50: number; readonly p90: number; readonly p97_5: number; readonly p99: number; readonly max: number };
  /** Connection errors and timeouts (HTTP) or thrown calls (SDK). */
  readonly errors: number;
  /** Answers outside 2xx; the run still completes, but the numbers are suspect. */
  readonly non2xx: number;
  readonly statusCodes: Readonly<Record<string, number>>;
  /** Scenario-specific facts worth keeping with the numbers (item sizes, model shape). */
  readonly notes?: Readonly<Record<string, unknown>>;
}

/**
 * A named benchmark. Add one by writing a module in bench/scenarios/ and
 * listing it in bench/scenarios/index.ts.
 */
export interface Scenario {
  readonly name: string;
  /** One line: what the numbers mean. */
  readonly measures: string;
  readonly requires: readonly Requirement[];
  readonly defaults: LoadSettings;
  run(context: ScenarioContext): Promise<Measurement>;
}

/** The endpoint a scenario requires, or a message saying which flag provides it. */
export function required(target: BenchTarget, what: 'apiUrl' | 'dynamodbEndpoint' | 's3Endpoint' | 'scoringEndpoint'): string {
  const value = target[what];
  if (!value) throw new Error(`this scenario needs ${what}, which the target does not provide`);
  return value;
}
