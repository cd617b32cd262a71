import type { IoSchema } from '../../core/catalog/artifacts/io-schema';
import { ArtifactChecksumMismatch } from '../artifacts/artifact-errors';
import { sha256Hex } from '../artifacts/model-artifacts';
import type { ModelArtifact, ServedModel } from './model-runtime';
import { runtimeFor, type ModelRuntimeKind } from './runtime-catalog';

export interface ModelToLoad {
  readonly runtime: ModelRuntimeKind;
  readonly artifact: ModelArtifact;
  /** The version's declared inputs and outputs; requests are validated against them. */
  readonly ioSchema?: IoSchema;
  /**
   * The SHA-256 (hex) the catalog recorded for the artifact. When given, the
   * model is loaded only if the stored object (or, for a directory, the
   * runtime's main file) has exactly this hash.
   */
  readonly sha256?: string;
}

/**
 * The one way serving loads a model: checks the artifact's bytes against the
 * expected hash first, then hands them to the runtime of the named kind.
 *
 * @example
 * const runtime = runtimeFor('onnx');
 * const model = await loadModel({
 *   runtime: 'onnx',
 *   artifact: await openS3Artifact(s3, 's3://bucket/tenants/t/models/m/3/model.onnx', runtime.modelFile),
 *   ioSchema: version.ioSchema,
 *   sha256: version.artifact.sha256,
 * });
 * const answer = await model.invoke(body, 'text/csv', 'application/json');
 * @throws ArtifactChecksumMismatch, InvalidArtifact, ArtifactUnavailable
 */
export async function loadModel(request: ModelToLoad): Promise<ServedModel> {
  const runtime = runtimeFor(request.runtime);
  if (request.sha256 !== undefined) {
    const expected = request.sha256.toLowerCase();
    const actual = request.artifact.sha256 ?? sha256Hex(await request.artifact.file(runtime.modelFile));
    if (actual !== expected) throw new ArtifactChecksumMismatch(request.artifact.uri, expected, actual);
  }
  return runtime.load(request.artifact, { ioSchema: request.ioSchema });
}
