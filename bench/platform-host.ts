/**
 * Runs the local platform in its own process, as `npm start` does
 * (startPlatform from infra/local/start.ts), for a bench that drives it from
 * another process: the load generator then never shares the API's event loop.
 * Started by bench/target.ts with `node --import tsx`; talks over the IPC channel:
 *
 *   → { id, type: 'sealer', on }            start/stop the in-process audit sealer
 *   → { id, type: 'sealer', nudgeDelayMs }  diagnosis: change the sealer's nudge delay (local default 100 ms)
 *   → { id, type: 'profile', action, file } V8 CPU profile of this process (start, or stop and write `file`)
 *   → { id, type: 'calls', reset }          AWS SDK calls made by this process since the last reset, by command
 *   → { id, type: 'stop' }                  stop everything and exit
 *   ← { type: 'ready', apiUrl, endpoints, pids } | { id, type: 'done' } | { id?, type: 'failed', message }
 *
 * With `workers` above 1 the API is served by that many worker processes
 * (infra/local/cluster/primary.ts, as `npm start -- --workers n`): this process
 * is their primary, `pids.api` lists it and every worker, and the commands
 * that act on the API's process (sealer, profile, calls) are refused.
 *
 * If the bench goes away (the IPC channel closes), the platform is stopped.
 */
import { Session } from 'node:inspector';
import { writeFileSync } from 'node:fs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { startPlatform, type RunningPlatform, type StartOptions } from '../infra/local/start';
import { startPlatformWorkers, type RunningWorkers } from '../infra/local/cluster/primary';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

type Command =
  | { id: number; type: 'sealer'; on: boolean; nudgeDelayMs?: number }
  | { id: number; type: 'profile'; action: 'start' | 'stop'; file?: string }
  | { id: number; type: 'calls'; reset: boolean }
  | { id: number; type: 'stop' };

/**
 * Counts every AWS SDK call of this process (the API, the audit sealer, the
 * principal resolver…) by command, by wrapping the SDK's shared Client.send:
 * observation only, the calls go through unchanged.
 */
const calls = { byCommand: {} as Record<string, number>, failed: {} as Record<string, number>, transactItems: 0 };
const sdkClient = Object.getPrototypeOf(DynamoDBClient.prototype) as {
  send: (command: { constructor: { name: string }; input?: { TransactItems?: unknown[] } }, ...rest: unknown[]) => Promise<unknown>;
};
const originalSend = sdkClient.send;
sdkClient.send = function countedSend(this: unknown, command, ...rest) {
  const name = command.constructor.name.replace(/Command$/, '');
  calls.byCommand[name] = (calls.byCommand[name] ?? 0) + 1;
  calls.transactItems += command.input?.TransactItems?.length ?? 0;
  const sent = originalSend.call(this, command, ...rest);
  // Counted on the side; the caller still receives (and handles) the rejection. A send given a callback returns no promise.
  if (sent instanceof Promise) {
    sent.catch((error: unknown) => {
      const key = `${name}: ${error instanceof Error ? error.name : 'error'}`;
      calls.failed[key] = (calls.failed[key] ?? 0) + 1;
    });
  }
  return sent;
};

const send = (message: unknown) => process.send?.(message);
let running: RunningPlatform | undefined;
let workers: RunningWorkers | undefined;
let session: Session | undefined;
let stopping = false;

function post<T = unknown>(method: string, params?: object): Promise<T> {
  return new Promise((resolve, reject) => session!.post(method, params ?? {}, (error, result) => (error ? reject(error) : resolve(result as T))));
}

async function stop(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    await running?.stop().catch(() => undefined);
    await workers?.stop().catch(() => undefined);
  }
  process.exit(code);
}

async function handle(command: Command): Promise<void> {
  if (command.type === 'stop') {
    send({ id: command.id, type: 'done' });
    await stop(0);
  }
  if (workers) throw new Error(`'${command.type}' acts on the API's process: run the bench with --workers 1`);
  if (command.type === 'calls') {
    const snapshot = JSON.parse(JSON.stringify(calls)) as typeof calls;
    if (command.reset) {
      calls.byCommand = {};
      calls.failed = {};
      calls.transactItems = 0;
    }
    send({ id: command.id, type: 'calls', calls: snapshot });
    return;
  }
  if (command.type === 'sealer') {
    if (command.nudgeDelayMs !== undefined) {
      // Diagnosis only: what a different seal batching would change. createLocalPlatform passes
      // nudgeDelayMs 100; this sets the sealer's own option in place.
      (running!.local.auditSealer as unknown as { options: { nudgeDelayMs?: number } }).options.nudgeDelayMs = command.nudgeDelayMs;
      return;
    }
    if (command.on) running!.local.auditSealer.start();
    else await running!.local.auditSealer.stop();
    return;
  }
  if (command.type === 'profile') {
    if (command.action === 'start') {
      session ??= new Session();
      session.connect();
      await post('Profiler.enable');
      await post('Profiler.setSamplingInterval', { interval: 200 });
      await post('Profiler.start');
      return;
    }
    const { profile } = await post<{ profile: unknown }>('Profiler.stop');
    if (command.file) writeFileSync(command.file, JSON.stringify(profile));
    session?.disconnect();
    session = undefined;
  }
}

async function main(): Promise<void> {
  const { workers: count = 1, ...options } = JSON.parse(process.argv[2] ?? '{}') as Omit<StartOptions, 'env' | 'onUnexpectedExit'> & { workers?: number };
  process.on('disconnect', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  process.on('SIGINT', () => void stop(0));
  process.on('message', (message: Command) => {
    handle(message).then(
      () => send({ id: message.id, type: 'done' }),
      (error: unknown) => send({ id: message.id, type: 'failed', message: error instanceof Error ? error.message : String(error) }),
    );
  });
  const onUnexpectedExit = (name: string, code: number | null) => {
    send({ type: 'failed', message: `${name} exited unexpectedly (code ${code})` });
    void stop(1);
  };
  let started: RunningPlatform | RunningWorkers;
  try {
    if (count > 1) {
      started = workers = await startPlatformWorkers(
        { ...options, env: process.env, onUnexpectedExit },
        {
          workers: count,
          onCrashLoop: (message) => {
            send({ type: 'failed', message });
            void stop(1);
          },
        },
      );
    } else {
      started = running = await startPlatform({ ...options, env: process.env, onUnexpectedExit });
    }
  } catch (error) {
    send({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
    process.exit(1);
  }
  // The primary's CPU (connections handed to workers, rate-limit leases) counts as the API's too.
  const pids: Record<string, number | number[]> = { api: workers ? [process.pid, ...workers.workerPids()] : process.pid };
  for (const p of started.standIns.processes) if (p.child.pid) pids[p.name] = p.child.pid;
  send({ type: 'ready', apiUrl: started.apiUrl, endpoints: started.standIns.endpoints, pids });
}

void main();
