import type { InferenceSession, Tensor } from 'onnxruntime-node';
import { ValidationFailed, type InvalidField } from '../../errors';
import { ARTIFACT_FIELD } from './artifact-problems';
import type { Field, FieldType, IoSchema } from './io-schema';

/**
 * Reads an uploaded ONNX model with onnxruntime-node (the runtime that will
 * serve it, so "loads here" means "loads there"), checks it against the
 * version's declared IoSchema, and runs it once.
 *
 * ## How declared fields bind to ONNX inputs
 *
 * One of two bindings, chosen by names (see {@link chooseInputBinding}):
 *
 * - **named**: when any declared input has the name of an ONNX input, every
 *   declared input must name an ONNX input, and every ONNX input must be fed
 *   by a declared input. A field with no `shape` is one value per row, so its
 *   ONNX input must be `[batch]` or `[batch, 1]`; a field with a `shape` must
 *   have the ONNX input's rank, each dimension equal or dynamic on the model's
 *   side (a `-1` declared against a fixed model dimension is a mismatch,
 *   except a batch dimension fixed at 1).
 * - **packed**: when no declared name matches and the model has exactly one
 *   input, of rank 2 (`[batch, n]`), the declared inputs are its n columns in
 *   declaration order: each must be a scalar (no `shape`) whose type converts
 *   to the tensor's element type, and their count must be n (any count when
 *   n is symbolic). This is how converters export tabular models.
 *
 * Mixing the two (some fields by name, the rest packed) is not supported.
 * Outputs always bind by name; the model may have further outputs
 * (probabilities, labels, ZipMap maps), which are ignored.
 *
 * ## Type compatibility (declared → ONNX element type)
 *
 * Inputs: float, double, int, long and bool feed float32/float64 tensors;
 * int also int32/int64, long also int64; bool also bool; string and category
 * only string tensors. Outputs: float/double ← float32/float64,
 * int ← int8/16/32, uint8/16, long ← those and int64/uint32, bool ← bool,
 * string ← string, category ← string or int32/int64 (class labels).
 */

/** An ONNX input or output as onnxruntime reports it. */
export interface OnnxValueInfo {
  readonly name: string;
  readonly isTensor: boolean;
  /** onnxruntime's element type (`float32`, `int64`, `string`, …); absent for non-tensors. */
  readonly elementType?: Tensor.Type;
  /**
   * Dimensions: a number is a fixed size, a string a symbolic one (`batch`);
   * -1 an unnamed dynamic one. Empty: rank unknown (or a scalar).
   */
  readonly dims: readonly (number | string)[];
}

export interface OnnxSignature {
  readonly inputs: readonly OnnxValueInfo[];
  readonly outputs: readonly OnnxValueInfo[];
}

/** One way the model and the declared schema disagree. `field` is a dotted path (`ioSchema.inputs.2.type`, `artifact.inputs.x`). */
export type OnnxMismatch = InvalidField;

export type OnnxInputBinding =
  | { readonly kind: 'named'; readonly inputs: readonly { readonly field: string; readonly onnxInput: string }[] }
  | { readonly kind: 'packed'; readonly onnxInput: string; readonly fields: readonly string[] };

export interface SmokeRunOutput {
  readonly elementType: Tensor.Type;
  readonly dims: readonly number[];
  /** The values, flattened; int64 values are converted to numbers. */
  readonly values: readonly (number | string | boolean)[];
}

export interface SmokeRunResult {
  /** Every tensor output of the model, by name. */
  readonly outputs: Readonly<Record<string, SmokeRunOutput>>;
  readonly millis: number;
}

export interface SmokeRunOptions {
  /** The value in every cell of the fed tensors (strings get ''; bools get `fillValue !== 0`). Default 0. */
  readonly fillValue?: number;
}

/**
 * Most elements one smoke run feeds (the product of each input's fixed
 * dimensions, dynamic ones taken as 1, summed over inputs): 16 Mi elements,
 * 64 MiB of float32. A model whose fixed input dimensions pass it is refused
 * before anything is allocated for it.
 */
export const MAX_FED_ELEMENTS = 16 * 1024 * 1024;

