import type { InferenceSession, Tensor } from 'onnxruntime-node';

/**
 * An ONNX model loaded into onnxruntime-node, as the ONNX runtime adapter
 * uses it: its inputs' and outputs' metadata, a run, a release.
 *
 * The run is onnxruntime-node's native `run`, called directly. The package's
 * public `InferenceSession.run` defers that same synchronous native call to
 * the event loop's check phase (a `setImmediate` per call), wraps it in two
 * promise layers, and checks and copies feeds, fetches and results on every
 * call. Here the calls asked for during one turn of the loop are queued and
 * run back to back in one check phase, each on its own rows exactly as before
 * (no rows are batched together: the answers are the same bits), before any
 * of their callers goes on. Interleaved with the rest of each request (as the
 * public API's per-call immediates are, microtasks running between them), a
 * single-row run of a small model cost the API ~50 µs more CPU than back to
 * back: onnxruntime's code and memory leave the CPU's caches in between
 * (bench/README.md, 2026-12-06 fifth session). The event loop is held no
 * longer than before: the same native calls, at the same point of the loop.
 * Where the package's native binding is not where version 1.30 keeps it, or
 * execution providers are named, the public API is used.
 */
export interface OnnxSession {
  readonly inputMetadata: readonly InferenceSession.ValueMetadata[];
  readonly outputMetadata: readonly InferenceSession.ValueMetadata[];
  /** Runs the model on `feeds`, answering the `fetches` outputs. Throws what onnxruntime throws. */
  run(feeds: Readonly<Record<string, Tensor>>, fetches: Readonly<Record<string, null>>): Promise<Readonly<Record<string, Tensor>>>;
  release(): Promise<void>;
}

type Ort = typeof import('onnxruntime-node');

/** The native session of onnxruntime-node's binding (onnxruntime-node/dist/binding.d.ts). */
interface NativeSession {
  loadModel(buffer: ArrayBufferLike, byteOffset: number, byteLength: number, options: InferenceSession.SessionOptions): void;
  readonly inputMetadata: readonly RawValueMetadata[];
  readonly outputMetadata: readonly RawValueMetadata[];
  run(feeds: Readonly<Record<string, Tensor>>, fetches: Readonly<Record<string, null>>, options: InferenceSession.RunOptions): Record<string, Tensor>;
  dispose(): void;
}

interface RawValueMetadata {
  readonly name: string;
  readonly isTensor: boolean;
  readonly symbolicDimensions: readonly string[];
  readonly shape: readonly number[];
  readonly type: number;
}

interface NativeBinding {
  readonly binding: { readonly InferenceSession: new () => NativeSession };
  readonly initOrt: () => void;
}

/** ONNX's TensorProto.DataType numbers as onnxruntime-node names them (its backend's own table). */
const ELEMENT_TYPES: readonly (Tensor.Type | undefined)[] = [
  undefined, 'float32', 'uint8', 'int8', 'uint16', 'int16', 'int32', 'int64', 'string', 'bool', 'float16', 'float64', 'uint32', 'uint64',
  undefined, undefined, undefined, undefined, undefined, undefined, undefined, 'uint4', 'int4',
];

let native: NativeBinding | null | undefined;

/** The onnxruntime-node release whose private binding this file was written against (package.json pins 1.30.x). */
const NATIVE_RELEASE = /^1\.30\./;

/** The binding, or nothing when the installed release is another one: its private module may have changed shape. */
export function nativeBindingFor(version: string | undefined, load: () => unknown): NativeBinding | undefined {
  if (!version || !NATIVE_RELEASE.test(version)) return undefined;
  try {
    const loaded = load() as Partial<NativeBinding>;
    return typeof loaded.initOrt === 'function' && typeof loaded.binding?.InferenceSession === 'function' ? (loaded as NativeBinding) : undefined;
  } catch {
    return undefined;
  }
}

function nativeBinding(): NativeBinding | undefined {
  if (native === undefined) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { version } = require('onnxruntime-node/package.json') as { version?: string };
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      native = nativeBindingFor(version, () => require('onnxruntime-node/dist/binding')) ?? null;
    } catch {
      native = null;
    }
  }
  return native ?? undefined;
}

function metadataOf(raw: RawValueMetadata): InferenceSession.ValueMetadata {
  if (!raw.isTensor) return { name: raw.name, isTensor: false };
  const type = ELEMENT_TYPES[raw.type];
  if (type === undefined) throw new Error(`Unsupported data type: ${raw.type}`);
  const shape = raw.shape.map((dim, i) => {
    if (dim === -1) return raw.symbolicDimensions[i];
    if (dim >= 0) return dim;
    throw new Error(`Invalid dimension: ${dim}`);
  });
  return { name: raw.name, isTensor: true, type, shape };
}

const NO_RUN_OPTIONS: InferenceSession.RunOptions = {};

/** A native session and whether it was released (a run queued before the release must not reach it). */
interface Loaded {
  readonly native: NativeSession;
  released: boolean;
}

interface QueuedRun {
  readonly session: Loaded;
  readonly feeds: Readonly<Record<string, Tensor>>;
  readonly fetches: Readonly<Record<string, null>>;
  readonly resolve: (outputs: Readonly<Record<string, Tensor>>) => void;
  readonly reject: (error: unknown) => void;
}

/** Runs asked for since the last check phase, each still its own call of the model on its own rows. */
let queued: QueuedRun[] = [];

/**
 * Runs every queued call back to back, then lets their callers go on: their
 * promises settle only after the last run. Called synchronously inside each
 * request instead, the native runs cost the API ~30 µs more each than the
 * public API's deferred ones, and ~80 µs more than these (alternating rounds,
 * bench/tools/scoring-route-costs.ts).
 */
function runQueued(): void {
  const batch = queued;
  queued = [];
  for (const run of batch) {
    try {
      if (run.session.released) throw new Error('the ONNX session was released');
      run.resolve(run.session.native.run(run.feeds, run.fetches, NO_RUN_OPTIONS));
    } catch (error) {
      run.reject(error);
    }
  }
}

/**
 * Loads `model` (ONNX bytes) with `options`. The native binding's `loadModel`
 * is what the public `InferenceSession.create` ends in for the CPU backend,
 * given the same options.
 */
export async function loadOnnxSession(ort: Ort, model: Uint8Array, options: InferenceSession.SessionOptions): Promise<OnnxSession> {
  const direct = options.executionProviders === undefined ? nativeBinding() : undefined;
  if (!direct) {
    const session = await ort.InferenceSession.create(model, options);
    return { inputMetadata: session.inputMetadata, outputMetadata: session.outputMetadata, run: (feeds, fetches) => session.run(feeds, fetches), release: () => session.release() };
  }
  direct.initOrt();
  const native = new direct.binding.InferenceSession();
  native.loadModel(model.buffer, model.byteOffset, model.byteLength, options);
  const session: Loaded = { native, released: false };
  return {
    inputMetadata: native.inputMetadata.map(metadataOf),
    outputMetadata: native.outputMetadata.map(metadataOf),
    run: (feeds, fetches) =>
      new Promise((resolve, reject) => {
        if (queued.length === 0) setImmediate(runQueued);
        queued.push({ session, feeds, fetches, resolve, reject });
      }),
    release: async () => {
      if (session.released) return;
      session.released = true;
      native.dispose();
    },
  };
}
