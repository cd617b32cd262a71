import type { AwsClients } from '../adapters/aws-clients';
import { platformTable, tenantTable } from '../adapters/dynamodb/tables';
import type { ScopedTable } from '../adapters/dynamodb/scoped-table';
import { TenantObjects } from '../adapters/s3/tenant-objects';
import type { Settings } from '../config/settings';
import type { HealthProbe } from '../ports/health-probe';
import type { Log } from '../ports/log';
import type { PipelineRunner } from '../ports/pipeline-runner';

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
  readonly now?: () => Date;
}

export function assemblePlatform(parts: PlatformParts): Platform {
  const { settings, clients } = parts;
  return {
    ...parts,
    now: parts.now ?? (() => new Date()),
    tenantTable: (tenantId) => tenantTable(clients.documents, settings.STEWARD_TABLE_NAME, tenantId),
    platformTable: () => platformTable(clients.documents, settings.STEWARD_TABLE_NAME),
    tenantObjects: (tenantId) => new TenantObjects(clients.s3, settings.STEWARD_BUCKET_NAME, tenantId),
  };
}
