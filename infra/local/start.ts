import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createApp } from '../../api/app';
import { createLocalPlatform, type LocalPlatform } from './local-platform';
import { localSettings } from './local-settings';
import { serveApi } from './api-server';
import { ensureConsoleBuilt, withConsole } from './console-assets';
import { allowConsoleUploads } from './console-uploads';
import { StartupProblem } from './stand-ins/errors';
import { assertPortFree } from './stand-ins/ports';
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
  readonly env?: Record<string, string | undefined>;
  readonly onUnexpectedExit?: (name: string, code: number | null) => void;
  /** Serve the web console at `/` (building it first when web/dist is missing or stale). @default true unless STEWARD_CONSOLE=off */
  readonly console?: boolean;
}

export interface RunningPlatform {
  readonly apiUrl: string;
  /** Where the console is served (the API's origin), if it is. */
  readonly consoleUrl?: string;
  readonly local: LocalPlatform;
  readonly standIns: RunningStandIns;
  stop(): Promise<void>;
}

/**
 * Starts the whole local platform: stand-ins, then the platform over them,
 * then the API. Used by `npm start`, the benchmarks and end-to-end tests.
 */
export async function startPlatform(options: StartOptions): Promise<RunningPlatform> {
  const store = options.store ?? 'sqlite';
  const env: Record<string, string | undefined> = { ...(options.env ?? process.env), STEWARD_STORE: store, STEWARD_SQLITE_PATH: join(options.dataDir, 'metadata.sqlite') };
  await assertPortFree(options.apiPort, 'STEWARD_PORT', 'the API');
  mkdirSync(options.dataDir, { recursive: true });
  const standIns = await startStandIns({
    ports: { dynamodb: options.dynamodbPort, s3: options.s3Port, scoring: options.scoringPort },
    dynamodb: store === 'dynamodb-local',
    dataDir: options.dataDir,
    scratchDir: options.dataDir,
    env,
    onUnexpectedExit: options.onUnexpectedExit,
  });
  let local: LocalPlatform | undefined;
  try {
    const apiBase = `http://127.0.0.1:${options.apiPort}`;
    const settings = localSettings({ ...standIns.endpoints, api: apiBase }, env);
    local = await createLocalPlatform(settings);
    const app = createApp(local.platform);
    const withWeb = (options.console ?? env.STEWARD_CONSOLE !== 'off') && (await ensureConsoleBuilt());
    if (withWeb) await allowConsoleUploads(local.clients.s3, settings.STEWARD_BUCKET_NAME, [apiBase, `http://localhost:${options.apiPort}`]);
    const api = await serveApi(withWeb ? withConsole(app, { connectOrigins: [standIns.endpoints.s3] }) : app, options.apiPort);
    const running = local;
    return {
      apiUrl: api.url,
      consoleUrl: withWeb ? `${api.url}/` : undefined,
      local: running,
      standIns,
      async stop() {
        await api.close();
        await running.close();
        await standIns.stop();
      },
    };
  } catch (error) {
    await local?.close().catch(() => undefined);
    await standIns.stop();
    throw error;
  }
}

function portOf(value: string | undefined, fallback: number, variable: string): number {
  if (value === undefined || value === '') return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new StartupProblem(`${variable}=${value} is not a port`, `set ${variable} to a number between 1 and 65535`);
  return port;
}

export function optionsFromCommandLine(argv: readonly string[], env: Record<string, string | undefined>): StartOptions {
  const { values } = parseArgs({
    args: argv as string[],
    options: {
      'data-dir': { type: 'string' },
      port: { type: 'string' },
      store: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(
      [
        'npm start [-- --data-dir <folder>] [-- --port <api port>] [-- --store sqlite|dynamodb-local]',
        '',
        'Environment: STEWARD_DATA_DIR (default ./.steward-data), STEWARD_PORT (7700),',
        'STEWARD_STORE (sqlite, the default, or dynamodb-local: needs Java 17),',
        'STEWARD_DYNAMODB_PORT (7701), STEWARD_S3_PORT (7702), STEWARD_SCORING_PORT (7703),',
        'STEWARD_CONSOLE=off to serve the API without the web console.',
        '',
      ].join('\n'),
    );
    process.exit(0);
  }
  const store = values.store ?? env.STEWARD_STORE ?? 'sqlite';
  if (store !== 'sqlite' && store !== 'dynamodb-local') throw new StartupProblem(`--store ${store} is not a store`, 'use --store sqlite (the default) or --store dynamodb-local');
  return {
    store,
    dataDir: resolve(values['data-dir'] ?? env.STEWARD_DATA_DIR ?? '.steward-data'),
    apiPort: portOf(values.port ?? env.STEWARD_PORT, 7700, 'STEWARD_PORT'),
    dynamodbPort: portOf(env.STEWARD_DYNAMODB_PORT, 7701, 'STEWARD_DYNAMODB_PORT'),
    s3Port: portOf(env.STEWARD_S3_PORT, 7702, 'STEWARD_S3_PORT'),
    scoringPort: portOf(env.STEWARD_SCORING_PORT, 7703, 'STEWARD_SCORING_PORT'),
    env,
  };
}

async function main(): Promise<void> {
  const started = performance.now();
  let running: RunningPlatform | undefined;
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
    running = await startPlatform({
      ...options,
      onUnexpectedExit: (name, code) => {
        process.stderr.write(`steward: ${name} exited unexpectedly (code ${code}); see ${options.dataDir}/logs/${name}.log\n`);
        void shutdown(1);
      },
    });
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
        `  data      ${options.dataDir} (metadata: ${options.store === 'dynamodb-local' ? 'DynamoDB Local' : 'metadata.sqlite'})`,
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
