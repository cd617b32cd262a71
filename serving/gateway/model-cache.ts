import type { S3Client } from '@aws-sdk/client-s3';
import { openS3Artifact } from '../artifacts/model-artifacts';
import { loadModel } from '../runtimes/load-model';
import type { LoadedModel } from '../runtimes/model-runtime';
import { runtimeFor } from '../runtimes/runtime-catalog';
import type { ModelReference } from './endpoint-registry';

/** Turns a variant's model reference into a model ready to score. */
export type ModelLoader = (model: ModelReference) => Promise<LoadedModel>;

/** Loads artifacts from S3 (s3rver locally) with the runtime the variant names, checking the expected SHA-256 when the variant gives one. */
export function s3ModelLoader(s3: S3Client): ModelLoader {
  return async (model) => {
    const artifact = await openS3Artifact(s3, model.artifactUri, runtimeFor(model.runtime).modelFile);
    return loadModel({ runtime: model.runtime, artifact, ioSchema: model.ioSchema, sha256: model.sha256 });
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

/** Keys by reference object: an endpoint's variants are the same objects on every request, so the schema is serialised once, not per call. */
const keys = new WeakMap<ModelReference, string>();

function keyOf(model: ModelReference): string {
  let key = keys.get(model);
  if (key === undefined) {
    // The schema is part of the key: the same artifact under another schema validates requests differently.
    key = `${model.runtime}|${model.artifactUri}|${model.sha256 ?? ''}|${model.ioSchema ? JSON.stringify(model.ioSchema) : ''}`;
    keys.set(model, key);
  }
  return key;
}
