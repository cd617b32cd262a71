import type { Tensor } from 'onnxruntime-node';

/**
 * Coalescing: the ONNX runs that concurrent requests ask for of one model
 * during one turn of the event loop, stacked into one run along the batch
 * dimension and the answer cut back into each request's rows (dynamic
 * batching, as Triton's or TF Serving's batchers do, with no waiting: only
 * what is already queued is stacked).
 *
 * Only for a model that proved, when loaded, that a row's answer does not
 * depend on the rows run with it, bit for bit, at every batch size a
 * stacked run may have (`probeRowIndependence`). A model that reads across
 * rows (a batch mean, a fixed batch of 1), or whose kernels round a row
 * differently in a larger batch, fails the probe and keeps one run per call.
 * So a request's answer is the same bits whether or not others ran with it.
 */

/** A tensor as onnxruntime-node's native binding takes and answers it (`Tensor` satisfies it). */
export interface TensorLike {
  readonly type: Tensor.Type;
  readonly dims: readonly number[];
  readonly data: Tensor.DataType;
  /** The native binding reads a feed's data only from a `cpu` tensor (it refuses a feed without it). */
  readonly location?: Tensor.DataLocation;
}

export type Feeds = Readonly<Record<string, TensorLike>>;
export type Fetches = Readonly<Record<string, null>>;
export type Outputs = Readonly<Record<string, TensorLike>>;

/** A run as the queue holds it. */
export interface PendingRun {
  readonly feeds: Feeds;
  readonly fetches: Fetches;
}

export type RunOutcome = { readonly ok: true; readonly outputs: Outputs } | { readonly ok: false; readonly error: unknown };

/** The rows of a run: the first dimension every feed shares; undefined when a feed is a scalar or they disagree. */
export function rowsOf(feeds: Feeds): number | undefined {
  let rows: number | undefined;
  for (const name in feeds) {
    const dims = feeds[name].dims;
    if (dims.length === 0 || (rows !== undefined && dims[0] !== rows)) return undefined;
    rows = dims[0];
  }
  return rows;
}

/** Whether two runs can be stacked: the same feeds (names, element types, dims after the first) and the same fetches. */
export function stackable(a: PendingRun, b: PendingRun): boolean {
  if (a.fetches !== b.fetches) {
    let names = 0;
    for (const name in a.fetches) {
      if (!(name in b.fetches)) return false;
      names++;
    }
    for (const _ in b.fetches) names--;
    if (names !== 0) return false;
  }
  let feeds = 0;
  for (const name in a.feeds) {
    const x = a.feeds[name];
    const y = b.feeds[name];
    if (y === undefined || x.type !== y.type || x.dims.length !== y.dims.length) return false;
    for (let d = 1; d < x.dims.length; d++) if (x.dims[d] !== y.dims[d]) return false;
    feeds++;
  }
  for (const _ in b.feeds) feeds--;
  return feeds === 0;
}

type NumericArray = Exclude<Tensor.DataType, readonly string[] | string[]>;

function concat(parts: readonly Tensor.DataType[]): Tensor.DataType {
  if (Array.isArray(parts[0])) return (parts as readonly string[][]).flat();
  const first = parts[0];
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new (first.constructor as new (length: number) => NumericArray)(length);
  let offset = 0;
  for (const part of parts) {
    (out as Float32Array).set(part as Float32Array, offset);
    offset += part.length;
  }
  return out;
}

/** One run's feeds made of several stackable runs' feeds, their rows one after the other. */
export function stackFeeds(runs: readonly PendingRun[], rows: number): Feeds {
  const out: Record<string, TensorLike> = {};
  const first = runs[0].feeds;
  for (const name in first) {
    const { type, dims } = first[name];
    const stacked = dims.slice();
    stacked[0] = rows;
    const parts = new Array<Tensor.DataType>(runs.length);
    for (let i = 0; i < runs.length; i++) parts[i] = runs[i].feeds[name].data;
    out[name] = { type, dims: stacked, data: concat(parts), location: 'cpu' };
  }
  return out;
}

function slice(data: Tensor.DataType, start: number, end: number): Tensor.DataType {
  return Array.isArray(data) ? data.slice(start, end) : data.subarray(start, end);
}

