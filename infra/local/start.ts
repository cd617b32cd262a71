import { mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createApp } from '../../api/app';
import { createLocalPlatform, type LocalPlatform } from './local-platform';
import { localSettings } from './local-settings';
import { serveApi } from './api-server';
import { ensureConsoleBuilt, withConsole } from './console-assets';
import { allowConsoleUploads } from './console-uploads';
import { StartupProblem } from './stand-ins/errors';
import { assertPortFree, freePort } from './stand-ins/ports';
import { descendantsOf, listenersOf } from './listener-exposure';
import { type RunningStandIns, startStandIns } from './stand-ins/start-stand-ins';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export interface StartOptions {
  /** Folder for all local data (DynamoDB, S3 objects, logs). @default ./.steward-data */
  readonly dataDir: string;
  readonly apiPort: number;
  readonly dynamodbPort: number;
  readonly s3Port: number;
  readonly scoringPort: number;
  /** `sqlite` (default): the embedded store in `<dataDir>/metadata.sqlite`; `dynamodb-local`: DynamoDB Local (Java 17). */
  readonly store?: 'sqlite' | 'dynamodb-local';
  /** The mail catcher's SMTP port. @default a free port */
  readonly smtpPort?: number;
  /** The mail catcher's web inbox. @default a free port */
  readonly inboxPort?: number;
  /**
   * Start even if a listener is reachable from other machines (DynamoDB Local
   * binds every interface). @default false, or STEWARD_ALLOW_NON_LOOPBACK=1
   */
  readonly allowNonLoopback?: boolean;
  readonly env?: Record<string, string | undefined>;
  readonly onUnexpectedExit?: (name: string, code: number | null) => void;
  /** Serve the web console at `/` (building it first when web/dist is missing or stale). @default true unless STEWARD_CONSOLE=off */
  readonly console?: boolean;
}

export interface RunningPlatform {
  readonly apiUrl: string;
  /** Where the console is served (the API's origin), if it is. */
  readonly consoleUrl?: string;
  /** The local mail inbox (HTML at `/`, JSON at `/api/messages`). */
  readonly inboxUrl: string;
  /** Listeners reachable from other machines that the operator allowed (empty unless allowNonLoopback). */
  readonly exposed: readonly string[];
  readonly local: LocalPlatform;
  readonly standIns: RunningStandIns;
  stop(): Promise<void>;
}

/**
 * Starts the whole local platform: stand-ins, then the platform over them,
 * then the API. Used by `npm start`, the benchmarks and end-to-end tests.
 */
export async function startPlatform(options: StartOptions): Promise<RunningPlatform> {
  const { env, mailPorts, standIns } = await startStandInsFor(options);
  let local: LocalPlatform | undefined;
  let gatewayListener: Awaited<ReturnType<typeof serveApi>> | undefined;
  try {
    const apiBase = `http://127.0.0.1:${options.apiPort}`;
    const settings = localSettings({ ...standIns.endpoints, api: apiBase }, env);
    local = await createLocalPlatform(settings, { dataDir: options.dataDir, warmBatchThreads: true });
    // The CLI, scoring-ping and other SageMaker-runtime clients still reach the hosted gateway on its port.
    if (local.scoringGateway) gatewayListener = await serveApi(local.scoringGateway.app, options.scoringPort);
    const app = createApp(local.platform);
    const withWeb = (options.console ?? env.STEWARD_CONSOLE !== 'off') && (await ensureConsoleBuilt());
    if (withWeb) await allowConsoleUploads(local.clients.s3, settings.STEWARD_BUCKET_NAME, [apiBase, `http://localhost:${options.apiPort}`]);
    const api = await serveApi(withWeb ? withConsole(app, { connectOrigins: [standIns.endpoints.s3] }) : app, options.apiPort);
    const running = local;
    const consoleUrl = withWeb ? `${api.url}/` : undefined;
    const stop = async () => {
      await api.close();
      await gatewayListener?.close();
      await running.close();
      await standIns.stop();
    };
    const names = listenerNames(options, mailPorts);
    let exposed: string[];
    try {
      const standInPids = standIns.processes.flatMap((p) => (p.child.pid ? [p.child.pid] : []));
      exposed = assertLoopbackOnly(names, standInPids, options.allowNonLoopback ?? allowedByEnv(env));
    } catch (error) {
      await stop();
      throw error;
    }
    return { apiUrl: api.url, consoleUrl, inboxUrl: standIns.endpoints.inbox!, exposed, local: running, standIns, stop };
  } catch (error) {
    await gatewayListener?.close().catch(() => undefined);
    await local?.close().catch(() => undefined);
    await standIns.stop();
    throw error;
  }
}

