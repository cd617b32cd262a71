import type { InferenceSession, Tensor } from 'onnxruntime-node';
import { probeRowIndependence, runAlone, runCoalesced, type Feeds, type Fetches, type Outputs, type RunOutcome } from './onnx-run-coalescing';

/**
 * An ONNX model loaded into onnxruntime-node, as the ONNX runtime adapter
 * uses it: its inputs' and outputs' metadata, a run, a release.
 *
 * The run is onnxruntime-node's native `run`, called directly. The package's
 * public `InferenceSession.run` defers that same synchronous native call to
 * the event loop's check phase (a `setImmediate` per call), wraps it in two
 * promise layers, and checks and copies feeds, fetches and results on every
 * call. Here the calls asked for during one turn of the loop are queued and
 * run back to back in one check phase before any of their callers goes on.
 * Interleaved with the rest of each request (as the public API's per-call
 * immediates are, microtasks running between them), a single-row run of a
 * small model cost the API ~50 µs more CPU than back to back: onnxruntime's
 * code and memory leave the CPU's caches in between (bench/README.md,
 * 2026-12-06 fifth session). When the session was loaded with `coalesce` and
 * the model passed the row-independence probe, queued calls of one session
 * are stacked into one run (onnx-run-coalescing.ts): the same bits for every
 * caller, one native call instead of several. The event loop is held no
 * longer than before: the same work, at the same point of the loop. Where
 * the package's native binding is not where version 1.30 keeps it, or
 * execution providers are named, the public API is used.
 */
export interface OnnxSession {
  readonly inputMetadata: readonly InferenceSession.ValueMetadata[];
  readonly outputMetadata: readonly InferenceSession.ValueMetadata[];
  /** Runs the model on `feeds`, answering the `fetches` outputs. Throws what onnxruntime throws. */
  run(feeds: Readonly<Record<string, Tensor>>, fetches: Readonly<Record<string, null>>): Promise<Readonly<Record<string, Tensor>>>;
  /** Whether queued calls are stacked into one run (the model passed the row-independence probe). */
  readonly coalescing: boolean;
  /** Calls answered and native runs made so far (several calls a run when coalescing). */
  readonly counts: { readonly calls: number; readonly runs: number };
  release(): Promise<void>;
}

/** Stacking of queued calls into one run, up to `maxRows` rows a run; tried only if the model passes the probe at load. */
export interface CoalesceOptions {
  readonly maxRows: number;
}

type Ort = typeof import('onnxruntime-node');

/** The native session of onnxruntime-node's binding (onnxruntime-node/dist/binding.d.ts). */
interface NativeSession {
  loadModel(buffer: ArrayBufferLike, byteOffset: number, byteLength: number, options: InferenceSession.SessionOptions): void;
  readonly inputMetadata: readonly RawValueMetadata[];
  readonly outputMetadata: readonly RawValueMetadata[];
  run(feeds: Feeds, fetches: Fetches, options: InferenceSession.RunOptions): Outputs;
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
  undefined,
  'float32',
  'uint8',
  'int8',
  'uint16',
  'int16',
  'int32',
  'int64',
  'string',
  'bool',
  'float16',
  'float64',
  'uint32',
  'uint64',
  undefined,
  undefined,
  undefined,
  undefined,
  undefined,
  undefined,
  undefined,
  'uint4',
  'int4',
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

/** A native session, whether it was released (a run queued before the release must not reach it), and how it runs. */
class Loaded {
  released = false;
  readonly counts = { calls: 0, runs: 0 };

  constructor(
    readonly native: NativeSession,
    /** Rows a stacked run may hold; 0 when every call runs alone. */
    readonly maxRows: number,
  ) {}