/**
 * A stacked run's outputs cut into each run's rows; undefined when an
 * output does not have one entry per row along its first dimension.
 */
export function splitOutputs(outputs: Outputs, rowCounts: readonly number[]): Outputs[] | undefined {
  let total = 0;
  for (const rows of rowCounts) total += rows;
  const parts: Record<string, TensorLike>[] = new Array<Record<string, TensorLike>>(rowCounts.length);
  for (let i = 0; i < rowCounts.length; i++) parts[i] = {};
  for (const name in outputs) {
    const { type, dims, data } = outputs[name];
    if (dims.length === 0 || dims[0] !== total) return undefined;
    const width = total === 0 ? 0 : data.length / total;
    let row = 0;
    for (let i = 0; i < rowCounts.length; i++) {
      const rows = rowCounts[i];
      const partDims = dims.slice();
      partDims[0] = rows;
      parts[i][name] = { type, dims: partDims, data: slice(data, row * width, (row + rows) * width) };
      row += rows;
    }
  }
  return parts;
}

type RunModel = (feeds: Feeds, fetches: Fetches) => Outputs;

/** One run on its own, its failure kept as its outcome. */
export function runAlone(run: RunModel, pending: PendingRun): RunOutcome {
  try {
    return { ok: true, outputs: run(pending.feeds, pending.fetches) };
  } catch (error) {
    return { ok: false, error };
  }
}

/**
 * Runs `pending` (in order, one model), stacking runs that can be stacked
 * up to `maxRows` rows a run; outcomes in the order of `pending`. A run
 * that cannot be stacked (more rows than `maxRows`, feeds that disagree on
 * their rows) runs alone; when a stacked run fails, each of its runs runs
 * alone, so a bad request fails alone with its own error.
 */
export function runCoalesced(run: RunModel, pending: readonly PendingRun[], maxRows: number): RunOutcome[] {
  const outcomes = new Array<RunOutcome>(pending.length);
  // Few runs are queued at a time: a scan of the groups opened so far beats building keys.
  const groups: Group[] = [];
  for (let i = 0; i < pending.length; i++) {
    const rows = rowsOf(pending[i].feeds);
    let joined = false;
    if (rows !== undefined && rows > 0 && rows <= maxRows) {
      for (let g = groups.length - 1; g >= 0; g--) {
        const group = groups[g];
        if (group.rows === 0 || !stackable(pending[group.indexes[0]], pending[i])) continue;
        // Only the latest group of a layout takes more runs, so runs stay in order within a layout.
        if (group.rows + rows <= maxRows) {
          group.indexes.push(i);
          group.rowCounts.push(rows);
          group.rows += rows;
          joined = true;
        }
        break;
      }
    }
    if (!joined) groups.push({ indexes: [i], rowCounts: [rows ?? 0], rows: rows !== undefined && rows > 0 && rows <= maxRows ? rows : 0 });
  }
  for (const { indexes, rowCounts, rows } of groups) {
    if (indexes.length === 1) {
      outcomes[indexes[0]] = runAlone(run, pending[indexes[0]]);
      continue;
    }
    const runs = indexes.map((i) => pending[i]);
    let parts: Outputs[] | undefined;
    try {
      parts = splitOutputs(run(stackFeeds(runs, rows), runs[0].fetches), rowCounts);
    } catch {
      parts = undefined;
    }
    for (let k = 0; k < indexes.length; k++) outcomes[indexes[k]] = parts ? { ok: true, outputs: parts[k] } : runAlone(run, pending[indexes[k]]);
  }
  return outcomes;
}

/** Runs stacked together: their indexes in the queue, each one's rows, and the total (0: a run that cannot be stacked). */
interface Group {
  readonly indexes: number[];
  readonly rowCounts: number[];
  rows: number;
}

/** Input metadata as the native binding describes it (onnx-native-session.ts). */
export interface ProbeInput {
  readonly name: string;
  readonly isTensor: boolean;
  readonly type?: Tensor.Type;
  /** Fixed sizes, or a name (or -1) for a symbolic dimension. */
  readonly shape?: readonly (number | string)[];
}