/**
 * What every start does first (one process or several workers): the
 * environment the platform reads, the data folder, the stand-ins.
 */
export async function startStandInsFor(
  options: StartOptions,
): Promise<{ env: Record<string, string | undefined>; mailPorts: { smtp: number; inbox: number }; standIns: RunningStandIns }> {
  const store = options.store ?? 'sqlite';
  const env: Record<string, string | undefined> = {
    ...(options.env ?? process.env),
    STEWARD_STORE: store,
    STEWARD_SQLITE_PATH: join(options.dataDir, 'metadata.sqlite'),
  };
  await assertPortFree(options.apiPort, 'STEWARD_PORT', 'the API');
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const mailPorts = { smtp: options.smtpPort ?? (await freePort()), inbox: options.inboxPort ?? (await freePort()) };
  // Direct (the default) or in-process, the platform hosts the scoring gateway and serves it on the scoring port.
  const gatewayProcess = env.STEWARD_SCORING_TRANSPORT === 'http';
  const standIns = await startStandIns({
    ports: { dynamodb: options.dynamodbPort, s3: options.s3Port, scoring: options.scoringPort, ...mailPorts },
    dynamodb: store === 'dynamodb-local',
    dataDir: options.dataDir,
    scratchDir: options.dataDir,
    env,
    scoringGateway: gatewayProcess,
    onUnexpectedExit: options.onUnexpectedExit,
  });
  return { env, mailPorts, standIns };
}

/** The platform's ports by what listens there (for the loopback check's messages). */
export function listenerNames(options: StartOptions, mailPorts: { smtp: number; inbox: number }): Map<number, string> {
  return new Map<number, string>([
    [options.apiPort, 'the API'],
    [options.dynamodbPort, 'DynamoDB Local'],
    [options.s3Port, 'the S3 emulator'],
    [options.scoringPort, 'the scoring gateway'],
    [mailPorts.smtp, 'the mail catcher (SMTP)'],
    [mailPorts.inbox, 'the mail inbox'],
  ]);
}

export function allowedByEnv(env: Record<string, string | undefined>): boolean {
  return ['1', 'true', 'yes'].includes((env.STEWARD_ALLOW_NON_LOOPBACK ?? '').toLowerCase());
}

/**
 * Local mode has no network authentication in front of its stand-ins, so it
 * must be reachable from this machine only. Looks at every listener of the
 * stand-ins' processes (and their children) and at the platform's own ports
 * in this process and its workers (a process hosting the platform, a test runner say, may
 * listen elsewhere for its own reasons); refuses (a StartupProblem naming the listener and
 * the fix) when one is reachable from elsewhere, unless the operator allowed
 * it. Returns the allowed exposures, for the banner.
 */
