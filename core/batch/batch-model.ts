import { singleFileArtifact } from '../../serving/artifacts/model-artifacts';
import { ONNX_MODEL_FILE, onnxRuntime } from '../../serving/runtimes/onnx-runtime';
import type { TabularModel } from '../../serving/runtimes/tabular-model';
import { loadModelRecord } from '../catalog/models';
import { loadVersion } from '../catalog/versions';
import { ValidationFailed } from '../errors';
import type { TenantScope } from '../tenancy/tenant-scope';
import type { BatchJob } from './batch-job-records';

/** Loaded models kept per process: every partition of a job (and a warm Lambda's next job) reuses one session. */
const CACHE_SIZE = 4;
const cache = new Map<string, Promise<TabularModel>>();

/**
 * The job's model version as a serving TabularModel, loaded by the same
 * runtime that serves it behind an endpoint, bound to the model's declared
 * schema. Keyed by tenant, version and artifact checksum, so a cached model
 * can never answer for another tenant or a replaced artifact.
 */
export async function loadBatchModel(scope: TenantScope, job: Pick<BatchJob, 'model'>): Promise<TabularModel> {
  const { modelId, version: number } = job.model;
  const [model, version] = await Promise.all([loadModelRecord(scope.table, modelId), loadVersion(scope.table, modelId, number)]);
  if (version.artifact.format !== 'onnx') {
    throw new ValidationFailed(`version ${number} holds a ${version.artifact.format} artifact; batch scoring loads ONNX`, [{ field: 'model.version', problem: 'not an ONNX artifact' }]);
  }
  const cacheKey = `${scope.tenantId}/${modelId}/${number}/${version.artifact.sha256}`;
  let loading = cache.get(cacheKey);
  if (!loading) {
    loading = scope.objects
      .getBytes(version.artifact.key)
      .then((bytes) => onnxRuntime.load(singleFileArtifact(scope.objects.keyOf(version.artifact.key), ONNX_MODEL_FILE, bytes), { ioSchema: model.schema }))
      .then((served) => served.model);
    cache.set(cacheKey, loading);
    loading.catch(() => cache.delete(cacheKey));
    while (cache.size > CACHE_SIZE) {
      const [oldest, evicted] = cache.entries().next().value as [string, Promise<TabularModel>];
      cache.delete(oldest);
      void evicted.then((m) => m.release?.()).catch(() => undefined);
    }
  }
  return loading;
}
