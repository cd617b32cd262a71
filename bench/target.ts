import { type ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ManagedProcess } from '../infra/local/stand-ins/child-process';
import type { BenchTarget, Requirement, StoreCalls } from './scenarios/scenario';

export interface ExternalEndpoints {
  readonly apiUrl?: string;
  readonly dynamodbEndpoint?: string;
  readonly s3Endpoint?: string;
  readonly scoringEndpoint?: string;
}

export interface TargetOptions {
  /** The self-started platform's metadata store; default: DynamoDB Local when a scenario needs bare DynamoDB calls, the embedded store otherwise. */
  readonly store?: 'sqlite' | 'dynamodb-local';
  readonly keepData: boolean;
  readonly report: (line: string) => void;
  /** Where a self-started platform runs: its own process, as `npm start` (default), or inside the bench process. */
  readonly platformProcess: 'separate' | 'in-process';
  /** Where the bare catalog baselines run: the platform's DynamoDB Local (default) or a second one in memory. */
  readonly bareDynamodb: 'platform' | 'memory';
  /** Leave the platform's in-process audit sealer running (default) or stop it after start-up (diagnosis only). */
  readonly auditSealer: boolean;
  /** STEWARD_AUDIT_CHAIN of a self-started platform (default at-commit, as `npm start`). */
  readonly auditChain: 'at-commit' | 'deferred';
  /** Diagnosis only: the sealer's nudge delay in ms instead of its default (20). */
  readonly auditSealerDelayMs?: number;
  /** API worker processes of a self-started platform (`npm start -- --workers n`). @default 1 */
  readonly workers?: number;
  /** Platform administrator of a running platform (`--url`); a self-started one gets a bench administrator. */
  readonly admin?: { readonly email: string; readonly password: string };
}

/** What the bench can do to a platform it started. */
export interface PlatformControl {
  /** Starts a V8 CPU profile of the process serving the API. */
  startProfile(): Promise<void>;
  /** Stops it and writes it (Chrome DevTools `.cpuprofile`) to `file`. */
  stopProfile(file: string): Promise<void>;
  /** AWS SDK calls the API process made since the last reset (only for a platform in its own process). */
  storeCalls?(reset: boolean): Promise<StoreCalls>;
}

export interface AcquiredTarget {
  readonly target: BenchTarget;
  readonly control?: PlatformControl;
  stop(): Promise<void>;
}

const FLAG_OF: Readonly<Record<Requirement, string>> = { api: '--url', dynamodb: '--dynamodb-endpoint', s3: '--s3-endpoint', scoring: '--scoring-endpoint' };
const FIELD_OF = { api: 'apiUrl', dynamodb: 'dynamodbEndpoint', s3: 's3Endpoint', scoring: 'scoringEndpoint' } as const;

const TABLE_NAME = process.env.STEWARD_TABLE_NAME ?? 'steward';

/**
 * Finds or starts what the selected scenarios need.
 * - Given endpoints (`--url` …): uses them as they are; every requirement must be given.
 * - Otherwise, if a scenario needs the API: the whole local platform
 *   (startPlatform from infra/local/start.ts, with its data folder on disk as
 *   `npm start` keeps it) on free ports over a fresh temporary data folder, in
 *   a process of its own, so the other scenarios of the run measure the very
 *   same stand-ins.
 * - Otherwise only the stand-ins needed (DynamoDB Local in memory, s3rver, the gateway).
 * With `bareDynamodb: 'memory'`, also a second DynamoDB Local, in memory, for the bare catalog baselines.
 */
export async function acquireTarget(requirements: ReadonlySet<Requirement>, external: ExternalEndpoints, options: TargetOptions): Promise<AcquiredTarget> {
  const acquired = await acquirePrimary(requirements, external, options);
  if (options.bareDynamodb !== 'memory') return acquired;
  const { startDynamoDbLocal } = await import('../infra/local/stand-ins/dynamodb-local');
  const { freePort } = await import('../infra/local/stand-ins/ports');
  const port = await freePort();
  const logDir = mkdtempSync(join(tmpdir(), 'steward-bench-bare-'));
  options.report(`starting a second DynamoDB Local, in memory, for the bare baselines (port ${port})…`);
  let bare: ManagedProcess;
  try {
    bare = await startDynamoDbLocal({ port, logDir });
  } catch (error) {
    await acquired.stop();
    throw error;
  }
  return {
    target: {
      ...acquired.target,
      bareDynamodbEndpoint: `http://127.0.0.1:${port}`,
      processes: { ...acquired.target.processes, 'dynamodb-bare': bare.child.pid! },
      description: `${acquired.target.description}; bare baselines on a second DynamoDB Local in memory`,
    },
    control: acquired.control,
    async stop() {
      await bare.stop();
      rmSync(logDir, { recursive: true, force: true });
      await acquired.stop();
    },
  };
}

