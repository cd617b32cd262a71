import type { InferenceSession, Tensor } from 'onnxruntime-node';
import type { Field, FieldType, IoSchema } from '../../core/catalog/artifacts/io-schema';
import {
  chooseInputBinding,
  matchOnnxToSchema,
  type OnnxInputBinding,
  type OnnxSignature,
  type OnnxValueInfo,
} from '../../core/catalog/artifacts/onnx-inspection';
import { InvalidArtifact } from '../artifacts/artifact-errors';
import { widthOf } from '../payloads/field-values';
import type { ModelArtifact, ModelRuntime, RuntimeLoadOptions } from './model-runtime';
import { loadOnnxSession, type OnnxSession } from './onnx-native-session';
import { servableGraph, type ClassifierOutputs } from './onnx-classifier-graph';
import { TabularLoadedModel } from './tabular-invocation';
import type { InputRow, InputValue, Prediction, PredictionValue, TabularModel } from './tabular-model';

/**
 * Concurrent calls of one model stacked into one run (onnx-run-coalescing.ts), up to this many rows: at most
 * what one check phase queues under a few dozen connections, and probed at every size up to it when the model
 * loads (16 single-row runs and 15 stacked ones: milliseconds for a tabular model). Larger calls run alone.
 */
const COALESCE = { maxRows: 16 } as const;

/** The file name of an ONNX model inside a model directory or model.tar.gz. */
export const ONNX_MODEL_FILE = 'model.onnx';

type Ort = typeof import('onnxruntime-node');
let ortModule: Promise<Ort> | undefined;
/** Loaded on first use: serving rules or scorecards never loads the native library. */
function ort(): Promise<Ort> {
  ortModule ??= import('onnxruntime-node');
  return ortModule;
}

function cleanReason(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text
    .replace(/\/onnxruntime_src\/\S+\s+\S+\s+/g, '')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 400);
}

const FIELD_TYPE_OF: Partial<Record<Tensor.Type, FieldType>> = {
  float32: 'float',
  float64: 'double',
  int8: 'int',
  int16: 'int',
  int32: 'int',
  uint8: 'int',
  uint16: 'int',
  int64: 'long',
  uint32: 'long',
  bool: 'bool',
  string: 'string',
};

/**
 * The fields of a model served without a declared schema (a bare model
 * directory): one field per named input, or `x0…x{n-1}` for a single
 * `[batch, n]` input; every tensor output.
 */
export function deriveIoSchema(uri: string, signature: OnnxSignature): IoSchema {
  const fieldOf = (value: OnnxValueInfo): Field => {
    const type = value.elementType ? FIELD_TYPE_OF[value.elementType] : undefined;
    if (!type) throw new InvalidArtifact(uri, `'${value.name}' has element type ${value.elementType ?? 'none'}, which Steward does not serve`);
    const wide = value.dims.length > 2 || (value.dims.length === 2 && typeof value.dims[1] === 'number' && value.dims[1] > 1);
    return wide ? { name: value.name, type, shape: value.dims.map((d) => (typeof d === 'number' && d > 0 ? d : -1)) } : { name: value.name, type };
  };
  const only = signature.inputs.length === 1 ? signature.inputs[0] : undefined;
  let inputs: Field[];
  if (only && only.dims.length === 2 && typeof only.dims[1] === 'number' && only.dims[1] > 1) {
    const type = only.elementType ? FIELD_TYPE_OF[only.elementType] : undefined;
    if (!type) throw new InvalidArtifact(uri, `input '${only.name}' has element type ${only.elementType}, which Steward does not serve`);
    inputs = Array.from({ length: only.dims[1] }, (_, i) => ({ name: `x${i}`, type }));
  } else {
    inputs = signature.inputs.map(fieldOf);
  }
  return { inputs, outputs: signature.outputs.filter((o) => o.isTensor).map(fieldOf) };
}

/**
 * Serves any ONNX model onnxruntime-node loads (any opset it supports,
 * ai.onnx.ml operators included), bound to the version's input schema the way
 * upload validation binds it (core/catalog/artifacts/onnx-inspection.ts):
 * one packed `[batch, n]` tensor of the fields in schema order, or one ONNX
 * input per field.
 *
 * Predictions: a classifier (see onnx-classifier-graph.ts) answers
 * `{"label": …, "probabilities": {"<class>": p, …}}`, the label being the
 * most probable class (the first on a tie); any other model
 * `{"score": v}` when it declares one output, else `{"<output>": v, …}`; a
 * value is a number (string, bool) when the output has one per row, an array
 * when it has more.
 */