function probeValues(type: Tensor.Type, count: number, seed: number): Tensor.DataType | undefined {
  let s = seed;
  const next = () => (s = (s * 48271) % 2147483647) / 2147483647;
  switch (type) {
    case 'float32':
      return Float32Array.from({ length: count }, () => next() * 6 - 3);
    case 'float64':
      return Float64Array.from({ length: count }, () => next() * 6 - 3);
    case 'int32':
      return Int32Array.from({ length: count }, () => Math.floor(next() * 3));
    case 'int64':
      return BigInt64Array.from({ length: count }, () => BigInt(Math.floor(next() * 3)));
    case 'uint8':
    case 'bool':
      return Uint8Array.from({ length: count }, () => (next() < 0.5 ? 0 : 1));
    case 'string':
      return Array.from({ length: count }, () => ['a', 'b', 'c'][Math.floor(next() * 3)]);
    default:
      return undefined;
  }
}

function sameBits(a: TensorLike, b: TensorLike, rows: number, offset: number): boolean {
  if (a.type !== b.type || a.dims.length !== b.dims.length || a.dims.some((d, i) => i > 0 && d !== b.dims[i])) return false;
  const width = a.data.length;
  if (b.data.length !== width * rows) return false;
  for (let k = 0; k < width; k++) {
    const x = a.data[k];
    const y = b.data[offset * width + k];
    if (typeof x === 'number' && typeof y === 'number' ? !Object.is(x, y) && !(Number.isNaN(x) && Number.isNaN(y)) : x !== y) return false;
  }
  return true;
}

/** Stacking saves a native call's fixed cost: worth it only for a model whose single-row run takes less than this. */
const WORTH_STACKING_MS = 1;

/**
 * Whether a model's rows are independent, bit for bit, up to `maxRows`
 * rows a run: synthesized rows are run one by one, then the first k of them
 * together for every k from 2 to `maxRows`, and every output of every row
 * must be the same bits both ways (and have one entry per row). False when
 * an input is not a tensor of shape `[batch, fixed…]`, when a probe run
 * fails, on any difference, and for a model whose fastest single-row run
 * takes over a millisecond (an image network: stacking would save nothing
 * and probing it would slow its load).
 */
export function probeRowIndependence(run: RunModel, inputs: readonly ProbeInput[], outputs: readonly string[], maxRows: number): boolean {
  if (maxRows < 2 || inputs.length === 0 || outputs.length === 0) return false;
  const rowFeeds: Record<string, TensorLike>[] = Array.from({ length: maxRows }, () => ({}));
  for (const [i, input] of inputs.entries()) {
    const shape = input.shape ?? [];
    if (!input.isTensor || !input.type || shape.length === 0 || (typeof shape[0] === 'number' && shape[0] !== -1)) return false;
    const rest = shape.slice(1);
    if (rest.some((d) => typeof d !== 'number' || d < 1)) return false;
    const width = (rest as number[]).reduce((a, b) => a * b, 1);
    for (let r = 0; r < maxRows; r++) {
      const data = probeValues(input.type, width, 7919 * (r + 1) + 104729 * (i + 1));
      if (!data) return false;
      rowFeeds[r][input.name] = { type: input.type, dims: [1, ...(rest as number[])], data, location: 'cpu' };
    }
  }
  const fetches: Fetches = Object.fromEntries(outputs.map((name) => [name, null]));
  try {
    let fastest = Infinity;
    const alone = rowFeeds.map((feeds) => {
      const started = performance.now();
      const outputs = run(feeds, fetches);
      fastest = Math.min(fastest, performance.now() - started);
      return outputs;
    });
    // A call's fixed cost (~10 µs) is nothing beside a row that takes milliseconds: no stacking, no longer probe.
    if (fastest > WORTH_STACKING_MS) return false;
    for (let k = 2; k <= maxRows; k++) {
      const runs = rowFeeds.slice(0, k).map((feeds) => ({ feeds, fetches }));
      const together = run(stackFeeds(runs, k), fetches);
      for (const name of outputs) {
        const stacked = together[name];
        if (!stacked || stacked.dims[0] !== k) return false;
        for (let r = 0; r < k; r++) if (!sameBits(alone[r][name], stacked, k, r)) return false;
      }
    }
    return true;
  } catch {
    return false;
  }
}
