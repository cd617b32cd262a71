import { Logger } from '@aws-lambda-powertools/logger';
import { type AwsClients, createAwsClients } from '../../core/adapters/aws-clients';
import { bucketProbe } from '../../core/adapters/aws-health-probes';
import { bootstrapTable } from '../../core/adapters/dynamodb/bootstrap-table';
import { SqliteStore } from '../../core/adapters/sqlite/sqlite-store';
import type { MetadataStore } from '../../core/ports/metadata-store';
import { bootstrapBucket } from '../../core/adapters/s3/bootstrap-bucket';
import type { Settings } from '../../core/config/settings';
import { assemblePlatform, type Platform } from '../../core/platform/platform';
import type { Log } from '../../core/ports/log';
import { LocalStepFunctionsRunner } from '../../state-machines/local-runner';
import { LocalScheduler, type LocalSchedulerOptions } from '../../core/schedules/local-scheduler';
import { scoringGatewayProbe } from './scoring-gateway-probe';
import { localIdentity, removeLegacyIssuerKey } from '../../core/adapters/identity/local-identity';
import { EphemeralIssuerKeyRing, FileIssuerKeyRing } from '../../core/adapters/identity/issuer-key-ring';
import { SmtpMailSender } from '../../core/adapters/mail/smtp-mail-sender';
import { UnconfiguredMailSender } from '../../core/adapters/mail/unconfigured-mail-sender';
import { issuerKeyFile } from './issuer-key-file';
import { bootstrapPlatformAdmin } from '../../core/identity/sign-in';
import { AuditSealer } from '../../core/audit/audit-sealer';
import { Conflict } from '../../core/errors';
import { TenantObjects } from '../../core/adapters/s3/tenant-objects';
import { dynamoDbStore } from '../../core/adapters/dynamodb/dynamodb-store';
import { GatewayEndpointControl } from '../../core/adapters/sagemaker/gateway-endpoint-control';
import { RuntimeEndpointInvoker } from '../../core/adapters/sagemaker/runtime-endpoint-invoker';
import { HostedGatewayInvoker } from '../../core/adapters/sagemaker/hosted-gateway-invoker';
import { StagingSweep } from '../../core/catalog/staging-sweep';
import { flushCaptures } from '../../core/deployments/capture-buffer';
import { flushVariantCounts } from '../../core/deployments/variant-counts';
import { ChildProcessInspector } from '../../core/adapters/inspection/child-process-inspector';
import { InProcessGatewayHandler } from '../../serving/gateway/in-process-handler';
import { createScoringGateway, type ScoringGateway } from '../../serving/gateway/scoring-gateway';
import type { HealthProbe } from '../../core/ports/health-probe';
import { PartitionWorkerPool } from './partition-worker-pool';
import { type EndpointRestoreReport, restoreLiveEndpoints } from '../../core/deployments/restore-endpoints';

export interface LocalPlatform {
  readonly platform: Platform;
  /** The SDK clients behind the local adapters (tests reach the stand-ins with them). */
  readonly clients: AwsClients;
  readonly runner: LocalStepFunctionsRunner;
  readonly auditSealer: AuditSealer;
  /** Expires staged uploads (objects and quota reservations) every 10 minutes. */
  readonly stagingSweep: StagingSweep;
  /** Fires stored schedules (undefined when started with `scheduler: false`). */
  readonly scheduler?: LocalScheduler;
  /**
   * The scoring gateway this process hosts (STEWARD_SCORING_TRANSPORT=direct, the default, or in-process):
   * the scoring port's adapter (direct) or the runtime client (in-process) reaches it without a socket, deploys register endpoints on it, and
   * `npm start` serves its `app` on the scoring port. Undefined with `http`.
   */
  readonly scoringGateway?: ScoringGateway;
  /** The stored live endpoints being served again on the scoring gateway, in the background (resolves, never rejects). */
  readonly endpointsRestored: Promise<EndpointRestoreReport>;
  close(): Promise<void>;
}

