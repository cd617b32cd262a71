import type { S3Client } from '@aws-sdk/client-s3';
import { openS3Artifact } from '../artifacts/model-artifacts';
import type { LoadedModel } from '../runtimes/model-runtime';
import { gatewayRuntime } from './gateway-runtimes';
import type { ModelReference } from './endpoint-registry';

/** Turns a variant's model reference into a model ready to score. */
export type ModelLoader = (model: ModelReference) => Promise<LoadedModel>;

/** Loads artifacts from S3 (s3rver locally) with the runtime the variant names. */
export function s3ModelLoader(s3: S3Client): ModelLoader {
  return async (model) => {
    const runtime = gatewayRuntime(model.runtime);
    return runtime.load(await openS3Artifact(s3, model.artifactUri, runtime.modelFile), model.ioSchema ? { ioSchema: model.ioSchema } : undefined);
  };
}

/**
 * Loaded models, one per (runtime, artifact), shared by every variant that
 * serves the same artifact. Concurrent first requests share one load; a
 * failed load is forgotten so the next request tries again.
 */
export class ModelCache {
  private readonly models = new Map<string, Promise<LoadedModel>>();

  constructor(private readonly loader: ModelLoader) {}

  get(model: ModelReference): Promise<LoadedModel> {
    const key = keyOf(model);
    let loading = this.models.get(key);
    if (!loading) {
      loading = this.loader(model);
      this.models.set(key, loading);
      loading.catch(() => {
        if (this.models.get(key) === loading) this.models.delete(key);
      });
    }
    return loading;
  }

  /** Loads afresh, so re-registering an endpoint picks up a replaced artifact. */
  reload(model: ModelReference): Promise<LoadedModel> {
    this.models.delete(keyOf(model));
    return this.get(model);
  }

  /** Drops every model no endpoint references any more. */
  retainOnly(models: readonly ModelReference[]): void {
    const keep = new Set(models.map(keyOf));
    for (const key of this.models.keys()) if (!keep.has(key)) this.models.delete(key);
  }

  get size(): number {
    return this.models.size;
  }
}

function keyOf(model: ModelReference): string {
  // The same artifact bound to another schema is another served model.
  return `${model.runtime}|${model.artifactUri}|${model.ioSchema ? JSON.stringify(model.ioSchema) : ''}`;
}
