import { onnx } from 'onnx-proto';
import {
  checkOutputNames,
  DataType,
  declaredOutputs,
  floatTensor,
  internal,
  invalidModel,
  IR_VERSION,
  type OnnxOutputSpec,
  OPSET,
  valueInfo,
} from './onnx-graph-parts';

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

const PRODUCER = 'steward-built-in-trainer';

export type { OnnxOutputElementType, OnnxOutputSpec } from './onnx-graph-parts';

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

function checkSpec(spec: LinearOnnxSpec): void {
  const n = spec.coefficients.length;
  if (n === 0) throw invalidModel('no coefficients');
  if (spec.center.length !== n || spec.scale.length !== n)
    throw invalidModel(`center/scale have ${spec.center.length}/${spec.scale.length} values for ${n} coefficients`);
  const numbers = [...spec.center, ...spec.scale, ...spec.coefficients, spec.intercept];
  if (numbers.some((v) => !Number.isFinite(v))) throw invalidModel('a parameter is not a finite number');
  if (spec.scale.some((s) => s <= 0)) throw invalidModel('a scale is not positive');
  checkOutputNames(spec.inputName, spec.outputs, { allowed: spec.kind === 'logistic', holder: 'a logistic model' });
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
  const v = internal;
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
  const tail = declaredOutputs(spec.outputs, { score, label: v('positive') });
  nodes.push(...tail.nodes);
  initializer.push(...tail.initializer);
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
      output: tail.outputs,
    },
  });
  return onnx.ModelProto.encode(model).finish();
}
