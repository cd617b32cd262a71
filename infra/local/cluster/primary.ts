import cluster, { type Worker } from 'node:cluster';
import { join } from 'node:path';
import { TenantTokenBuckets } from '../../../core/tenancy/tenant-token-buckets';
import { ensureConsoleBuilt } from '../console-assets';
import { allowedByEnv, assertLoopbackOnly, listenerNames, startStandInsFor, type StartOptions } from '../start';
import type { RunningStandIns } from '../stand-ins/start-stand-ins';
import { answerLeases } from './lease-ipc';
import { FAILED, READY, STOP, WORKER_CONFIG_VARIABLE, type WorkerConfig, type WorkerRole, WorkerStatusSchema } from './worker-messages';

export interface WorkersOptions {
  /** How many worker processes serve (2 or more; one is `startPlatform`). */
  readonly workers: number;
  /** More unexpected worker exits than this within a minute is a crash loop: the platform is not kept up. @default 5 */
  readonly maxRestartsPerMinute?: number;
  /** Called once when workers crash in a loop (the caller stops the platform). @default report it and stop */
  readonly onCrashLoop?: (message: string) => void;
  /** Where the primary says what happens to its workers. @default stderr */
  readonly report?: (line: string) => void;
  /** A worker that does not stop within this long after being asked is killed. @default 20 s */
  readonly stopTimeoutMs?: number;
}

export interface RunningWorkers {
  readonly apiUrl: string;
  readonly consoleUrl?: string;
  readonly inboxUrl: string;
  readonly exposed: readonly string[];
  readonly standIns: RunningStandIns;
  readonly workers: number;
  /** The workers serving now (a replacement once it serves, with its new pid); the leader first. */
  workerPids(): number[];
  stop(): Promise<void>;
}

interface Slot {
  readonly role: WorkerRole;
  worker?: Worker;
}

/** Every worker runs this file; with tsx, as the primary does (under `npm start`) or registered here (tests, the bench). */
const WORKER_ENTRY = join(__dirname, 'worker-entry.ts');

/**
 * `npm start --workers n`: the platform served by n worker processes over
 * one data folder, as gunicorn serves a WSGI app. This process (the primary)
 * starts the stand-ins once, builds the console once, owns each tenant's
 * rate-limit bucket (workers lease tokens from it over IPC), and supervises:
 * - the leader (first worker) starts alone and bootstraps what a first start
 *   creates (table, bucket, issuer key file, the administrator) and recovers
 *   interrupted pipelines; the others fork once it serves, so nothing races on
 *   creation. The leader alone fires schedules and sweeps staged uploads.
 * - every worker listens on the API and scoring ports (node:cluster shares them).
 * - a worker that exits unexpectedly is replaced (a replaced leader by a new
 *   leader); more than `maxRestartsPerMinute` such exits is a crash loop.
 * - stop() asks each worker to close its platform, then stops the stand-ins.
 */
export async function startPlatformWorkers(options: StartOptions, workersOptions: WorkersOptions): Promise<RunningWorkers> {
  if (!cluster.isPrimary) throw new Error('startPlatformWorkers runs in the primary process only');
  if (!Number.isInteger(workersOptions.workers) || workersOptions.workers < 2)
    throw new Error(`workers must be 2 or more (got ${workersOptions.workers}); one worker is startPlatform`);
  const { env, mailPorts, standIns } = await startStandInsFor(options);
  let supervisor: WorkerSupervisor | undefined;
  try {
    const withWeb = (options.console ?? env.STEWARD_CONSOLE !== 'off') && (await ensureConsoleBuilt());
    const config = (role: WorkerRole): WorkerConfig => ({
      role,
      workers: workersOptions.workers,
      dataDir: options.dataDir,
      apiPort: options.apiPort,
      scoringPort: options.scoringPort,
      endpoints: standIns.endpoints,
      console: withWeb,
    });
    supervisor = new WorkerSupervisor(config, env, workersOptions);
    await supervisor.start(workersOptions.workers);
    const standInPids = standIns.processes.flatMap((p) => (p.child.pid ? [p.child.pid] : []));
    const exposed = assertLoopbackOnly(listenerNames(options, mailPorts), standInPids, options.allowNonLoopback ?? allowedByEnv(env), [
      process.pid,
      ...supervisor.pids(),
    ]);
    const apiUrl = `http://127.0.0.1:${options.apiPort}`;
    const running = supervisor;
    return {
      apiUrl,
      consoleUrl: withWeb ? `${apiUrl}/` : undefined,
      inboxUrl: standIns.endpoints.inbox!,
      exposed,
      standIns,
      workers: workersOptions.workers,
      workerPids: () => running.pids(),
      async stop() {
        await running.stop();
        await standIns.stop();
      },
    };
  } catch (error) {
    await supervisor?.stop().catch(() => undefined);
    await standIns.stop();
    throw error;
  }
}

