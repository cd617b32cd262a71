import { onnx } from 'onnx-proto';
import { ValidationFailed } from '../../errors';

/**
 * Pieces every ONNX writer of the built-in trainers shares: value and tensor
 * protos, the reserved prefix of intermediate names, and the tail of the
 * graph that turns the model's score (float32) and label (bool) into the
 * outputs the catalog model declares (element type, `[batch]` or `[batch, 1]`).
 */

export const { DataType } = onnx.TensorProto;
export const IR_VERSION = 8;
export const OPSET = 13;

export type OnnxOutputElementType = 'float32' | 'float64' | 'int32' | 'int64' | 'bool';

export interface OnnxOutputSpec {
  readonly name: string;
  /** `score`: P(class 1) for a classifier, the prediction for a regressor; `label`: 1 when P ≥ 0.5 (classifiers only). */
  readonly role: 'score' | 'label';
  readonly elementType: OnnxOutputElementType;
  /** 1: `[batch]`; 2: `[batch, 1]`. */
  readonly rank: 1 | 2;
}

export const ELEMENT_TYPES: Record<OnnxOutputElementType, number> = {
  float32: DataType.FLOAT,
  float64: DataType.DOUBLE,
  int32: DataType.INT32,
  int64: DataType.INT64,
  bool: DataType.BOOL,
};

/** Intermediate value names; a prefix no declared field can collide with in practice, checked anyway. */
export const INTERNAL = 'steward__';
export const internal = (name: string) => `${INTERNAL}${name}`;

export function valueInfo(name: string, elemType: number, dims: readonly (number | string)[]): onnx.IValueInfoProto {
  return {
    name,
    type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
  };
}

export function floatTensor(name: string, dims: readonly number[], values: readonly number[]): onnx.ITensorProto {
  return { name, dataType: DataType.FLOAT, dims: [...dims], floatData: [...values] };
}

export function int64Tensor(name: string, dims: readonly number[], values: readonly number[]): onnx.ITensorProto {
  return { name, dataType: DataType.INT64, dims: [...dims], int64Data: [...values] };
}

export function invalidModel(problem: string): ValidationFailed {
  return new ValidationFailed(`cannot export the model as ONNX: ${problem}`, [{ field: 'model', problem }]);
}

/** Declared names are unique, none uses the reserved prefix, and only a classifier declares a label. */
export function checkOutputNames(inputName: string, outputs: readonly OnnxOutputSpec[], label: { readonly allowed: boolean; readonly holder: string }): void {
  if (outputs.length === 0) throw invalidModel('no outputs');
  if (inputName.startsWith(INTERNAL)) throw invalidModel(`'${inputName}' uses the reserved prefix ${INTERNAL}`);
  const names = new Set<string>([inputName]);
  for (const output of outputs) {
    if (names.has(output.name)) throw invalidModel(`the value name '${output.name}' is used twice`);
    if (output.name.startsWith(INTERNAL)) throw invalidModel(`'${output.name}' uses the reserved prefix ${INTERNAL}`);
    names.add(output.name);
    if (output.role === 'label' && !label.allowed) throw invalidModel(`output '${output.name}': only ${label.holder} has a label`);
  }
}

/**
 * Nodes (and the one initializer they need) from the model's `[batch, 1]`
 * float32 score and bool label to each declared output: a Cast when the
 * element type differs, a Squeeze for `[batch]`, else an Identity.
 */
export function declaredOutputs(
  outputs: readonly OnnxOutputSpec[],
  sources: { readonly score: string; readonly label?: string },
): { nodes: onnx.INodeProto[]; initializer: onnx.ITensorProto[]; outputs: onnx.IValueInfoProto[] } {
  const v = internal;
  const nodes: onnx.INodeProto[] = [];
  const initializer: onnx.ITensorProto[] = [];
  if (outputs.some((o) => o.rank === 1)) initializer.push(int64Tensor(v('axis_1'), [1], [1]));
  const infos: onnx.IValueInfoProto[] = [];
  for (const output of outputs) {
    const source = output.role === 'score' ? { name: sources.score, type: 'float32' as const } : { name: sources.label ?? '', type: 'bool' as const };
    let current = source.name;
    const steps: Array<(input: string, out: string) => onnx.INodeProto> = [];
    if (output.elementType !== source.type) {
      steps.push((input, out) => ({
        opType: 'Cast',
        input: [input],
        output: [out],
        name: v(`cast_${output.name}`),
        attribute: [{ name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: ELEMENT_TYPES[output.elementType] }],
      }));
    }
    if (output.rank === 1) steps.push((input, out) => ({ opType: 'Squeeze', input: [input, v('axis_1')], output: [out], name: v(`squeeze_${output.name}`) }));
    if (steps.length === 0) steps.push((input, out) => ({ opType: 'Identity', input: [input], output: [out], name: v(`output_${output.name}`) }));
    steps.forEach((make, i) => {
      const out = i === steps.length - 1 ? output.name : v(`${output.name}_${i}`);
      nodes.push(make(current, out));
      current = out;
    });
    infos.push(valueInfo(output.name, ELEMENT_TYPES[output.elementType], output.rank === 1 ? ['batch'] : ['batch', 1]));
  }
  return { nodes, initializer, outputs: infos };
}
