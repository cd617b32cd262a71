import { singleFileArtifact } from '../../serving/artifacts/model-artifacts';
import { loadModel } from '../../serving/runtimes/load-model';
import { runtimeFor, runtimeKindForFormat, type ModelRuntimeKind } from '../../serving/runtimes/runtime-catalog';
import type { ServedModel } from '../../serving/runtimes/model-runtime';
import type { IoSchema } from '../catalog/artifacts/io-schema';
import type { ModelVersion } from '../catalog/versions';
import { ValidationFailed } from '../errors';
import type { TenantObjectStore } from '../ports/object-store';

/** The serving runtime that scores a version's artifact, or a refusal naming why it has none. */
export function evaluationRuntimeOf(version: Pick<ModelVersion, 'version' | 'artifact'>): ModelRuntimeKind {
  const kind = runtimeKindForFormat(version.artifact.format);
  if (!kind) {
    throw new ValidationFailed(
      `version ${version.version} holds a ${version.artifact.format} artifact, which the platform cannot score itself (SageMaker runs its image)`,
      [{ field: 'version', problem: `no platform runtime for format ${version.artifact.format}` }],
    );
  }
  return kind;
}

/**
 * The version's model loaded by the very runtime that serves it behind an
 * endpoint (serving/runtimes), from the bytes the catalog verified: they are
 * refused unless they hash to the recorded SHA-256. The caller releases it.
 */
export async function loadVersionModel(
  objects: TenantObjectStore,
  subject: { runtime: ModelRuntimeKind; key: string; sha256: string; ioSchema: IoSchema },
): Promise<ServedModel> {
  const bytes = await objects.getBytes(subject.key);
  const runtime = runtimeFor(subject.runtime);
  return loadModel({
    runtime: subject.runtime,
    artifact: singleFileArtifact(objects.keyOf(subject.key), runtime.modelFile, bytes),
    ioSchema: subject.ioSchema,
    sha256: subject.sha256,
  });
}