export function assertLoopbackOnly(
  names: ReadonlyMap<number, string>,
  standInPids: readonly number[],
  allowed: boolean,
  ownPids: readonly number[] = [process.pid],
): string[] {
  const all = listenersOf([...ownPids, ...standInPids, ...standInPids.flatMap((pid) => descendantsOf(pid))]);
  const listeners = all?.filter((l) => !ownPids.includes(l.pid) || names.has(l.port));
  if (!listeners) {
    if (allowed) return [];
    throw new StartupProblem(
      'cannot verify that every listener is on 127.0.0.1 (no /proc on this system)',
      'start with --allow-non-loopback (or STEWARD_ALLOW_NON_LOOPBACK=1) once you have checked it yourself',
    );
  }
  const exposed = listeners
    .filter((l) => !l.loopback)
    .map((l) => `${names.get(l.port) ?? `process ${l.pid}`} on ${l.address.includes(':') ? `[${l.address}]` : l.address}:${l.port}`);
  if (exposed.length && !allowed) {
    const dynamodb = exposed.some((e) => e.startsWith('DynamoDB Local'));
    throw new StartupProblem(
      `refusing to start: ${exposed.join(', ')} ${exposed.length === 1 ? 'is' : 'are'} reachable from other machines, with no authentication${dynamodb ? ' (DynamoDB Local binds every interface and has no host option)' : ''}`,
      `${dynamodb ? 'use the embedded store instead of DynamoDB Local, or ' : ''}accept the exposure explicitly: npm start -- --allow-non-loopback (or STEWARD_ALLOW_NON_LOOPBACK=1)`,
    );
  }
  return [...new Set(exposed)];
}

function portOf(value: string | undefined, fallback: number, variable: string): number {
  if (value === undefined || value === '') return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new StartupProblem(`${variable}=${value} is not a port`, `set ${variable} to a number between 1 and 65535`);
  return port;
}

/** `--workers` / STEWARD_WORKERS: a count, or `auto` for one per core. @default 1 (one process, as before) */
export function workerCount(value: string | undefined, variable = 'STEWARD_WORKERS'): number {
  if (value === undefined || value === '') return 1;
  if (value === 'auto') return availableParallelism();
  const count = Number(value);
  if (!Number.isInteger(count) || count < 1 || count > 64)
    throw new StartupProblem(
      `${variable}=${value} is not a number of workers`,
      `give --workers (or ${variable}) a whole number from 1 to 64, or auto (one per core)`,
    );
  return count;
}

