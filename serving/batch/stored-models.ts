import type { PartitionModel } from '../../core/ports/partition-scorer';
import type { TenantObjectStore } from '../../core/ports/object-store';
import { readModelArchive } from '../artifacts/model-archive';
import { isArchive, sha256Hex, singleFileArtifact } from '../artifacts/model-artifacts';
import { ArtifactUnavailable } from '../artifacts/artifact-errors';
import { loadModel } from '../runtimes/load-model';
import type { ModelArtifact } from '../runtimes/model-runtime';
import { runtimeFor } from '../runtimes/runtime-catalog';
import type { TabularModel } from '../runtimes/tabular-model';

/** Loaded models kept per cache: every partition of a job (and a warm Lambda's or worker's next job) reuses one session. */
const DEFAULT_SIZE = 4;

/**
 * Batch models read from a tenant's objects and loaded by the same runtimes
 * that serve endpoints (ONNX, rules, scorecard, linear), kept loaded a while.
 * Keyed by tenant, model, version and artifact checksum, so a cached model can
 * never answer for another tenant or a replaced artifact; loadModel checks
 * the stored bytes against the catalog's checksum before the runtime sees them.
 */
export class StoredModels {
  private readonly cache = new Map<string, Promise<TabularModel>>();

  constructor(private readonly size = DEFAULT_SIZE) {}

  load(objects: TenantObjectStore, model: PartitionModel): Promise<TabularModel> {
    const key = `${objects.tenantId}/${model.modelId}/${model.version}/${model.runtime}/${model.sha256}`;
    const cached = this.cache.get(key);
    if (cached) {
      // Most recently used last, so eviction takes the oldest.
      this.cache.delete(key);
      this.cache.set(key, cached);
      return cached;
    }
    const loading = this.read(objects, model);
    this.cache.set(key, loading);
    loading.catch(() => this.cache.delete(key));
    while (this.cache.size > this.size) {
      const [oldest, evicted] = this.cache.entries().next().value as [string, Promise<TabularModel>];
      this.cache.delete(oldest);
      void evicted.then((m) => m.release?.()).catch(() => undefined);
    }
    return loading;
  }

  async release(): Promise<void> {
    const models = [...this.cache.values()];
    this.cache.clear();
    await Promise.all(models.map((m) => m.then((loaded) => loaded.release?.()).catch(() => undefined)));
  }

  private async read(objects: TenantObjectStore, model: PartitionModel): Promise<TabularModel> {
    const runtime = runtimeFor(model.runtime);
    const bytes = await objects.getBytes(model.artifactKey);
    const uri = objects.keyOf(model.artifactKey);
    const artifact = isArchive(model.artifactKey) ? archiveArtifact(uri, bytes) : singleFileArtifact(uri, runtime.modelFile, bytes);
    const served = await loadModel({ runtime: model.runtime, artifact, ioSchema: model.ioSchema, sha256: model.sha256 });
    return served.model;
  }
}

function archiveArtifact(uri: string, bytes: Uint8Array): ModelArtifact {
  let files: Map<string, Uint8Array>;
  try {
    files = readModelArchive(bytes);
  } catch (error) {
    throw new ArtifactUnavailable(uri, `not a readable .tar.gz: ${(error as Error).message}`, { cause: error });
  }
  return {
    uri,
    sha256: sha256Hex(bytes),
    async file(name) {
      const file = files.get(name);
      if (!file) throw new ArtifactUnavailable(uri, `the archive has no ${name}`);
      return file;
    },
  };
}
