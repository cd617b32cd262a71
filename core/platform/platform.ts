import type { MetadataStore, MetadataTable } from '../ports/metadata-store';
import type { TenantObjectStore } from '../ports/object-store';
import type { Settings } from '../config/settings';
import type { HealthProbe } from '../ports/health-probe';
import type { Log } from '../ports/log';
import type { PipelineRunner } from '../ports/pipeline-runner';
import { LOCAL_SCHEDULE_CONTROL, type ScheduleControl } from '../ports/schedule-control';
import type { IdTokenIssuer, IdTokenVerifier } from '../ports/id-tokens';
import type { UserDirectory } from '../ports/user-directory';
import type { MailSender } from '../ports/mail-sender';
import { IN_PROCESS_THROTTLING, type TenantThrottling } from '../ports/tenant-throttling';
import { type AuditSealing, STREAM_SEALING } from '../audit/audit-sealer';
import type { EndpointControl } from '../ports/endpoint-control';
import type { EndpointInvoker } from '../ports/endpoint-invoker';
import type { FileInspector } from '../ports/file-inspector';
import type { PartitionScorer } from '../ports/partition-scorer';
import type { TrainingLogSource } from '../ports/training-log-source';

/** Served endpoints: their control plane (deploy) and data plane (score). SageMaker on AWS, the scoring gateway locally. */
export interface ServingParts {
  readonly control: EndpointControl;
  readonly invoker: EndpointInvoker;
}

/** Who may sign in and how credentials are checked: Cognito on AWS, the local issuer locally. */
export interface IdentityParts {
  readonly verifier: IdTokenVerifier;
  readonly directory: UserDirectory;
  /** Only where Steward signs tokens itself (local mode). */
  readonly issuer?: IdTokenIssuer;
  /** Invitations and notices reach people by mail (local: the mail catcher; AWS: Cognito mails invitations). */
  readonly mail: MailSender;
}

/**
 * Everything the use cases need from the outside world, assembled once per
 * process: by functions/ on AWS (awsPlatform) and by infra/local locally
 * (localPlatform). The API, pipeline steps and schedulers receive a Platform
 * and never construct clients themselves.
 */
export interface Platform {
  readonly settings: Settings;
  readonly log: Log;
  readonly probes: readonly HealthProbe[];
  readonly pipelines: PipelineRunner;
  /** Where stored schedules are made to fire (EventBridge Scheduler on AWS; locally the in-process scheduler reads the records). */
  readonly schedules: ScheduleControl;
  readonly identity: IdentityParts;
  readonly throttling: TenantThrottling;
  /** Hint that a tenant wrote audit events (local: in-process sealer; AWS: no-op, the table stream seals). */
  readonly auditSealing: AuditSealing;
  now(): Date;
  /** The metadata store: only the control plane and the assembly use it whole; tenant code gets its table. */
  readonly store: MetadataStore;
  /** Metadata bound to one tenant; the only way tenant items are read or written. */
  tenantTable(tenantId: string): MetadataTable;
  /** Control-plane metadata (tenant registry, sign-in indexes). */
  platformTable(): MetadataTable;
  /** Artifacts bound to one tenant, under `tenants/<tenantId>/`. */
  tenantObjects(tenantId: string): TenantObjectStore;
  readonly serving: ServingParts;
  /** Where untrusted files are inspected: a child process locally, the inspector function on AWS. */
  readonly inspector: FileInspector;
  /**
   * Where batch partitions are scored when not on the step's own thread:
   * locally a worker pool (behind the local createTransformJob). Absent on
   * AWS, where SageMaker batch transforms score the partitions.
   */
  readonly batchScoring?: PartitionScorer;
  /** Where a finished training job's log is read (CloudWatch on AWS, the local stand-in locally); absent: no log is kept. */
  readonly trainingLogs?: TrainingLogSource;
}

export interface PlatformParts {
  readonly settings: Settings;
  readonly log: Log;
  readonly probes: readonly HealthProbe[];
  readonly pipelines: PipelineRunner;
  /** @default LOCAL_SCHEDULE_CONTROL (the records are the schedules) */
  readonly schedules?: ScheduleControl;
  readonly identity: (platformTable: MetadataTable) => IdentityParts;
  /** Metadata: DynamoDB (AWS, DynamoDB Local) or the embedded SQLite store. */
  readonly store: MetadataStore;
  /** @default in-process (the API's own limiter) */
  readonly throttling?: TenantThrottling;
  /** @default the DynamoDB stream seals (AWS) */
  readonly auditSealing?: AuditSealing;
  /** Each tenant's objects (AWS: S3 with STS session-tagged credentials; locally the emulator). */
  readonly tenantObjects: (tenantId: string) => TenantObjectStore;
  readonly now?: () => Date;
  readonly serving: ServingParts;
  readonly inspector: FileInspector;
  /** @default none: the step scores in process */
  readonly batchScoring?: PartitionScorer;
  /** @default none: training logs are not kept */
  readonly trainingLogs?: TrainingLogSource;
}

export function assemblePlatform(parts: PlatformParts): Platform {
  const { settings } = parts;
  const control = parts.store.platform();
  return {
    settings,
    log: parts.log,
    probes: parts.probes,
    pipelines: parts.pipelines,
    schedules: parts.schedules ?? LOCAL_SCHEDULE_CONTROL,
    identity: parts.identity(control),
    throttling: parts.throttling ?? IN_PROCESS_THROTTLING,
    auditSealing: parts.auditSealing ?? STREAM_SEALING,
    now: parts.now ?? (() => new Date()),
    store: parts.store,
    tenantTable: (tenantId) => parts.store.tenant(tenantId),
    platformTable: () => control,
    tenantObjects: parts.tenantObjects,
    serving: parts.serving,
    inspector: parts.inspector,
    ...(parts.batchScoring ? { batchScoring: parts.batchScoring } : {}),
    ...(parts.trainingLogs ? { trainingLogs: parts.trainingLogs } : {}),
  };
}