export function optionsFromCommandLine(argv: readonly string[], env: Record<string, string | undefined>): StartOptions & { readonly workers: number } {
  const { values } = parseArgs({
    args: argv as string[],
    options: {
      'data-dir': { type: 'string' },
      port: { type: 'string' },
      store: { type: 'string' },
      'allow-non-loopback': { type: 'boolean' },
      workers: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(
      [
        'npm start [-- --data-dir <folder>] [-- --port <api port>] [-- --store sqlite|dynamodb-local] [-- --workers <n|auto>] [-- --allow-non-loopback]',
        '',
        '--workers (or STEWARD_WORKERS): API worker processes sharing the ports and the data folder; auto = one per core (default 1).',
        'Environment: STEWARD_DATA_DIR (default ./.steward-data), STEWARD_PORT (7700),',
        'STEWARD_STORE (sqlite, the default, or dynamodb-local: needs Java 17),',
        'STEWARD_DYNAMODB_PORT (7701), STEWARD_S3_PORT (7702), STEWARD_SCORING_PORT (7703),',
        'STEWARD_SMTP_PORT (7704), STEWARD_INBOX_PORT (7705), STEWARD_ALLOW_NON_LOOPBACK (unset),',
        'STEWARD_CONSOLE=off to serve the API without the web console,',
        'STEWARD_SCORING_TRANSPORT=http to run the scoring gateway as its own process, in-process to call the hosted one',
        'through the SageMaker runtime SDK (default direct: the hosted gateway without the SDK).',
        '',
        'Every listener must be on 127.0.0.1; the start refuses otherwise unless',
        '--allow-non-loopback (or STEWARD_ALLOW_NON_LOOPBACK=1) says the exposure is wanted.',
        '',
      ].join('\n'),
    );
    process.exit(0);
  }
  const store = values.store ?? env.STEWARD_STORE ?? 'sqlite';
  if (store !== 'sqlite' && store !== 'dynamodb-local')
    throw new StartupProblem(`--store ${store} is not a store`, 'use --store sqlite (the default) or --store dynamodb-local');
  return {
    store,
    dataDir: resolve(values['data-dir'] ?? env.STEWARD_DATA_DIR ?? '.steward-data'),
    apiPort: portOf(values.port ?? env.STEWARD_PORT, 7700, 'STEWARD_PORT'),
    dynamodbPort: portOf(env.STEWARD_DYNAMODB_PORT, 7701, 'STEWARD_DYNAMODB_PORT'),
    s3Port: portOf(env.STEWARD_S3_PORT, 7702, 'STEWARD_S3_PORT'),
    scoringPort: portOf(env.STEWARD_SCORING_PORT, 7703, 'STEWARD_SCORING_PORT'),
    smtpPort: portOf(env.STEWARD_SMTP_PORT, 7704, 'STEWARD_SMTP_PORT'),
    inboxPort: portOf(env.STEWARD_INBOX_PORT, 7705, 'STEWARD_INBOX_PORT'),
    allowNonLoopback: values['allow-non-loopback'] === true || allowedByEnv(env),
    env,
    workers: values.workers === undefined ? workerCount(env.STEWARD_WORKERS) : workerCount(values.workers, '--workers'),
  };
}

async function main(): Promise<void> {
  const started = performance.now();
  let running: (Pick<RunningPlatform, 'apiUrl' | 'consoleUrl' | 'inboxUrl' | 'exposed' | 'stop'> & { workers?: number }) | undefined;
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write('\nsteward: stopping…\n');
    await running?.stop().catch((error) => process.stderr.write(`steward: error while stopping: ${String(error)}\n`));
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));
  try {
    const options = optionsFromCommandLine(process.argv.slice(2), process.env);
    const onUnexpectedExit = (name: string, code: number | null) => {
      process.stderr.write(`steward: ${name} exited unexpectedly (code ${code}); see ${options.dataDir}/logs/${name}.log\n`);
      void shutdown(1);
    };
    if (options.workers > 1) {
      // Loaded only for several workers: the one-process start is unchanged.
      const { startPlatformWorkers } = await import('./cluster/primary');
      running = await startPlatformWorkers(
        { ...options, onUnexpectedExit },
        {
          workers: options.workers,
          onCrashLoop: (message) => {
            process.stderr.write(`steward: ${message}\n`);
            void shutdown(1);
          },
        },
      );
    } else {
      running = await startPlatform({ ...options, onUnexpectedExit });
    }
    const health = await fetch(`${running.apiUrl}/health`).then((r) => r.json() as Promise<{ status: string }>);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    process.stderr.write(
      [
        '',
        `Steward is running (local mode, health: ${health.status}, ready in ${seconds} s)`,
        ...(running.consoleUrl ? [`  console   ${running.consoleUrl}`] : []),
        `  API       ${running.apiUrl}`,
        `  API docs  ${running.apiUrl}/docs`,
        `  health    ${running.apiUrl}/health`,
        `  inbox     ${running.inboxUrl}  (invitations and notices sent in local mode)`,
        `  data      ${options.dataDir} (metadata: ${options.store === 'dynamodb-local' ? 'DynamoDB Local' : 'metadata.sqlite'})`,
        `  workers   ${running.workers ? `${running.workers} processes serve the API and the scoring gateway (--workers)` : '1 process (--workers <n|auto> for more)'}`,
        ...running.exposed.map((e) => `  WARNING   ${e} is reachable from other machines (allowed by --allow-non-loopback)`),
        'Press Ctrl-C to stop.',
        '',
      ].join('\n'),
    );
  } catch (error) {
    if (error instanceof StartupProblem) {
      process.stderr.write(`steward: ${error.message} — ${error.fix}\n`);
    } else {
      process.stderr.write(`steward: could not start: ${error instanceof Error ? error.message : String(error)}\n`);
    }
    await running?.stop().catch(() => undefined);
    process.exit(1);
  }
}

if (require.main === module) void main();