/**
 * The Platform in local mode: the same adapters as on AWS over the stand-ins,
 * plus the local Step Functions runner executing state-machines/*.asl.json.
 * Bootstraps the table and bucket (idempotent), so a second start on the same
 * data folder finds everything where it left it.
 */
export async function createLocalPlatform(
  settings: Settings,
  options: {
    log?: Log;
    definitionsDir?: string;
    now?: () => Date;
    scheduler?: LocalSchedulerOptions | false;
    /** Holds the issuer's signing keys; without it they live as long as the process. */
    dataDir?: string;
    /** Start the batch partition threads now and keep them (a server); otherwise they start with the first partition. */
    warmBatchThreads?: boolean;
    /** Batch partition threads. @default one per core (a worker of several gets its share) */
    batchThreads?: number;
    /** Run the staged-upload sweep here. @default true (a multi-worker start runs it in its leader only) */
    stagingSweep?: boolean;
  } = {},
): Promise<LocalPlatform> {
  const transport = settings.STEWARD_SCORING_TRANSPORT;
  const hosted = transport !== 'http';
  let gateway: ScoringGateway | undefined;
  // The handler looks the gateway up per call: the gateway reads artifacts through the S3 client made here.
  // With `direct` the SDK client still reaches the hosted gateway in process, for anything in this process that uses it.
  const clients = createAwsClients(settings, hosted ? { sagemakerRuntimeHandler: new InProcessGatewayHandler(() => gateway!.invoke) } : {});
  const store = await openLocalStore(settings, clients, options.now);
  await bootstrapBucket(clients.s3, settings.STEWARD_BUCKET_NAME);
  const log = options.log ?? new Logger({ serviceName: 'steward', logLevel: settings.STEWARD_LOG_LEVEL });
  if (hosted) gateway = createScoringGateway({ s3: clients.s3, log, region: settings.AWS_REGION });
  const gatewayUrl = settings.STEWARD_SAGEMAKER_RUNTIME_ENDPOINT ?? 'http://127.0.0.1:1';
  let platform: Platform | undefined;
  const mail = settings.STEWARD_SMTP_URL ? new SmtpMailSender(settings.STEWARD_SMTP_URL) : new UnconfiguredMailSender(log);
  const runner = new LocalStepFunctionsRunner({
    definitionsDir: options.definitionsDir,
    platform: () => platform!,
    log,
  });
  // 100 ms between seal runs: under load a run links tens of events in one transaction (bench/README.md).
  const sealer = new AuditSealer(() => platform!, { sweepEveryMs: 5000, nudgeDelayMs: 100 });
  // Batch partitions score on worker threads, one per core, not on the API's event loop.
  const batchScoring = new PartitionWorkerPool({ settings, log, warm: options.warmBatchThreads ?? false, threads: options.batchThreads });
  platform = assemblePlatform({
    // One process writes the events here, so it links them as it writes them; the sealer links what it could not.
    store,
    auditSealing: sealer,
    settings,
    tenantObjects: (tenantId) => new TenantObjects(clients.s3, settings.STEWARD_BUCKET_NAME, tenantId),
    log,
    pipelines: runner,
    now: options.now,
    inspector: new ChildProcessInspector(),
    batchScoring,
    trainingLogs: runner.trainingLogs,
    serving: {
      // Registrations go to the gateway that serves: the hosted one is called in process, never over its listener.
      control: new GatewayEndpointControl(gatewayUrl, gateway ? inProcessFetch(gateway) : fetch),
      invoker: transport === 'direct' ? new HostedGatewayInvoker(() => gateway!.invoke) : new RuntimeEndpointInvoker(clients.sagemakerRuntime),
    },
    identity: (platformTable) =>
      localIdentity(platformTable, {
        issuer: settings.STEWARD_JWT_ISSUER ?? 'http://127.0.0.1',
        audience: settings.STEWARD_JWT_AUDIENCE,
        keys: options.dataDir ? new FileIssuerKeyRing(issuerKeyFile(options.dataDir)) : new EphemeralIssuerKeyRing(),
        mail,
      }),
    probes: [
      { name: 'metadata', check: () => store.ping() },
      bucketProbe(clients, settings.STEWARD_BUCKET_NAME),
      runner.probe(),
      gateway ? hostedGatewayProbe(gateway) : scoringGatewayProbe(settings.STEWARD_SAGEMAKER_RUNTIME_ENDPOINT),
    ],
  });
  await removeLegacyIssuerKey(platform.platformTable());
  await platform.identity.issuer?.jwks(); // creates the key file on first start, not at first sign-in
  await runner.recoverInterrupted();
  if (settings.STEWARD_BOOTSTRAP_ADMIN_EMAIL && settings.STEWARD_BOOTSTRAP_ADMIN_PASSWORD) {
    // Runs only while no administrator exists; afterwards the variables are ignored, never an error.
    const outcome = await bootstrapPlatformAdmin(platform, {
      email: settings.STEWARD_BOOTSTRAP_ADMIN_EMAIL,
      password: settings.STEWARD_BOOTSTRAP_ADMIN_PASSWORD,
    }).catch((error: unknown) => {
      if (error instanceof Conflict) return 'ignored: an administrator already exists' as const;
      throw error;
    });
    log.info('platform administrator bootstrap', { email: settings.STEWARD_BOOTSTRAP_ADMIN_EMAIL, outcome });
  }
  sealer.start();
  const stagingSweep = new StagingSweep(() => platform);
  if (options.stagingSweep !== false) stagingSweep.start();
  const scheduler = options.scheduler === false ? undefined : new LocalScheduler(platform, options.scheduler).start();
  // The gateway keeps endpoints in memory: serve what the records say is live, without holding the start up.
  const endpointsRestored = restoreLiveEndpoints(platform).catch((error: unknown): EndpointRestoreReport => {
    log.error('stored endpoints not restored; each is served again on its first call', { error: error instanceof Error ? error.message : String(error) });
    return { restored: [], failed: [] };
  });
  return {
    platform,
    clients,
    runner,
    auditSealer: sealer,
    stagingSweep,
    scoringGateway: gateway,
    endpointsRestored,
    async close() {
      await endpointsRestored;
      // Sampled scoring captures wait up to a second in memory; written before the storage client goes.
      await flushCaptures();
      // So are the variant counts (canary verdicts read them): written while the store is still open.
      await flushVariantCounts();
      await stagingSweep.stop();
      await scheduler?.stop();
      await sealer.stop();
      await runner.close();
      await batchScoring.close();
      await store.close();
      if (mail instanceof SmtpMailSender) mail.close();
      clients.dynamodb.destroy();
      clients.s3.destroy();
      clients.sagemakerRuntime.destroy();
    },
  };
}