async function acquirePrimary(requirements: ReadonlySet<Requirement>, external: ExternalEndpoints, options: TargetOptions): Promise<AcquiredTarget> {
  const bench = { bench: process.pid };
  if (Object.values(external).some(Boolean)) {
    const missing = [...requirements].filter((r) => !external[FIELD_OF[r]]);
    if (missing.length) throw new Error(`the selected scenarios also need ${missing.map((r) => `${FLAG_OF[r]} (${r})`).join(', ')}`);
    return {
      target: {
        ...external,
        bareDynamodbEndpoint: external.dynamodbEndpoint,
        tableName: TABLE_NAME,
        auditChain: options.auditChain,
        admin: options.admin,
        processes: bench,
        description: `given endpoints (${Object.entries(external)
          .filter(([, v]) => v)
          .map(([k, v]) => `${k}=${v}`)
          .join(', ')})`,
      },
      stop: async () => {},
    };
  }

  const dataDir = mkdtempSync(join(tmpdir(), 'steward-bench-'));
  const cleanUp = () => {
    if (options.keepData) options.report(`data and logs kept in ${dataDir}`);
    else rmSync(dataDir, { recursive: true, force: true });
  };
  const { freePort } = await import('../infra/local/stand-ins/ports');
  try {
    if (requirements.has('api')) {
      const admin = { email: 'bench-admin@steward.example', password: `bench-${randomBytes(12).toString('base64url')}` };
      // The catalog and scale groups compare the API with bare DynamoDB calls, so they keep DynamoDB Local; the rest run on the default store.
      const store = options.store ?? (requirements.has('dynamodb') ? 'dynamodb-local' : 'sqlite');
      const ports = { store, apiPort: await freePort(), dynamodbPort: await freePort(), s3Port: await freePort(), scoringPort: await freePort() };
      const env = {
        ...process.env,
        STEWARD_LOG_LEVEL: process.env.STEWARD_LOG_LEVEL ?? 'WARN',
        // The API alone: the console's files are not what the bench measures.
        STEWARD_CONSOLE: process.env.STEWARD_CONSOLE ?? 'off',
        STEWARD_BOOTSTRAP_ADMIN_EMAIL: admin.email,
        STEWARD_BOOTSTRAP_ADMIN_PASSWORD: admin.password,
        STEWARD_AUDIT_CHAIN: options.auditChain,
      };
      const workers = options.workers ?? 1;
      if (workers > 1 && options.platformProcess !== 'separate') throw new Error('--workers needs the platform in its own process (without --in-process)');
      const where =
        options.platformProcess === 'separate'
          ? workers > 1
            ? `in its own process, the API served by ${workers} workers`
            : 'in its own process'
          : 'inside the bench process';
      options.report(`starting the local platform ${where} (data on disk in ${dataDir}, metadata store ${store})…`);
      const platform =
        options.platformProcess === 'separate'
          ? await startPlatformProcess({ dataDir, ...ports, workers }, env)
          : await startPlatformInProcess({ dataDir, ...ports }, env);
      if (!options.auditSealer) {
        await platform.setAuditSealer(false);
        options.report('audit sealer stopped (--audit-sealer off): audit events stay unsealed; diagnosis only');
      }
      if (options.auditSealerDelayMs !== undefined) {
        if (!platform.setAuditSealerDelay) throw new Error('--audit-sealer-delay needs the platform in its own process');
        await platform.setAuditSealerDelay(options.auditSealerDelayMs);
        options.report(`audit sealer nudge delay set to ${options.auditSealerDelayMs} ms (product default 20 ms); diagnosis only`);
      }
      const sealerNote =
        (options.auditChain === 'at-commit' ? '' : ', audit events linked by the sealer (deferred)') +
        (options.auditSealer ? '' : ', audit sealer off') +
        (options.auditSealerDelayMs !== undefined ? `, audit sealer nudge delay ${options.auditSealerDelayMs} ms` : '');
      return {
        target: {
          apiUrl: platform.apiUrl,
          dataDir,
          store,
          dynamodbEndpoint: store === 'dynamodb-local' ? platform.endpoints.dynamodb : undefined,
          s3Endpoint: platform.endpoints.s3,
          scoringEndpoint: platform.endpoints.scoring,
          inboxUrl: platform.endpoints.inbox,
          bareDynamodbEndpoint: platform.endpoints.dynamodb,
          tableName: TABLE_NAME,
          auditChain: options.auditChain,
          admin,
          processes: { ...bench, ...platform.pids },
          description: `local platform started by the bench ${where} (fresh temporary data folder on disk, metadata store ${store}, log level ${env.STEWARD_LOG_LEVEL}${sealerNote})`,
        },
        control: platform,
        async stop() {
          await platform.stop();
          cleanUp();
        },
      };
    }
    options.report(`starting stand-ins: ${[...requirements].join(', ')} (data in ${dataDir})…`);
    const started: ManagedProcess[] = [];
    const stopAll = async () => {
      await Promise.all(started.map((p) => p.stop()));
    };
    const logDir = join(dataDir, 'logs');
    const target: { -readonly [K in keyof BenchTarget]: BenchTarget[K] } = {
      tableName: TABLE_NAME,
      auditChain: options.auditChain,
      processes: { ...bench },
      description: `stand-ins started by the bench: ${[...requirements].map((r) => (r === 'dynamodb' ? 'dynamodb (in memory)' : r)).join(', ')}`,
    };
    const processes: Record<string, number> = { ...bench };
    try {
      if (requirements.has('dynamodb')) {
        const { startDynamoDbLocal } = await import('../infra/local/stand-ins/dynamodb-local');
        const port = await freePort();
        started.push(await startDynamoDbLocal({ port, logDir }));
        target.dynamodbEndpoint = `http://127.0.0.1:${port}`;
        target.bareDynamodbEndpoint = target.dynamodbEndpoint;
      }
      if (requirements.has('s3') || requirements.has('scoring')) {
        const { startS3Emulator } = await import('../infra/local/stand-ins/s3-emulator');
        const port = await freePort();
        started.push(await startS3Emulator({ port, dataDir: join(dataDir, 's3'), logDir }));
        target.s3Endpoint = `http://127.0.0.1:${port}`;
      }
      if (requirements.has('scoring')) {
        const { startScoringGateway } = await import('../infra/local/stand-ins/scoring-gateway');
        const port = await freePort();
        started.push(
          await startScoringGateway({
            port,
            logDir,
            env: { STEWARD_MODE: 'local', STEWARD_S3_ENDPOINT: target.s3Endpoint, STEWARD_LOG_LEVEL: process.env.STEWARD_LOG_LEVEL ?? 'WARN' },
          }),
        );
        target.scoringEndpoint = `http://127.0.0.1:${port}`;
      }
      for (const p of started) if (p.child.pid) processes[p.name] = p.child.pid;
      target.processes = processes;
    } catch (error) {
      await stopAll();
      throw error;
    }
    return {
      target,
      async stop() {
        await stopAll();
        cleanUp();
      },
    };
  } catch (error) {
    // Kept whatever --keep-data says: the logs are how the failure gets explained.
    options.report(`start-up failed; logs kept in ${join(dataDir, 'logs')}`);
    throw error;
  }
}

