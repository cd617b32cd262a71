import type { AwsClients } from '../adapters/aws-clients';
import { platformTable, tenantTable } from '../adapters/dynamodb/tables';
import type { ScopedTable } from '../adapters/dynamodb/scoped-table';
import { TenantObjects } from '../adapters/s3/tenant-objects';
import type { Settings } from '../config/settings';
import type { HealthProbe } from '../ports/health-probe';
import type { Log } from '../ports/log';
import type { PipelineRunner } from '../ports/pipeline-runner';
import type { IdTokenIssuer, IdTokenVerifier } from '../ports/id-tokens';
import type { UserDirectory } from '../ports/user-directory';
import { IN_PROCESS_THROTTLING, type TenantThrottling } from '../ports/tenant-throttling';
import { type AuditSealing, STREAM_SEALING } from '../audit/audit-sealer';
import { auditChainAtCommit } from '../audit/chain-at-commit';
import type { TenantDataClients } from '../adapters/tenant-credentials';

/** Who may sign in and how credentials are checked: Cognito on AWS, the local issuer locally. */
export interface IdentityParts {
  readonly verifier: IdTokenVerifier;
  readonly directory: UserDirectory;
  /** Only where Steward signs tokens itself (local mode). */
  readonly issuer?: IdTokenIssuer;
}

/**
 * Everything the use cases need from the outside world, assembled once per
 * process: by functions/ on AWS (awsPlatform) and by infra/local locally
 * (localPlatform). The API, pipeline steps and schedulers receive a Platform
 * and never construct clients themselves.
 */
export interface Platform {
  readonly settings: Settings;
  readonly clients: AwsClients;
  readonly log: Log;
  readonly probes: readonly HealthProbe[];
  readonly pipelines: PipelineRunner;
  readonly identity: IdentityParts;
  readonly throttling: TenantThrottling;
  /** Hint that a tenant wrote audit events (local: in-process sealer; AWS: no-op, the table stream seals). */
  readonly auditSealing: AuditSealing;
  now(): Date;
  /** Metadata bound to one tenant; the only way tenant items are read or written. */
  tenantTable(tenantId: string): ScopedTable;
  /** Control-plane metadata (tenant registry, sign-in indexes). */
  platformTable(): ScopedTable;
  /** Artifacts bound to one tenant, under `tenants/<tenantId>/`. */
  tenantObjects(tenantId: string): TenantObjects;
}

export interface PlatformParts {
  readonly settings: Settings;
  readonly clients: AwsClients;
  readonly log: Log;
  readonly probes: readonly HealthProbe[];
  readonly pipelines: PipelineRunner;
  readonly identity: (platformTable: ScopedTable) => IdentityParts;
  /** @default in-process (the API's own limiter) */
  readonly throttling?: TenantThrottling;
  /** @default the DynamoDB stream seals (AWS) */
  readonly auditSealing?: AuditSealing;
  /**
   * `at-commit`: audit events are linked into their chain by the transaction
   * that writes them (one process writes most events: local mode);
   * `deferred`: written unlinked, sealed afterwards (AWS). See chain-at-commit.ts.
   * @default deferred
   */
  readonly auditChain?: 'at-commit' | 'deferred';
  /** Tenant-scoped data clients (AWS: STS session-tagged); default: the shared clients. */
  readonly tenantDataClients?: (tenantId: string) => TenantDataClients;
  readonly now?: () => Date;
}

export function assemblePlatform(parts: PlatformParts): Platform {
  const { settings, clients } = parts;
  const dataClients = parts.tenantDataClients ?? (() => clients);
  const tableOptions = parts.auditChain === 'at-commit' ? { chain: auditChainAtCommit } : {};
  const control = platformTable(clients.documents, settings.STEWARD_TABLE_NAME, tableOptions);
  return {
    settings,
    clients,
    log: parts.log,
    probes: parts.probes,
    pipelines: parts.pipelines,
    identity: parts.identity(control),
    throttling: parts.throttling ?? IN_PROCESS_THROTTLING,
    auditSealing: parts.auditSealing ?? STREAM_SEALING,
    now: parts.now ?? (() => new Date()),
    tenantTable: (tenantId) => tenantTable(dataClients(tenantId).documents, settings.STEWARD_TABLE_NAME, tenantId, tableOptions),
    platformTable: () => control,
    tenantObjects: (tenantId) => new TenantObjects(dataClients(tenantId).s3, settings.STEWARD_BUCKET_NAME, tenantId),
  };
}