export const onnxRuntime: ModelRuntime = {
  kind: 'onnx',
  modelFile: ONNX_MODEL_FILE,
  async load(artifact: ModelArtifact, options?: RuntimeLoadOptions) {
    const original = await artifact.file(ONNX_MODEL_FILE);
    if (original.length === 0) throw new InvalidArtifact(artifact.uri, `${ONNX_MODEL_FILE} is empty`);
    const graph = servableGraph(original);
    let session: OnnxSession;
    try {
      // One thread per session: tabular models are too small for intra-op parallelism to pay, and an
      // idle onnxruntime pool spins, taking the core the event loop (parsing, writing) needs.
      session = await loadOnnxSession(
        await ort(),
        graph.bytes,
        { logSeverityLevel: 4, intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential' },
        COALESCE,
      );
    } catch (error) {
      throw new InvalidArtifact(artifact.uri, `not a loadable ONNX model: ${cleanReason(error)}`, { cause: error });
    }
    try {
      const signature: OnnxSignature = {
        inputs: session.inputMetadata.map(valueInfo),
        outputs: session.outputMetadata.map(valueInfo),
      };
      const io = options?.ioSchema ?? deriveIoSchema(artifact.uri, signature);
      const mismatches = matchOnnxToSchema(signature, io);
      if (mismatches.length) throw new InvalidArtifact(artifact.uri, mismatches.map((m) => `${m.field}: ${m.problem}`).join('; '));
      const model = new OnnxTabularModel(session, await ort(), signature, io, chooseInputBinding(signature, io), graph.classifier);
      return new TabularLoadedModel(model);
    } catch (error) {
      await session.release();
      throw error;
    }
  },
};

function valueInfo(meta: InferenceSession.ValueMetadata): OnnxValueInfo {
  return meta.isTensor ? { name: meta.name, isTensor: true, elementType: meta.type, dims: [...meta.shape] } : { name: meta.name, isTensor: false, dims: [] };
}

/** An ONNX input fed from `fields`: `width` values a row, a row's dims after the batch dimension. */
type Feed = { readonly input: OnnxValueInfo; readonly fields: readonly number[]; readonly width: number; readonly rowDims: readonly number[] };

function numeric(value: InputValue): number {
  return typeof value === 'boolean' ? (value ? 1 : 0) : (value as number);
}

/** The tensor data for `rows`, reading each row's `fields` (flattening shaped ones) into the input's element type. */
function tensorData(type: Tensor.Type, rows: readonly InputRow[], fields: readonly number[], width: number): Tensor.DataType {
  const size = rows.length * width;
  if (type === 'string') {
    const out = new Array<string>(size);
    let k = 0;
    for (const row of rows) for (const f of fields) out[k++] = String(row[f]);
    return out;
  }
  const out =
    type === 'float32'
      ? new Float32Array(size)
      : type === 'float64'
        ? new Float64Array(size)
        : type === 'int32'
          ? new Int32Array(size)
          : type === 'bool' || type === 'uint8'
            ? new Uint8Array(size)
            : type === 'int64'
              ? new BigInt64Array(size)
              : undefined;
  if (!out) throw new Error(`element type ${type} is not fed by Steward`);
  let k = 0;
  if (out instanceof BigInt64Array) {
    for (const row of rows) for (const f of fields) out[k++] = BigInt(Math.trunc(numeric(row[f])));
    return out;
  }
  for (const row of rows) {
    for (const f of fields) {
      const value = row[f];
      if (Array.isArray(value)) for (const v of value as number[]) out[k++] = v;
      else out[k++] = numeric(value);
    }
  }
  return out;
}

function plain(value: number | bigint | string): string | number {
  return typeof value === 'bigint' ? Number(value) : value;
}

/** Per-row values of an output tensor: a scalar when one per row, else an array. */
function rowValues(tensor: Tensor, rows: number): PredictionValue[] {
  const data = tensor.data as ArrayLike<number | bigint | string>;
  const width = rows === 0 ? 0 : data.length / rows;
  const bool = tensor.type === 'bool';
  const out = new Array<PredictionValue>(rows);
  for (let r = 0; r < rows; r++) {
    if (width === 1) out[r] = bool ? data[r] === 1 : plain(data[r]);
    else {
      const values: (string | number | boolean)[] = [];
      for (let c = 0; c < width; c++) values.push(bool ? data[r * width + c] === 1 : plain(data[r * width + c]));
      out[r] = values;
    }
  }
  return out;
}

class OnnxTabularModel implements TabularModel {
  readonly kind = 'onnx';
  readonly inputs: readonly Field[];
  readonly outputColumns: readonly string[];
  private readonly feeds: readonly Feed[];
  /** The outputs to fetch, as the native run takes them. */
  private readonly fetches: Readonly<Record<string, null>>;
  private readonly declaredOutputs: readonly string[];

  constructor(
    private readonly session: OnnxSession,
    private readonly ortModule: Ort,
    signature: OnnxSignature,
    io: IoSchema,
    binding: OnnxInputBinding,
    private readonly classifier: ClassifierOutputs | undefined,
  ) {
    this.inputs = io.inputs;
    const index = new Map(io.inputs.map((f, i) => [f.name, i]));
    const onnxInput = (name: string) => signature.inputs.find((i) => i.name === name)!;
    const feed = (input: OnnxValueInfo, fields: readonly number[]): Feed => {
      const width = fields.reduce((w, f) => w + widthOf(this.inputs[f]), 0);
      const rowDims =
        input.dims.length === 1 ? [] : input.dims.length === 2 ? [width] : (this.inputs[fields[0]].shape ?? []).slice(1).map((d) => (d > 0 ? d : 1));
      return { input, fields, width, rowDims };
    };
    this.feeds =
      binding.kind === 'packed'
        ? [
            feed(
              onnxInput(binding.onnxInput),
              io.inputs.map((_, i) => i),
            ),
          ]
        : binding.inputs.map((b) => feed(onnxInput(b.onnxInput), [index.get(b.field)!]));
    const tensorOutputs = new Set(signature.outputs.filter((o) => o.isTensor).map((o) => o.name));
    this.declaredOutputs = io.outputs.map((f) => f.name).filter((n) => tensorOutputs.has(n));
    if (classifier) {
      // The label is the most probable class, not the model's label output: onnxruntime's two-class tree
      // ensembles can answer a label that disagrees with their own probabilities (seen with 1.30).
      this.fetches = { [classifier.probabilityOutput]: null };
      this.outputColumns = ['label', ...classifier.labels.map((l) => `probability_${l}`)];
    } else {
      this.fetches = Object.fromEntries(this.declaredOutputs.map((name) => [name, null]));
      this.outputColumns = this.declaredOutputs.length === 1 ? ['score'] : this.declaredOutputs;
    }
  }

  async predict(rows: readonly InputRow[]): Promise<Prediction[]> {
    const { Tensor } = this.ortModule;
    const n = rows.length;
    const feeds: Record<string, Tensor> = {};
    for (const { input, fields, width, rowDims } of this.feeds) {
      const dims = [n, ...rowDims];
      feeds[input.name] = new Tensor(input.elementType!, tensorData(input.elementType!, rows, fields, width), dims);
    }
    const results = await this.session.run(feeds, this.fetches);
    if (this.classifier) return this.classify(results, n);
    const columns = this.declaredOutputs.map((name) => rowValues(results[name], n));
    return Array.from({ length: n }, (_, r) =>
      columns.length === 1 ? { score: columns[0][r] } : Object.fromEntries(this.declaredOutputs.map((name, k) => [name, columns[k][r]])),
    );
  }

  private classify(results: Readonly<Record<string, Tensor>>, n: number): Prediction[] {
    const { labels, probabilityOutput } = this.classifier!;
    const probabilities = results[probabilityOutput].data as ArrayLike<number>;
    const classes = labels.length;
    const out = new Array<Prediction>(n);
    for (let r = 0; r < n; r++) {
      const byClass: Record<string, number> = {};
      let best = 0;
      for (let c = 0; c < classes; c++) {
        const p = probabilities[r * classes + c];
        byClass[String(labels[c])] = p;
        if (p > probabilities[r * classes + best]) best = c;
      }
      out[r] = { label: labels[best], probabilities: byClass };
    }
    return out;
  }

  toCsvRow(prediction: Prediction): readonly (string | number | boolean | null)[] {
    const cell = (v: PredictionValue | undefined) => (Array.isArray(v) ? v.join(' ') : ((v as string | number | boolean | null | undefined) ?? null));
    if (this.classifier) {
      const probabilities = prediction.probabilities as Record<string, number>;
      return [cell(prediction.label), ...this.classifier.labels.map((l) => probabilities[String(l)])];
    }
    return this.declaredOutputs.length === 1 ? [cell(prediction.score)] : this.declaredOutputs.map((name) => cell(prediction[name]));
  }

  release(): Promise<void> {
    return this.session.release();
  }
}