interface StartedPlatform extends PlatformControl {
  readonly apiUrl: string;
  readonly endpoints: { readonly dynamodb: string; readonly s3: string; readonly scoring: string; readonly inbox?: string };
  readonly pids: Record<string, number | number[]>;
  setAuditSealer(on: boolean): Promise<void>;
  setAuditSealerDelay?(ms: number): Promise<void>;
  stop(): Promise<void>;
}

type Ports = {
  dataDir: string;
  store: 'sqlite' | 'dynamodb-local';
  apiPort: number;
  dynamodbPort: number;
  s3Port: number;
  scoringPort: number;
  workers?: number;
};

/** startPlatform in a child process (bench/platform-host.ts), as `npm start` runs it. */
async function startPlatformProcess(ports: Ports, env: Record<string, string | undefined>): Promise<StartedPlatform> {
  const child: ChildProcess = fork(join(__dirname, 'platform-host.ts'), [JSON.stringify(ports)], {
    execArgv: ['--import', 'tsx'],
    env,
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  let nextId = 1;
  const pending = new Map<number, { resolve: (value?: unknown) => void; reject: (error: Error) => void }>();
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));
  const ready = new Promise<{ apiUrl: string; endpoints: StartedPlatform['endpoints']; pids: Record<string, number | number[]> }>((resolve, reject) => {
    child.on(
      'message',
      (message: {
        id?: number;
        type: string;
        message?: string;
        calls?: StoreCalls;
        apiUrl?: string;
        endpoints?: StartedPlatform['endpoints'];
        pids?: Record<string, number | number[]>;
      }) => {
        if (message.type === 'ready') resolve(message as never);
        else if (message.id !== undefined && pending.has(message.id)) {
          const waiter = pending.get(message.id)!;
          pending.delete(message.id);
          if (message.type === 'calls') waiter.resolve(message.calls);
          else if (message.type === 'done') waiter.resolve();
          else waiter.reject(new Error(message.message ?? 'platform host command failed'));
        } else if (message.type === 'failed') {
          reject(new Error(`platform: ${message.message}`));
          process.stderr.write(`  ⚠ platform: ${message.message}\n`);
        }
      },
    );
    void exit.then(() => reject(new Error('the platform process exited before it was ready')));
  });
  const command = <T = void>(body: Record<string, unknown>) =>
    new Promise<T>((resolve, reject) => {
      if (exited) return reject(new Error('the platform process has exited'));
      const id = nextId++;
      pending.set(id, { resolve: resolve as (value?: unknown) => void, reject });
      child.send({ id, ...body });
    });
  let started;
  try {
    started = await ready;
  } catch (error) {
    if (!exited) child.kill('SIGTERM');
    await exit;
    throw error;
  }
  return {
    ...started,
    setAuditSealer: (on) => command({ type: 'sealer', on }),
    setAuditSealerDelay: (ms) => command({ type: 'sealer', on: true, nudgeDelayMs: ms }),
    startProfile: () => command({ type: 'profile', action: 'start' }),
    stopProfile: (file) => command({ type: 'profile', action: 'stop', file }),
    // With several workers the SDK calls are made in the workers, which the host does not count.
    storeCalls: (ports.workers ?? 1) > 1 ? undefined : (reset) => command<StoreCalls>({ type: 'calls', reset }),
    async stop() {
      if (exited) return;
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await command({ type: 'stop' }).catch(() => undefined);
      await exit;
      clearTimeout(timer);
    },
  };
}

