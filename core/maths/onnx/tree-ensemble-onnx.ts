import { onnx } from 'onnx-proto';
import type { GradientBoostedTrees } from '../gradient-boosting';
import { isLeaf } from '../regression-tree';
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
 * Writes a gradient-boosted tree ensemble as ONNX with the ai.onnx.ml
 * operators every runtime ships (opset 3):
 *
 *     classifier: TreeEnsembleClassifier (one score column, LOGISTIC)
 *                 → probabilities [batch, 2] → column 1 = P(class 1)
 *                 label = P(class 1) ≥ 0.5
 *     regressor:  TreeEnsembleRegressor (SUM, base value) → [batch, 1]
 *
 * A node sends a row left ("true" branch) when x[feature] ≤ threshold
 * (BRANCH_LEQ), in float32, as core/maths/regression-tree.ts routes it; leaf
 * weights already include the learning rate; the base value is the initial
 * score. The declared outputs follow as for the linear export.
 */

const ML_DOMAIN = 'ai.onnx.ml';
const ML_OPSET = 3;
const PRODUCER = 'steward-built-in-trainer';
const { AttributeType } = onnx.AttributeProto;

export interface TreeEnsembleOnnxSpec {
  readonly model: GradientBoostedTrees;
  /** The one ONNX input, `[batch, n]` float32. */
  readonly inputName: string;
  readonly outputs: readonly OnnxOutputSpec[];
  readonly graphName?: string;
  readonly docString?: string;
  readonly metadata?: Readonly<Record<string, string>>;
}

const ints = (name: string, values: number[]): onnx.IAttributeProto => ({ name, type: AttributeType.INTS, ints: values });
const floats = (name: string, values: number[]): onnx.IAttributeProto => ({ name, type: AttributeType.FLOATS, floats: values });
const strings = (name: string, values: string[]): onnx.IAttributeProto => ({
  name,
  type: AttributeType.STRINGS,
  strings: values.map((s) => new TextEncoder().encode(s)),
});
const text = (name: string, value: string): onnx.IAttributeProto => ({ name, type: AttributeType.STRING, s: new TextEncoder().encode(value) });

/** The node arrays shared by both operators, and the (tree, node, weight) of every leaf. */
function flattenTrees(model: GradientBoostedTrees) {
  const n = {
    treeIds: [] as number[],
    nodeIds: [] as number[],
    featureIds: [] as number[],
    values: [] as number[],
    modes: [] as string[],
    trueIds: [] as number[],
    falseIds: [] as number[],
  };
  const leaves = { treeIds: [] as number[], nodeIds: [] as number[], weights: [] as number[] };
  model.trees.forEach((tree, t) => {
    tree.nodes.forEach((node, id) => {
      n.treeIds.push(t);
      n.nodeIds.push(id);
      if (isLeaf(node)) {
        n.featureIds.push(0);
        n.values.push(0);
        n.modes.push('LEAF');
        n.trueIds.push(0);
        n.falseIds.push(0);
        leaves.treeIds.push(t);
        leaves.nodeIds.push(id);
        leaves.weights.push(node.value);
      } else {
        n.featureIds.push(node.feature);
        n.values.push(node.threshold);
        n.modes.push('BRANCH_LEQ');
        n.trueIds.push(node.left);
        n.falseIds.push(node.right);
      }
    });
  });
  return { n, leaves };
}

function checkSpec(spec: TreeEnsembleOnnxSpec): void {
  const { model } = spec;
  if (model.trees.length === 0) throw invalidModel('no trees');
  if (model.featureCount < 1) throw invalidModel('no features');
  const numbers = [model.baseScore, ...model.trees.flatMap((t) => t.nodes.map((node) => (isLeaf(node) ? node.value : node.threshold)))];
  if (numbers.some((v) => !Number.isFinite(v))) throw invalidModel('a threshold or leaf value is not a finite number');
  checkOutputNames(spec.inputName, spec.outputs, { allowed: model.loss === 'log-loss', holder: 'a classifier' });
}

/**
 * The ONNX bytes of a trained gradient-boosted classifier or regressor.
 *
 * @example
 * const bytes = exportTreeEnsembleToOnnx({ model, inputName: 'features',
 *   outputs: [{ name: 'probability', role: 'score', elementType: 'float32', rank: 2 }] });
 */