class WorkerSupervisor {
  private readonly slots: Slot[] = [];
  private readonly buckets = new TenantTokenBuckets();
  private readonly exits: number[] = [];
  private readonly serving = new WeakSet<Worker>();
  private started = false;
  private stopping = false;
  private readonly report: (line: string) => void;

  constructor(
    private readonly config: (role: WorkerRole) => WorkerConfig,
    private readonly env: Record<string, string | undefined>,
    private readonly options: WorkersOptions,
  ) {
    this.report = options.report ?? ((line) => process.stderr.write(`${line}\n`));
    cluster.setupPrimary({
      exec: WORKER_ENTRY,
      // Under `npm start` tsx is already among the flags; elsewhere (a test runner, the bench) it is added.
      execArgv: process.execArgv.some((a) => a.includes('tsx')) ? process.execArgv : [...process.execArgv, '--import', 'tsx'],
    });
  }

  /** Workers that serve (ready, not dead), the leader first. */
  pids(): number[] {
    return this.slots.flatMap((s) => (s.worker?.process.pid && this.serving.has(s.worker) && !s.worker.isDead() ? [s.worker.process.pid] : []));
  }

  /** The leader alone, until it serves; then the others together. */
  async start(count: number): Promise<void> {
    const leader: Slot = { role: 'leader' };
    this.slots.push(leader);
    await this.fork(leader);
    const followers = Array.from({ length: count - 1 }, (): Slot => ({ role: 'follower' }));
    this.slots.push(...followers);
    await Promise.all(followers.map((slot) => this.fork(slot)));
    this.started = true;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const timeoutMs = this.options.stopTimeoutMs ?? 20_000;
    await Promise.all(
      this.slots.map(({ worker }) => {
        if (!worker || worker.isDead()) return Promise.resolve();
        return new Promise<void>((resolve) => {
          const timer = setTimeout(() => worker.process.kill('SIGKILL'), timeoutMs);
          worker.once('exit', () => {
            clearTimeout(timer);
            resolve();
          });
          if (worker.isConnected()) worker.send({ type: STOP });
          else worker.process.kill('SIGTERM');
        });
      }),
    );
  }

  /** Forks the slot's worker; resolves once it serves, rejects if it cannot start. */
  private fork(slot: Slot): Promise<Worker> {
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(this.env)) if (value !== undefined) env[key] = value;
    env[WORKER_CONFIG_VARIABLE] = JSON.stringify(this.config(slot.role));
    const worker = cluster.fork(env);
    slot.worker = worker;
    answerLeases(worker, this.buckets);
    return new Promise<Worker>((resolve, reject) => {
      let ready = false;
      worker.on('message', (message: unknown) => {
        // Rate leases go by here too, hundreds a second: look at the type before parsing.
        const type = (message as { type?: unknown } | null)?.type;
        if (type !== READY && type !== FAILED) return;
        const status = WorkerStatusSchema.safeParse(message);
        if (!status.success) return;
        if (status.data.type === READY) {
          ready = true;
          this.serving.add(worker);
          resolve(worker);
        } else if (status.data.type === FAILED) {
          reject(new Error(`the ${slot.role} worker could not start: ${status.data.message}`));
        }
      });
      worker.on('exit', (code, signal) => {
        if (!ready) reject(new Error(`the ${slot.role} worker exited before it served (${signal ?? `code ${code}`})`));
        this.exited(slot, worker, code, signal);
      });
    });
  }

  private exited(slot: Slot, worker: Worker, code: number | null, signal: string | null): void {
    if (this.stopping || !this.started || slot.worker !== worker) return;
    const now = Date.now();
    this.exits.push(now);
    while (this.exits.length && this.exits[0] < now - 60_000) this.exits.shift();
    const how = signal ? `signal ${signal}` : `code ${code}`;
    const max = this.options.maxRestartsPerMinute ?? 5;
    if (this.exits.length > max) {
      const message = `API workers exited ${this.exits.length} times within a minute (the last, ${slot.role} ${worker.process.pid}, with ${how}): not restarting them; see the log above for the cause`;
      this.stopping = true;
      if (this.options.onCrashLoop) this.options.onCrashLoop(message);
      else {
        this.report(`steward: ${message}`);
        void this.stop();
      }
      return;
    }
    this.report(`steward: API worker ${worker.process.pid} (${slot.role}) exited unexpectedly (${how}); starting a replacement`);
    this.fork(slot).then(
      (replacement) => this.report(`steward: API worker ${replacement.process.pid} (${slot.role}) serves in its place`),
      // Its exit is counted like any other: it is replaced again, or the loop ends the platform.
      (error: unknown) => this.report(`steward: ${error instanceof Error ? error.message : String(error)}`),
    );
  }
}