/** startPlatform inside the bench process: the load generator shares the API's event loop (the harness's original mode). */
async function startPlatformInProcess(ports: Ports, env: Record<string, string | undefined>): Promise<StartedPlatform> {
  const { startPlatform } = await import('../infra/local/start');
  const running = await startPlatform({ ...ports, env });
  const pids: Record<string, number> = {};
  for (const p of running.standIns.processes) if (p.child.pid) pids[p.name] = p.child.pid;
  let session: Session | undefined;
  const post = <T>(method: string, params?: object) =>
    new Promise<T>((resolve, reject) => session!.post(method, params ?? {}, (error, result) => (error ? reject(error) : resolve(result as T))));
  return {
    apiUrl: running.apiUrl,
    endpoints: running.standIns.endpoints,
    pids,
    async setAuditSealer(on) {
      if (on) running.local.auditSealer.start();
      else await running.local.auditSealer.stop();
    },
    async startProfile() {
      session = new Session();
      session.connect();
      await post('Profiler.enable');
      await post('Profiler.setSamplingInterval', { interval: 200 });
      await post('Profiler.start');
    },
    async stopProfile(file) {
      const { profile } = await post<{ profile: unknown }>('Profiler.stop');
      writeFileSync(file, JSON.stringify(profile));
      session?.disconnect();
      session = undefined;
    },
    stop: () => running.stop(),
  };
}
