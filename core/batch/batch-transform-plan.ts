import { pad } from '../catalog/identifiers';
import { loadDeployment } from '../deployments/deployment-records';
import { ValidationFailed } from '../errors';
import type { ServedModelSpec } from '../ports/endpoint-control';
import type { PartitionModel } from '../ports/partition-scorer';
import type { TenantScope } from '../tenancy/tenant-scope';
import type { BatchJob } from './batch-job-records';
import { type BatchPartition, MAX_PARTITIONS } from './batch-partitions';
import { MAX_TRANSFORM_PAYLOAD_MB, payloadMegabytesFor, transformRootFolder } from './batch-transform';

/** What the batch-score machine needs to run a job's partitions as SageMaker batch transforms. */
export interface BatchTransformPlan {
  /** The SageMaker model the transforms run: a live deployment's model of this version, else one for this job. */
  readonly model: ServedModelSpec;
  /** Whether the model is a live deployment's (it exists; creating it again answers "already exists", which the machine accepts). */
  readonly deployed: boolean;
  /** Transform job names are `<namePrefix>-p<index>` (≤ 63 characters, unique per job and partition). */
  readonly namePrefix: string;
  /** `s3://<bucket>/tenants/<tenantId>/`: a partition's source key appended is its S3Uri. */
  readonly tenantRootUri: string;
  /** `s3://…/transforms/<jobId>/`: a partition's output path is this plus `part-N/`. */
  readonly outputRootUri: string;
  readonly maxPayloadInMB: number;
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * The job's model on SageMaker and the shape of its transforms. A version
 * some endpoint serves live is scored by that deployment's model (same
 * image, artifact and checksum); any other approved version gets a model of
 * its own, `<tenantId>-b<jobId>`, tagged with the tenant and the job. Every
 * partition must fit one transform request (SplitType None: the whole CSV,
 * header and all, so rejected rows keep their numbers), so a partition over
 * SageMaker's 100 MB payload is refused here, naming the file.
 * @throws ValidationFailed naming `input` when a partition is too large for one request
 */
export async function planBatchTransform(
  scope: TenantScope,
  input: { job: BatchJob; partitions: readonly BatchPartition[]; model: PartitionModel; bucket: string },
): Promise<BatchTransformPlan> {
  const { job, partitions, model, bucket } = input;
  const root = `s3://${bucket}/${scope.objects.keyOf('x').slice(0, -1)}`;
  const largest = await largestPartition(scope, job, partitions);
  let maxPayloadInMB: number;
  try {
    maxPayloadInMB = payloadMegabytesFor(largest.size);
  } catch {
    throw new ValidationFailed(
      `${largest.key} is ${largest.size} bytes; a batch partition is scored as one request of at most ${MAX_TRANSFORM_PAYLOAD_MB} MB`,
      [{ field: 'input', problem: `${largest.key} exceeds ${MAX_TRANSFORM_PAYLOAD_MB} MB; split it into smaller CSV files` }],
    );
  }
  const live = await liveModelOf(scope, job);
  return {
    model: live ?? {
      modelName: `${scope.tenantId}-b${job.jobId}`,
      runtime: model.runtime,
      artifactUri: `${root}${model.artifactKey}`,
      ioSchema: model.ioSchema,
      sha256: model.sha256,
    },
    deployed: live !== undefined,
    namePrefix: `${scope.tenantId}-b${job.jobId}`,
    tenantRootUri: root,
    outputRootUri: `${root}${transformRootFolder(job)}`,
    maxPayloadInMB,
    tags: { TenantId: scope.tenantId, BatchJobId: job.jobId },
  };
}

async function largestPartition(scope: TenantScope, job: BatchJob, partitions: readonly BatchPartition[]): Promise<{ key: string; size: number }> {
  const sizes = new Map<string, number>();
  if (job.input.kind === 'prefix') {
    for (const o of await scope.objects.list(job.input.prefix, MAX_PARTITIONS + 1)) sizes.set(o.key, o.size);
  }
  let largest = { key: '', size: 0 };
  for (const p of partitions) {
    const size = sizes.get(p.source) ?? (await scope.objects.head(p.source))?.size ?? 0;
    if (size >= largest.size) largest = { key: p.source, size };
  }
  return largest;
}

/** The model a live deployment serves this version with (lineage back-references `D#<version>#…` with status live). */
async function liveModelOf(scope: TenantScope, job: BatchJob): Promise<ServedModelSpec | undefined> {
  const { modelId, version } = job.model;
  const page = await scope.table.query<{ status?: string; endpointName?: string; deploymentId?: string; variantName?: string; role?: string }>({
    partition: ['MODEL', modelId],
    sortBeginsWith: `D#${pad(version)}#`,
    limit: 50,
    consistent: true,
  });
  for (const served of page.items) {
    // A shadow's model answers no caller; production and canary models are what the version serves.
    if (served.status !== 'live' || served.role === 'shadow' || !served.endpointName || !served.deploymentId) continue;
    const deployment = await loadDeployment(scope.table, served.endpointName, served.deploymentId).catch(() => undefined);
    const variant = deployment?.config.productionVariants.find((v) => v.variantName === served.variantName);
    // Only a model that carries the checksum and schema the batch job would load is reused as it is.
    if (variant?.model.sha256 && variant.model.ioSchema) return variant.model;
  }
  return undefined;
}
