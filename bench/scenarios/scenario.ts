import type { CpuUsage } from '../drivers/cpu-usage';

/** What a scenario needs running before it can be measured. */
export type Requirement = 'api' | 'dynamodb' | 's3' | 'scoring';

/** Where the scenarios send their load: a platform the bench started, or one given on the command line. */
export interface BenchTarget {
  readonly apiUrl?: string;
  /** The local mail inbox (invitations are mailed, not returned by the API). */
  readonly inboxUrl?: string;
  readonly dynamodbEndpoint?: string;
  readonly s3Endpoint?: string;
  readonly scoringEndpoint?: string;
  /**
   * Where the bare-DynamoDB catalog baselines (dynamodb-create-version …) run:
   * by default the platform's own DynamoDB Local (`dynamodbEndpoint`); with
   * `--bare-dynamodb memory` a second, in-memory DynamoDB Local the bench started.
   */
  readonly bareDynamodbEndpoint?: string;
  /** The data folder of a platform the bench started (seeding the embedded store reads it). */
  readonly dataDir?: string;
  /** The metadata store of a platform the bench started. */
  readonly store?: 'sqlite' | 'dynamodb-local';
  /** The platform's table (STEWARD_TABLE_NAME, default `steward`). */
  readonly tableName: string;
  /**
   * Who links the platform's audit events into their chain (STEWARD_AUDIT_CHAIN): the writing
   * transaction (`at-commit`, local mode's default) or the sealer afterwards (`deferred`). The bare
   * create-version baseline makes the same head write as the API when it is `at-commit`.
   */
  readonly auditChain: 'at-commit' | 'deferred';
  /** A platform administrator, for onboarding bench tenants through the API (signup → approve). */
  readonly admin?: { readonly email: string; readonly password: string };
  /** Processes whose CPU time is recorded over each measured window (name → pid, or pids summed: the API's primary and workers with --workers n). */
  readonly processes: Readonly<Record<string, number | readonly number[]>>;
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

/** Marks the measured window (after the warm-up), so CPU use (and a profile, if asked for) covers it alone. */
export interface MeasuredWindow {
  begin(): Promise<void>;
  end(): Promise<WindowFacts>;
}

/** What the harness observed over a measured window, beside the driver's own figures. */
export interface WindowFacts {
  readonly cpu?: CpuUsage;
  /** DynamoDB calls the API process made, by command (a platform the bench started in its own process). */
  readonly apiStoreCalls?: StoreCalls;
}

export interface StoreCalls {
  readonly byCommand: Readonly<Record<string, number>>;
  /** Failed calls, by command and error name. */
  readonly failed: Readonly<Record<string, number>>;
  /** Items written by TransactWriteItems calls, in total. */
  readonly transactItems: number;
}

/** Set-up shared by the scenarios of one run (an onboarded tenant, a seeded catalog), built on first use. */
export interface SharedFixtures {
  once<T>(key: string, build: () => Promise<T>): Promise<T>;
}

export interface ScenarioContext {
  readonly target: BenchTarget;
  readonly load: LoadSettings;
  /** Progress and notes go to stderr through this, never to the result. */
  readonly report: (line: string) => void;
  readonly shared: SharedFixtures;
  readonly window: MeasuredWindow;
  /** Names of every scenario selected for this run, in order (a fixture may prepare for later ones). */
  readonly selected: readonly string[];
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
  readonly latencyMs: {
    readonly mean: number;
    readonly p50: number;
    readonly p90: number;
    readonly p95: number;
    readonly p97_5: number;
    readonly p99: number;
    readonly max: number;
  };
  /** Connection errors and timeouts (HTTP) or thrown calls (SDK). */
  readonly errors: number;
  /** Answers outside 2xx; the run still completes, but the numbers are suspect. */
  readonly non2xx: number;
  readonly statusCodes: Readonly<Record<string, number>>;
  /** CPU used by each known process over the measured window, in cores (1.0 = one core busy). */
  readonly cpu?: CpuUsage;
  /** DynamoDB calls the API made over the measured window. */
  readonly apiStoreCalls?: StoreCalls;
  /** Scenario-specific facts worth keeping with the numbers (item sizes, model shape). */
  readonly notes?: Readonly<Record<string, unknown>>;
}

/**
 * How a scenario's result is judged against another scenario of the same run:
 * - `throughput`: this req/s ÷ the other's req/s (an API operation against its
 *   bare DynamoDB calls), at least `atLeast`;
 * - `p95`: this p95 ÷ the other's p95 (the same query on a bigger catalog), at most `atMost`.
 */
export interface Comparison {
  readonly with: string;
  readonly kind: 'throughput' | 'p95';
  readonly atLeast?: number;
  readonly atMost?: number;
}

/** An absolute objective from the issues, printed next to the result. */
export interface Objective {
  readonly reqPerSecAtLeast?: number;
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
  readonly compare?: Comparison;
  readonly objective?: Objective;
  run(context: ScenarioContext): Promise<Measurement>;
}

/** The endpoint a scenario requires, or a message saying which flag provides it. */
export function required(target: BenchTarget, what: 'apiUrl' | 'dynamodbEndpoint' | 's3Endpoint' | 'scoringEndpoint'): string {
  const value = target[what];
  if (!value) throw new Error(`this scenario needs ${what}, which the target does not provide`);
  return value;
}
