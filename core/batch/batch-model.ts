import { loadModelRecord } from '../catalog/models';
import { loadVersion } from '../catalog/versions';
import { SERVING_RUNTIME_BY_FORMAT } from '../deployments/request-deployment';
import { ValidationFailed } from '../errors';
import type { PartitionModel } from '../ports/partition-scorer';
import type { TenantScope } from '../tenancy/tenant-scope';
import type { BatchJob } from './batch-job-records';

/**
 * The job's model version as the partition scorer loads it: the serving
 * runtime of its artifact's format (the same one its endpoints run: ONNX,
 * rules, scorecard), the artifact's key and checksum, and the model's
 * declared schema. A format no Steward runtime serves (a SageMaker container
 * reference) is refused, naming the field.
 */
export async function batchModelOf(scope: TenantScope, job: Pick<BatchJob, 'model'>): Promise<PartitionModel> {
  const { modelId, version: number } = job.model;
  const [model, version] = await Promise.all([loadModelRecord(scope.table, modelId), loadVersion(scope.table, modelId, number)]);
  const runtime = SERVING_RUNTIME_BY_FORMAT[version.artifact.format];
  if (!runtime) {
    throw new ValidationFailed(`version ${number} holds a ${version.artifact.format} artifact, which Steward's runtimes cannot batch-score`, [
      { field: 'model.version', problem: `a ${version.artifact.format} artifact has no Steward runtime` },
    ]);
  }
  return { modelId, version: number, runtime, artifactKey: version.artifact.key, sha256: version.artifact.sha256, ioSchema: model.schema };
}
