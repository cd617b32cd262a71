import type { IoSchema } from '../../core/catalog/artifacts/io-schema';
import type { Prediction, TabularModel } from './tabular-model';

/**
 * The port every model runtime implements. A runtime turns a model artifact
 * into a loaded model; a loaded model answers invocations the way a SageMaker
 * serving container answers POST /invocations: bytes in with a content type,
 * bytes out with a content type, or a ModelInvocationError carrying the status
 * the container would have returned.
 *
 * The same runtimes serve in the local gateway (in process) and in the serving
 * container (serving/container), so a model scores identically in both places.
 */
export interface ModelRuntime {
  /** The runtime kind named by an endpoint's variant, e.g. `linear`. */
  readonly kind: string;
  /** The runtime's main file inside a model directory (SageMaker's /opt/ml/model). */
  readonly modelFile: string;
  /**
   * Reads and checks the model. `ioSchema` is the version's declared inputs
   * and outputs: requests are validated against its inputs. A runtime whose
   * artifact carries its own fields (linear, rules, scorecard) checks them
   * against it; without one it uses the artifact's own (ONNX: derived from
   * the model's signature).
   * @throws InvalidArtifact, ArtifactUnavailable
   */
  load(artifact: ModelArtifact, options?: RuntimeLoadOptions): Promise<ServedModel>;
}

export interface RuntimeLoadOptions {
  readonly ioSchema?: IoSchema;
}

/** A loaded model: the container contract ({@link LoadedModel.invoke}) and the same model as typed rows in, predictions out (the batch engine's view). */
export interface ServedModel extends LoadedModel {
  readonly model: TabularModel;
  release(): Promise<void>;
}

/**
 * A model's files as the runtime sees them: the contents of /opt/ml/model in a
 * container, the members of a model.tar.gz, or a single stored object.
 */
export interface ModelArtifact {
  /** Where the artifact came from (`s3://…`, a directory); for messages only. */
  readonly uri: string;
  /**
   * SHA-256 (hex) of the stored object the files came from (the single file,
   * or the whole model.tar.gz), when it was read as one object; absent for a
   * directory, whose main file is hashed instead.
   */
  readonly sha256?: string;
  /** A file by its name inside the model directory; throws ArtifactUnavailable if absent. */
  file(name: string): Promise<Uint8Array>;
}

export interface InvocationResult {
  readonly body: Uint8Array;
  readonly contentType: string;
  /** Passed back to the caller in X-Amzn-SageMaker-Custom-Attributes. */
  readonly customAttributes?: string;
  /**
   * A JSON answer's predictions as values, when the runtime has them: what
   * `JSON.parse` of the body's `predictions` gives, up to JSON's own
   * rounding (a non-finite number is `null` in the body, `-0` is `0`), so
   * `JSON.stringify` writes both alike. An in-process caller (the API's
   * scoring route through the hosted gateway) reads these instead of parsing
   * the body the runtime wrote; the body is then written only if read.
   */
  readonly predictions?: readonly Prediction[];
}

export interface LoadedModel {
  /**
   * Scores one request.
   * @param body the request bytes, exactly as the caller sent them
   * @param contentType the request's Content-Type, if any
   * @param accept the caller's Accept, if any (absent or `*\/*` means the runtime's default)
   * @throws ModelInvocationError for input the model refuses
   */
  invoke(body: Uint8Array, contentType: string | undefined, accept: string | undefined): Promise<InvocationResult>;
}