export function exportTreeEnsembleToOnnx(spec: TreeEnsembleOnnxSpec): Uint8Array {
  checkSpec(spec);
  const { model } = spec;
  const v = internal;
  const { n, leaves } = flattenTrees(model);
  const structure = [
    ints('nodes_treeids', n.treeIds),
    ints('nodes_nodeids', n.nodeIds),
    ints('nodes_featureids', n.featureIds),
    floats('nodes_values', n.values),
    strings('nodes_modes', n.modes),
    ints('nodes_truenodeids', n.trueIds),
    ints('nodes_falsenodeids', n.falseIds),
  ];
  const nodes: onnx.INodeProto[] = [];
  const initializer: onnx.ITensorProto[] = [];
  const classifier = model.loss === 'log-loss';
  if (classifier) {
    nodes.push({
      opType: 'TreeEnsembleClassifier',
      domain: ML_DOMAIN,
      input: [spec.inputName],
      output: [v('tree_label'), v('probabilities')],
      name: v('trees'),
      attribute: [
        ...structure,
        ints('class_treeids', leaves.treeIds),
        ints('class_nodeids', leaves.nodeIds),
        ints(
          'class_ids',
          leaves.treeIds.map(() => 0),
        ),
        floats('class_weights', leaves.weights),
        ints('classlabels_int64s', [0, 1]),
        floats('base_values', [model.baseScore]),
        text('post_transform', 'LOGISTIC'),
      ],
    });
    // Column 1 of [batch, 2] probabilities, kept 2-D: P(class 1) as [batch, 1].
    initializer.push({ name: v('class_1'), dataType: DataType.INT64, dims: [1], int64Data: [1] });
    nodes.push({
      opType: 'Gather',
      input: [v('probabilities'), v('class_1')],
      output: [v('probability')],
      name: v('positive_column'),
      attribute: [{ name: 'axis', type: AttributeType.INT, i: 1 }],
    });
    if (spec.outputs.some((o) => o.role === 'label')) {
      initializer.push(floatTensor(v('half'), [1], [0.5]));
      nodes.push({ opType: 'GreaterOrEqual', input: [v('probability'), v('half')], output: [v('positive')], name: v('threshold') });
    }
  } else {
    nodes.push({
      opType: 'TreeEnsembleRegressor',
      domain: ML_DOMAIN,
      input: [spec.inputName],
      output: [v('prediction')],
      name: v('trees'),
      attribute: [
        ...structure,
        ints('target_treeids', leaves.treeIds),
        ints('target_nodeids', leaves.nodeIds),
        ints(
          'target_ids',
          leaves.treeIds.map(() => 0),
        ),
        floats('target_weights', leaves.weights),
        { name: 'n_targets', type: AttributeType.INT, i: 1 },
        floats('base_values', [model.baseScore]),
        text('aggregate_function', 'SUM'),
        text('post_transform', 'NONE'),
      ],
    });
  }
  const tail = declaredOutputs(spec.outputs, { score: classifier ? v('probability') : v('prediction'), label: v('positive') });
  nodes.push(...tail.nodes);
  initializer.push(...tail.initializer);
  const kind = classifier ? 'gradient-boosted trees classifier' : 'gradient-boosted trees regressor';
  const onnxModel = onnx.ModelProto.create({
    irVersion: IR_VERSION,
    producerName: PRODUCER,
    producerVersion: '1',
    docString: spec.docString ?? `${kind}: ${model.trees.length} trees over ${model.featureCount} features`,
    opsetImport: [
      { domain: '', version: OPSET },
      { domain: ML_DOMAIN, version: ML_OPSET },
    ],
    metadataProps: Object.entries(spec.metadata ?? {}).map(([key, value]) => ({ key, value })),
    graph: {
      name: spec.graphName ?? (classifier ? 'gradient_boosting_classifier' : 'gradient_boosting_regressor'),
      node: nodes,
      initializer,
      input: [valueInfo(spec.inputName, DataType.FLOAT, ['batch', model.featureCount])],
      output: tail.outputs,
    },
  });
  return onnx.ModelProto.encode(onnxModel).finish();
}