/** A loaded model; release it when done (native memory). */
export interface OnnxModel {
  readonly signature: OnnxSignature;
  smokeRun(options?: SmokeRunOptions): Promise<SmokeRunResult>;
  release(): Promise<void>;
}

type Ort = typeof import('onnxruntime-node');
let ortModule: Promise<Ort> | undefined;

/** Loaded on first use, so code that only validates rules or container references never loads the native library. */
function ort(): Promise<Ort> {
  ortModule ??= import('onnxruntime-node');
  return ortModule;
}

/** Keeps runtime errors short: onnxruntime prefixes them with source paths that mean nothing to a model author. */
function runtimeReason(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const cleaned = text
    .replace(/\/onnxruntime_src\/\S+\s+\S+\s+/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  return cleaned.length > 400 ? `${cleaned.slice(0, 400)}…` : cleaned;
}

function notLoadable(reason: string, cause?: unknown): ValidationFailed {
  return new ValidationFailed('the artifact is not a loadable ONNX model', [{ field: ARTIFACT_FIELD, problem: `not a loadable ONNX model: ${reason}` }], {
    cause,
  });
}

function valueInfo(meta: InferenceSession.ValueMetadata): OnnxValueInfo {
  return meta.isTensor ? { name: meta.name, isTensor: true, elementType: meta.type, dims: [...meta.shape] } : { name: meta.name, isTensor: false, dims: [] };
}

/**
 * Loads the model from its bytes. A file onnxruntime cannot load is a
 * ValidationFailed on `artifact` ("not a loadable ONNX model: …"), never a crash.
 */
export async function openOnnx(bytes: Uint8Array): Promise<OnnxModel> {
  if (bytes.length === 0) throw notLoadable('the file is empty');
  const { InferenceSession } = await ort();
  let session: InferenceSession;
  try {
    // Severity 4 (fatal only): load and run failures come back as exceptions, which we report; the native log would only duplicate them on stderr.
    // One thread, sequential: a pool's threads cost more to start and join (on release) than these
    // small tabular graphs ever gain from them, and an idle pool spins on the event loop's core.
    session = await InferenceSession.create(bytes, { logSeverityLevel: 4, intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential' });
  } catch (error) {
    throw notLoadable(runtimeReason(error), error);
  }
  const signature: OnnxSignature = { inputs: session.inputMetadata.map(valueInfo), outputs: session.outputMetadata.map(valueInfo) };
  const tooLarge = fedElementsProblem(signature);
  if (tooLarge) {
    await session.release();
    throw new ValidationFailed(`the ONNX model's inputs are too large: ${tooLarge}`, [{ field: ARTIFACT_FIELD, problem: tooLarge }]);
  }
  return {
    signature,
    smokeRun: (options) => smokeRun(session, signature, options ?? {}),
    release: () => session.release(),
  };
}

/**
 * Input and output names, element types and dims of an ONNX model.
 *
 * @example
 * const signature = await inspectOnnx(bytes);
 * signature.inputs[0]; // { name: 'features', isTensor: true, elementType: 'float32', dims: ['batch', 30] }
 */
export async function inspectOnnx(bytes: Uint8Array): Promise<OnnxSignature> {
  const model = await openOnnx(bytes);
  await model.release();
  return model.signature;
}

/**
 * Runs the model once on one row filled with zeros (or `fillValue`), each
 * dynamic dimension taken as 1, and checks every tensor output comes back:
 * catches models that load but cannot run. A failure is a ValidationFailed on
 * `artifact` ("loads but cannot run: …").
 */
export async function smokeRunOnnx(bytes: Uint8Array, options: SmokeRunOptions = {}): Promise<SmokeRunResult> {
  const model = await openOnnx(bytes);
  try {
    return await model.smokeRun(options);
  } finally {
    await model.release();
  }
}

/** Why the fixed input dimensions pass MAX_FED_ELEMENTS, or undefined. */
function fedElementsProblem(signature: OnnxSignature): string | undefined {
  let total = 0;
  for (const input of signature.inputs) {
    if (!input.isTensor) continue;
    const dims = concreteDims(input.dims);
    const elements = dims.reduce((a, b) => a * b, 1);
    total += elements;
    if (elements > MAX_FED_ELEMENTS) {
      return `input '${input.name}' has fixed dimensions [${dims.join(', ')}], ${elements} elements, more than the limit of ${MAX_FED_ELEMENTS} elements fed in a smoke run (maxFedElements)`;
    }
  }
  if (total > MAX_FED_ELEMENTS)
    return `the inputs together take ${total} elements, more than the limit of ${MAX_FED_ELEMENTS} elements fed in a smoke run (maxFedElements)`;
  return undefined;
}

function cannotRun(reason: string, cause?: unknown): ValidationFailed {
  return new ValidationFailed('the ONNX model loads but cannot run', [{ field: ARTIFACT_FIELD, problem: `loads but cannot run: ${reason}` }], { cause });
}

/** Dynamic dimensions (symbolic, -1, or unknown) become 1: one row. */
function concreteDims(dims: readonly (number | string)[]): number[] {
  return dims.map((d) => (typeof d === 'number' && d > 0 ? d : 1));
}

function filledData(type: Tensor.Type, size: number, fill: number): Tensor.DataType | undefined {
  switch (type) {
    case 'float32':
      return new Float32Array(size).fill(fill);
    case 'float64':
      return new Float64Array(size).fill(fill);
    case 'int8':
      return new Int8Array(size).fill(fill);
    case 'uint8':
      return new Uint8Array(size).fill(fill);
    case 'int16':
      return new Int16Array(size).fill(fill);
    case 'uint16':
      return new Uint16Array(size).fill(fill);
    case 'int32':
      return new Int32Array(size).fill(fill);
    case 'uint32':
      return new Uint32Array(size).fill(fill);
    case 'int64':
      return new BigInt64Array(size).fill(BigInt(Math.trunc(fill)));
    case 'uint64':
      return new BigUint64Array(size).fill(BigInt(Math.max(0, Math.trunc(fill))));
    case 'bool':
      return new Uint8Array(size).fill(fill !== 0 ? 1 : 0);
    case 'string':
      return new Array<string>(size).fill('');
    default:
      // float16, bfloat16, int4/uint4, …: not fed by Steward's ONNX runtime.
      return undefined;
  }
}

function plainValues(tensor: Tensor): (number | string | boolean)[] {
  const data = tensor.data as ArrayLike<number | bigint | string>;
  const out: (number | string | boolean)[] = [];
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    out.push(tensor.type === 'bool' ? v === 1 : typeof v === 'bigint' ? Number(v) : v);
  }
  return out;
}

async function smokeRun(session: InferenceSession, signature: OnnxSignature, options: SmokeRunOptions): Promise<SmokeRunResult> {
  const { Tensor } = await ort();
  const fill = options.fillValue ?? 0;
  const feeds: Record<string, Tensor> = {};
  for (const input of signature.inputs) {
    if (!input.isTensor || !input.elementType) throw cannotRun(`input '${input.name}' is not a tensor; Steward feeds tensors only`);
    const dims = concreteDims(input.dims);
    const size = dims.reduce((a, b) => a * b, 1);
    const data = filledData(input.elementType, size, fill);
    if (!data) throw cannotRun(`input '${input.name}' has element type ${input.elementType}, which Steward does not feed`);
    feeds[input.name] = new Tensor(input.elementType, data, dims);
  }
  // Non-tensor outputs (sequences, maps) are not fetched: onnxruntime-node cannot return them, and a declared output is always a tensor.
  const fetches = signature.outputs.filter((o) => o.isTensor).map((o) => o.name);
  if (fetches.length === 0) throw cannotRun('the model has no tensor output');
  const started = performance.now();
  let results: InferenceSession.ReturnType;
  try {
    results = await session.run(feeds, fetches);
  } catch (error) {
    throw cannotRun(runtimeReason(error), error);
  }
  const millis = performance.now() - started;
  const outputs: Record<string, SmokeRunOutput> = {};
  for (const name of fetches) {
    const value = results[name];
    if (!value) throw cannotRun(`output '${name}' was not returned`);
    const tensor = value;
    outputs[name] = { elementType: tensor.type, dims: [...tensor.dims], values: plainValues(tensor) };
  }
  return { outputs, millis };
}

// ---------------------------------------------------------------------------
// Matching the signature to the declared schema

const FLOATING: readonly string[] = ['float32', 'float64'];
const INPUT_TYPES: Record<FieldType, readonly string[]> = {
  float: FLOATING,
  double: FLOATING,
  int: [...FLOATING, 'int32', 'int64'],
  long: [...FLOATING, 'int64'],
  bool: [...FLOATING, 'bool'],
  string: ['string'],
  category: ['string'],
};
const SMALL_INTS = ['int8', 'int16', 'int32', 'uint8', 'uint16'];
const OUTPUT_TYPES: Record<FieldType, readonly string[]> = {
  float: FLOATING,
  double: FLOATING,
  int: SMALL_INTS,
  long: [...SMALL_INTS, 'int64', 'uint32'],
  bool: ['bool'],
  string: ['string'],
  category: ['string', 'int32', 'int64'],
};

function isDynamic(dim: number | string): boolean {
  return typeof dim === 'string' || dim < 0;
}

function showDims(dims: readonly (number | string)[]): string {
  return dims.length === 0 ? 'unknown' : `[${dims.join(', ')}]`;
}

/**
 * Which binding applies (see the module comment): named when any declared
 * input names an ONNX input, packed when none does and the model has a single
 * rank-2 input, named otherwise (so the mismatches name the missing inputs).
 */
export function chooseInputBinding(signature: OnnxSignature, io: IoSchema): OnnxInputBinding {
  const onnxNames = new Set(signature.inputs.map((i) => i.name));
  const anyNamed = io.inputs.some((f) => onnxNames.has(f.name));
  const only = signature.inputs.length === 1 ? signature.inputs[0] : undefined;
  if (!anyNamed && only && only.isTensor && only.dims.length === 2) {
    return { kind: 'packed', onnxInput: only.name, fields: io.inputs.map((f) => f.name) };
  }
  return { kind: 'named', inputs: io.inputs.filter((f) => onnxNames.has(f.name)).map((f) => ({ field: f.name, onnxInput: f.name })) };
}

/** Shape problem of a declared field against an ONNX value, or undefined. */
function shapeProblem(field: Field, value: OnnxValueInfo, role: 'input' | 'output'): string | undefined {
  const dims = value.dims;
  if (dims.length === 0) return undefined; // rank unknown to onnxruntime: nothing to compare
  const where = `the model's ${role} '${value.name}' has shape ${showDims(dims)}`;
  if (!field.shape) {
    const batchOk = isDynamic(dims[0]) || dims[0] === 1;
    const oneWide = dims.length === 1 || (dims.length === 2 && (isDynamic(dims[1]) || dims[1] === 1));
    if (batchOk && oneWide) return undefined;
    return `${where}, but the field is one value per row (expects [batch] or [batch, 1]); declare its shape, or pack the fields`;
  }
  if (field.shape.length !== dims.length) return `${where} (rank ${dims.length}) but the field declares ${showDims(field.shape)} (rank ${field.shape.length})`;
  for (let i = 0; i < dims.length; i++) {
    const declared = field.shape[i];
    const actual = dims[i];
    if (isDynamic(actual)) continue;
    if (declared === actual) continue;
    if (declared === -1 && i === 0 && actual === 1) continue; // a batch of one: the runtime feeds rows singly
    return declared === -1
      ? `${where}: dimension ${i} is fixed at ${actual} in the model but declared as any (-1)`
      : `${where}: dimension ${i} is ${actual} in the model but declared as ${declared}`;
  }
  return undefined;
}

function typeProblem(field: Field, value: OnnxValueInfo, role: 'input' | 'output'): string | undefined {
  if (!value.isTensor || !value.elementType) return `the model's ${role} '${value.name}' is not a tensor`;
  const allowed = (role === 'input' ? INPUT_TYPES : OUTPUT_TYPES)[field.type];
  if (allowed.includes(value.elementType)) return undefined;
  return `declared ${field.type} but the model's ${role} '${value.name}' is ${value.elementType} (${field.type} ${role === 'input' ? 'feeds' : 'reads'} ${allowed.join(', ')})`;
}

function namedInputMismatches(signature: OnnxSignature, io: IoSchema): OnnxMismatch[] {
  const mismatches: OnnxMismatch[] = [];
  const byName = new Map(signature.inputs.map((i) => [i.name, i]));
  const modelNames = signature.inputs.map((i) => `'${i.name}'`).join(', ');
  io.inputs.forEach((field, index) => {
    const value = byName.get(field.name);
    const path = `ioSchema.inputs.${index}`;
    if (!value) {
      mismatches.push({ field: `${path}.name`, problem: `input '${field.name}': the model has no input of that name (its inputs: ${modelNames})` });
      return;
    }
    const typeIssue = typeProblem(field, value, 'input');
    if (typeIssue) mismatches.push({ field: `${path}.type`, problem: `input '${field.name}': ${typeIssue}` });
    const shapeIssue = value.isTensor ? shapeProblem(field, value, 'input') : undefined;
    if (shapeIssue) mismatches.push({ field: `${path}.shape`, problem: `input '${field.name}': ${shapeIssue}` });
  });
  const declared = new Set(io.inputs.map((f) => f.name));
  for (const value of signature.inputs) {
    if (!declared.has(value.name)) {
      mismatches.push({ field: `${ARTIFACT_FIELD}.inputs.${value.name}`, problem: `the model's input '${value.name}' is fed by no declared input field` });
    }
  }
  return mismatches;
}

function packedInputMismatches(value: OnnxValueInfo, io: IoSchema): OnnxMismatch[] {
  const mismatches: OnnxMismatch[] = [];
  const width = value.dims[1];
  const batch = value.dims[0];
  if (!isDynamic(batch) && batch !== 1) {
    mismatches.push({
      field: `${ARTIFACT_FIELD}.inputs.${value.name}`,
      problem: `the model's input '${value.name}' has a batch dimension fixed at ${batch}; rows are fed singly or in batches of any size`,
    });
  }
  if (typeof width === 'number' && width > 0 && width !== io.inputs.length) {
    mismatches.push({
      field: 'ioSchema.inputs',
      problem: `the model's only input '${value.name}' has shape ${showDims(value.dims)}, taking ${width} values per row, but ${io.inputs.length} input field${io.inputs.length === 1 ? ' is' : 's are'} declared`,
    });
  }
  io.inputs.forEach((field, index) => {
    const path = `ioSchema.inputs.${index}`;
    if (field.shape) {
      mismatches.push({
        field: `${path}.shape`,
        problem: `input '${field.name}': packed into column ${index} of '${value.name}', so it must be one value per row (no shape)`,
      });
    }
    const typeIssue = typeProblem(field, value, 'input');
    if (typeIssue) mismatches.push({ field: `${path}.type`, problem: `input '${field.name}' (column ${index} of '${value.name}'): ${typeIssue}` });
  });
  return mismatches;
}

function outputMismatches(signature: OnnxSignature, io: IoSchema): OnnxMismatch[] {
  const mismatches: OnnxMismatch[] = [];
  const byName = new Map(signature.outputs.map((o) => [o.name, o]));
  const modelNames = signature.outputs.map((o) => `'${o.name}'`).join(', ');
  io.outputs.forEach((field, index) => {
    const path = `ioSchema.outputs.${index}`;
    const value = byName.get(field.name);
    if (!value) {
      mismatches.push({ field: `${path}.name`, problem: `output '${field.name}': the model has no output of that name (its outputs: ${modelNames})` });
      return;
    }
    const typeIssue = typeProblem(field, value, 'output');
    if (typeIssue) mismatches.push({ field: `${path}.type`, problem: `output '${field.name}': ${typeIssue}` });
    const shapeIssue = value.isTensor ? shapeProblem(field, value, 'output') : undefined;
    if (shapeIssue) mismatches.push({ field: `${path}.shape`, problem: `output '${field.name}': ${shapeIssue}` });
  });
  return mismatches;
}

/**
 * Every disagreement between the model's signature and the declared schema;
 * empty when they fit. The binding rule and type table are in the module comment.
 */
export function matchOnnxToSchema(signature: OnnxSignature, io: IoSchema): OnnxMismatch[] {
  const binding = chooseInputBinding(signature, io);
  const inputs = binding.kind === 'packed' ? packedInputMismatches(signature.inputs[0], io) : namedInputMismatches(signature, io);
  return [...inputs, ...outputMismatches(signature, io)];
}
