import { onnx } from 'onnx-proto';
import { ValidationFailed } from '../../errors';

/**
 * Writes the built-in trainers' linear models as ONNX, the catalog's artifact
 * format, so a trained version is served, validated and scored like any
 * imported one. The graph takes one packed float input `[batch, n]` and
 * keeps the standardisation as explicit nodes (exact in float32, and
 * readable: the centres and scales are initializers next to the weights):
 *
 *     standardized = (features − center) / scale
 *     linear       = standardized · W + b                       [batch, 1]
 *     score        = sigmoid(linear)  (logistic) | linear (least squares)
 *     label        = linear ≥ 0  ⇔  score ≥ 0.5                  (logistic only)
 *
 * Each declared output is the score or the label, cast to its element type
 * and, for `[batch]` outputs, squeezed. Opset 13, IR 8: loadable by any
 * onnxruntime in use.
 */

const { DataType } = onnx.TensorProto;
const OPSET = 13;
const IR_VERSION = 8;
const PRODUCER = 'steward-built-in-trainer';

export type OnnxOutputElementType = 'float32' | 'float64' | 'int32' | 'int64' | 'bool';

export interface OnnxOutputSpec {
  readonly name: string;
  /** `score`: P(class 1) for logistic, the prediction for linear; `label`: 1 when P ≥ 0.5 (logistic only). */
  readonly role: 'score' | 'label';
  readonly elementType: OnnxOutputElementType;
  /** 1: `[batch]`; 2: `[batch, 1]`. */
  readonly rank: 1 | 2;
}

export interface LinearOnnxSpec {
  readonly kind: 'logistic' | 'linear';
  /** The one ONNX input, `[batch, n]` float32. */
  readonly inputName: string;
  /** Standardisation of each input column (length n); scale > 0. */
  readonly center: readonly number[];
  readonly scale: readonly number[];
  /** Coefficients on the standardised columns (length n). */
  readonly coefficients: readonly number[];
  readonly intercept: number;
  readonly outputs: readonly OnnxOutputSpec[];
  readonly graphName?: string;
  readonly docString?: string;
  /** Kept in the model's metadata_props (e.g. feature names, target, lineage). */
  readonly metadata?: Readonly<Record<string, string>>;
}

const ELEMENT_TYPES: Record<OnnxOutputElementType, number> = {
  float32: DataType.FLOAT,
  float64: DataType.DOUBLE,
  int32: DataType.INT32,
  int64: DataType.INT64,
  bool: DataType.BOOL,
};

/** Intermediate value names; a prefix no declared field can collide with in practice, checked anyway. */
const INTERNAL = 'steward__';

function valueInfo(name: string, elemType: number, dims: readonly (number | string)[]): onnx.IValueInfoProto {
  return {
    name,
    type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
  };
}

function floatTensor(name: string, dims: readonly number[], values: readonly number[]): onnx.ITensorProto {
  return { name, dataType: DataType.FLOAT, dims: [...dims], floatData: [...values] };
}

function int64Tensor(name: string, dims: readonly number[], values: readonly number[]): onnx.ITensorProto {
  return { name, dataType: DataType.INT64, dims: [...dims], int64Data: [...values] };
}

function invalid(problem: string): ValidationFailed {
  return new ValidationFailed(`cannot export the model as ONNX: ${problem}`, [{ field: 'model', problem }]);
}

