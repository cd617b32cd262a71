/**
 * One worker of `npm start --workers n` (forked by ./primary.ts with
 * node:cluster): the whole platform over the data folder and stand-ins the
 * primary prepared, serving the API and the hosted scoring gateway on the
 * ports every worker shares. Its rate limit leases tokens from the primary.
 */
import { availableParallelism } from 'node:os';
import { createApp } from '../../../api/app';
import { LeasedRateLimiter } from '../../../core/tenancy/leased-rate-limiter';
import { serveApi } from '../api-server';
import { withConsole } from '../console-assets';
import { allowConsoleUploads } from '../console-uploads';
import { createLocalPlatform, type LocalPlatform } from '../local-platform';
import { localSettings } from '../local-settings';
import { ClusterLeaseTransport } from './lease-ipc';
import { FAILED, READY, STOP, WORKER_CONFIG_VARIABLE, WorkerConfigSchema, workerDuties } from './worker-messages';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

type Listener = Awaited<ReturnType<typeof serveApi>>;

async function main(): Promise<void> {
  let local: LocalPlatform | undefined;
  let api: Listener | undefined;
  let gateway: Listener | undefined;
  let stopping = false;
  // Stops serving, then closes the platform (captures and variant counts flushed, runner and sealer stopped).
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    await api?.close().catch(() => undefined);
    await gateway?.close().catch(() => undefined);
    await local?.close().catch((error: unknown) => process.stderr.write(`steward worker ${process.pid}: error while stopping: ${String(error)}\n`));
    process.exit(code);
  };
  // Ctrl-C reaches the whole process group: the primary decides, and tells each worker to stop.
  process.on('SIGINT', () => undefined);
  process.on('SIGTERM', () => void stop(0));
  // The primary is gone: nobody would answer rate leases or replace this worker.
  process.on('disconnect', () => void stop(0));
  process.on('message', (message: { type?: unknown } | null) => {
    if (message?.type === STOP) void stop(0);
  });
  try {
    const config = WorkerConfigSchema.parse(JSON.parse(process.env[WORKER_CONFIG_VARIABLE] ?? 'null'));
    const duties = workerDuties(config.role, config.workers, availableParallelism());
    const apiBase = `http://127.0.0.1:${config.apiPort}`;
    const settings = localSettings({ ...config.endpoints, api: apiBase }, process.env);
    local = await createLocalPlatform(settings, {
      dataDir: config.dataDir,
      warmBatchThreads: true,
      batchThreads: duties.batchThreads,
      stagingSweep: duties.stagingSweep,
      scheduler: duties.scheduler ? undefined : false,
    });
    if (local.scoringGateway) gateway = await serveApi(local.scoringGateway.app, config.scoringPort);
    const app = createApp(local.platform, { rateLimit: new LeasedRateLimiter(new ClusterLeaseTransport()) });
    if (config.console && config.role === 'leader')
      await allowConsoleUploads(local.clients.s3, settings.STEWARD_BUCKET_NAME, [apiBase, `http://localhost:${config.apiPort}`]);
    api = await serveApi(config.console ? withConsole(app, { connectOrigins: [config.endpoints.s3] }) : app, config.apiPort);
    process.send?.({ type: READY });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    stopping = true;
    await api?.close().catch(() => undefined);
    await gateway?.close().catch(() => undefined);
    await local?.close().catch(() => undefined);
    if (process.send && process.connected) process.send({ type: FAILED, message }, () => process.exit(1));
    else process.exit(1);
  }
}

void main();