  /** One native run (bound: the queue hands it to the coalescing code). */
  readonly run = (feeds: Feeds, fetches: Fetches): Outputs => {
    if (this.released) throw new Error('the ONNX session was released');
    this.counts.runs++;
    return this.native.run(feeds, fetches, NO_RUN_OPTIONS);
  };
}

interface QueuedRun {
  readonly session: Loaded;
  readonly feeds: Feeds;
  readonly fetches: Fetches;
  readonly resolve: (outputs: Readonly<Record<string, Tensor>>) => void;
  readonly reject: (error: unknown) => void;
}

/** Runs asked for since the last check phase. */
let queued: QueuedRun[] = [];

/**
 * Runs every queued call, then lets their callers go on, in the order they
 * asked: their promises settle only after the last run. Calls of a
 * coalescing session are stacked; any other call runs alone. Called
 * synchronously inside each request instead, the native runs cost the API
 * ~30 µs more each than the public API's deferred ones, and ~80 µs more than
 * queued ones (alternating rounds, bench/tools/scoring-route-costs.ts).
 */
function runQueued(): void {
  const batch = queued;
  queued = [];
  const outcomes = new Array<RunOutcome>(batch.length);
  // Few sessions share a turn of the loop: a scan beats a map.
  const sessions: Loaded[] = [];
  const indexes: number[][] = [];
  for (let i = 0; i < batch.length; i++) {
    const session = batch[i].session;
    session.counts.calls++;
    const s = sessions.indexOf(session);
    if (s >= 0) indexes[s].push(i);
    else {
      sessions.push(session);
      indexes.push([i]);
    }
  }
  for (let s = 0; s < sessions.length; s++) {
    const session = sessions[s];
    const mine = indexes[s];
    if (session.maxRows > 1 && mine.length > 1) {
      const coalesced = runCoalesced(
        session.run,
        mine.map((i) => batch[i]),
        session.maxRows,
      );
      for (let k = 0; k < mine.length; k++) outcomes[mine[k]] = coalesced[k];
      continue;
    }
    for (const i of mine) outcomes[i] = runAlone(session.run, batch[i]);
  }
  for (let i = 0; i < batch.length; i++) {
    const outcome = outcomes[i];
    if (outcome.ok) batch[i].resolve(outcome.outputs as Readonly<Record<string, Tensor>>);
    else batch[i].reject(outcome.error);
  }
}

/**
 * Loads `model` (ONNX bytes) with `options`. The native binding's `loadModel`
 * is what the public `InferenceSession.create` ends in for the CPU backend,
 * given the same options. With `coalesce`, the model is probed for row
 * independence up to `coalesce.maxRows` rows (onnx-run-coalescing.ts) and
 * stacks queued calls only if it passes.
 */
export async function loadOnnxSession(ort: Ort, model: Uint8Array, options: InferenceSession.SessionOptions, coalesce?: CoalesceOptions): Promise<OnnxSession> {
  const direct = options.executionProviders === undefined ? nativeBinding() : undefined;
  if (!direct) {
    const session = await ort.InferenceSession.create(model, options);
    const counts = { calls: 0, runs: 0 };
    return {
      inputMetadata: session.inputMetadata,
      outputMetadata: session.outputMetadata,
      coalescing: false,
      counts,
      run: (feeds, fetches) => {
        counts.calls++;
        counts.runs++;
        return session.run(feeds, fetches);
      },
      release: () => session.release(),
    };
  }
  direct.initOrt();
  const native = new direct.binding.InferenceSession();
  native.loadModel(model.buffer, model.byteOffset, model.byteLength, options);
  const inputMetadata = native.inputMetadata.map(metadataOf);
  const outputMetadata = native.outputMetadata.map(metadataOf);
  const probe = new Loaded(native, 0);
  const tensorOutputs = outputMetadata.filter((o) => o.isTensor).map((o) => o.name);
  const coalescing = coalesce !== undefined && probeRowIndependence(probe.run, inputMetadata, tensorOutputs, coalesce.maxRows);
  const session = new Loaded(native, coalescing ? coalesce.maxRows : 0);
  return {
    inputMetadata,
    outputMetadata,
    coalescing,
    counts: session.counts,
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