/**
 * The metadata store `STEWARD_STORE` names: the embedded SQLite file (default),
 * or DynamoDB Local through the same adapter as on AWS (its table bootstrapped).
 * Either way one process writes the events, so they are linked into their
 * chain as they are written (`STEWARD_AUDIT_CHAIN`, default at-commit).
 */
export async function openLocalStore(settings: Settings, clients: AwsClients, now?: () => Date): Promise<MetadataStore> {
  if (settings.STEWARD_STORE === 'sqlite') return new SqliteStore({ path: settings.STEWARD_SQLITE_PATH, auditChain: settings.STEWARD_AUDIT_CHAIN, now });
  await bootstrapTable(clients.dynamodb, settings.STEWARD_TABLE_NAME);
  return dynamoDbStore({ tableName: settings.STEWARD_TABLE_NAME, documents: clients.documents, auditChain: settings.STEWARD_AUDIT_CHAIN });
}

/** `fetch` answered by the hosted gateway's hono app (its /local/endpoints registration API). */
function inProcessFetch(gateway: ScoringGateway): typeof fetch {
  return async (input: string | URL | Request, init?: RequestInit) => gateway.app.request(input, init);
}

function hostedGatewayProbe(gateway: ScoringGateway): HealthProbe {
  return {
    name: 'scoring-gateway',
    async check() {
      const res = await gateway.app.request('/ping');
      if (res.status !== 200) throw new Error(`ping answered ${res.status}`);
      return 'in-process';
    },
  };
}