function checkSpec(spec: LinearOnnxSpec): void {
  const n = spec.coefficients.length;
  if (n === 0) throw invalid('no coefficients');
  if (spec.center.length !== n || spec.scale.length !== n) throw invalid(`center/scale have ${spec.center.length}/${spec.scale.length} values for ${n} coefficients`);
  const numbers = [...spec.center, ...spec.scale, ...spec.coefficients, spec.intercept];
  if (numbers.some((v) => !Number.isFinite(v))) throw invalid('a parameter is not a finite number');
  if (spec.scale.some((s) => s <= 0)) throw invalid('a scale is not positive');
  if (spec.outputs.length === 0) throw invalid('no outputs');
  const names = new Set<string>([spec.inputName]);
  for (const output of spec.outputs) {
    if (names.has(output.name)) throw invalid(`the value name '${output.name}' is used twice`);
    if (output.name.startsWith(INTERNAL)) throw invalid(`'${output.name}' uses the reserved prefix ${INTERNAL}`);
    names.add(output.name);
    if (output.role === 'label' && spec.kind !== 'logistic') throw invalid(`output '${output.name}': only a logistic model has a label`);
  }
  if (spec.inputName.startsWith(INTERNAL)) throw invalid(`'${spec.inputName}' uses the reserved prefix ${INTERNAL}`);
}

/**
 * The ONNX bytes of a trained linear or logistic model.
 *
 * @example
 * const bytes = exportLinearModelToOnnx({
 *   kind: 'logistic', inputName: 'features', center, scale, coefficients, intercept,
 *   outputs: [{ name: 'probability', role: 'score', elementType: 'float32', rank: 2 }],
 * });
 */
export function exportLinearModelToOnnx(spec: LinearOnnxSpec): Uint8Array {
  checkSpec(spec);
  const n = spec.coefficients.length;
  const v = (name: string) => `${INTERNAL}${name}`;
  const nodes: onnx.INodeProto[] = [
    { opType: 'Sub', input: [spec.inputName, v('center')], output: [v('centered')], name: v('center_features') },
    { opType: 'Div', input: [v('centered'), v('scale')], output: [v('standardized')], name: v('scale_features') },
    { opType: 'MatMul', input: [v('standardized'), v('weights')], output: [v('weighted')], name: v('apply_weights') },
    { opType: 'Add', input: [v('weighted'), v('intercept')], output: [v('linear')], name: v('add_intercept') },
  ];
  const initializer: onnx.ITensorProto[] = [
    floatTensor(v('center'), [n], spec.center),
    floatTensor(v('scale'), [n], spec.scale),
    floatTensor(v('weights'), [n, 1], spec.coefficients),
    floatTensor(v('intercept'), [1], [spec.intercept]),
  ];
  let score = v('linear');
  if (spec.kind === 'logistic') {
    nodes.push({ opType: 'Sigmoid', input: [v('linear')], output: [v('probability')], name: v('sigmoid') });
    score = v('probability');
  }
  if (spec.outputs.some((o) => o.role === 'label')) {
    initializer.push(floatTensor(v('zero'), [1], [0]));
    nodes.push({ opType: 'GreaterOrEqual', input: [v('linear'), v('zero')], output: [v('positive')], name: v('threshold') });
  }
  if (spec.outputs.some((o) => o.rank === 1)) initializer.push(int64Tensor(v('axis_1'), [1], [1]));
  const outputs: onnx.IValueInfoProto[] = [];
  for (const output of spec.outputs) {
    const source = output.role === 'score' ? { name: score, type: 'float32' as const } : { name: v('positive'), type: 'bool' as const };
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
    outputs.push(valueInfo(output.name, ELEMENT_TYPES[output.elementType], output.rank === 1 ? ['batch'] : ['batch', 1]));
  }
  const model = onnx.ModelProto.create({
    irVersion: IR_VERSION,
    producerName: PRODUCER,
    producerVersion: '1',
    docString: spec.docString ?? `${spec.kind === 'logistic' ? 'logistic regression' : 'least squares'} over ${n} standardised features`,
    opsetImport: [{ domain: '', version: OPSET }],
    metadataProps: Object.entries(spec.metadata ?? {}).map(([key, value]) => ({ key, value })),
    graph: {
      name: spec.graphName ?? (spec.kind === 'logistic' ? 'logistic_regression' : 'linear_regression'),
      node: nodes,
      initializer,
      input: [valueInfo(spec.inputName, DataType.FLOAT, ['batch', n])],
      output: outputs,
    },
  });
  return onnx.ModelProto.encode(model).finish();
}
