import { onnx } from 'onnx-proto';

/**
 * What the serving runtime needs to know about an ONNX graph beyond its
 * signature, read from the model itself:
 *
 * - **ZipMap**: converters (sklearn-onnx's default) end classifiers with a
 *   ZipMap, whose output is a sequence of maps, which onnxruntime-node cannot
 *   return ("Non tensor type is temporarily not supported"). Each ZipMap that
 *   produces a graph output is turned into an Identity, so the output becomes
 *   the `[N, classes]` probability tensor it zipped, under the same name, and
 *   its class labels are kept.
 * - **classifiers**: an ai.onnx.ml `*Classifier` node (TreeEnsemble, Linear,
 *   SVM, …) whose label output and score output are graph outputs (directly,
 *   or the scores through a ZipMap): the model is served as a classifier,
 *   answering a label and a probability per class.
 */

export interface ClassifierOutputs {
  /** Graph output with the predicted label per row, if the graph exposes it. */
  readonly labelOutput?: string;
  /** Graph output with one probability (score) per class: `[N, classes]`. */
  readonly probabilityOutput: string;
  /** Class labels, in the column order of `probabilityOutput`. */
  readonly labels: readonly (string | number)[];
}

export interface ServableGraph {
  /** The bytes to load: the upload itself, or the rewritten graph when a ZipMap was replaced. */
  readonly bytes: Uint8Array;
  readonly classifier?: ClassifierOutputs;
}

const ML_DOMAIN = 'ai.onnx.ml';

function attribute(node: onnx.INodeProto, name: string): onnx.IAttributeProto | undefined {
  return node.attribute?.find((a) => a.name === name);
}

function labelsOf(node: onnx.INodeProto): (string | number)[] | undefined {
  const strings = attribute(node, 'classlabels_strings')?.strings;
  if (strings && strings.length > 0) return strings.map((s) => new TextDecoder().decode(s));
  const ints = attribute(node, 'classlabels_int64s')?.ints ?? attribute(node, 'classlabels_ints')?.ints;
  if (ints && ints.length > 0) return ints.map((i) => Number(String(i)));
  return undefined;
}

/** Reads (and, for ZipMap, rewrites) a model; bytes that do not decode are passed through for onnxruntime to refuse with its own reason. */
export function servableGraph(bytes: Uint8Array): ServableGraph {
  let model: onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch {
    return { bytes };
  }
  const graph = model.graph;
  if (!graph) return { bytes };
  const graphOutputs = new Set((graph.output ?? []).map((o) => o.name));
  const zipped = new Map<string, { output: string; labels?: (string | number)[] }>();
  for (const node of graph.node ?? []) {
    if (node.opType !== 'ZipMap' || node.domain !== ML_DOMAIN) continue;
    const output = node.output?.[0];
    const input = node.input?.[0];
    if (!output || !input || !graphOutputs.has(output)) continue;
    zipped.set(input, { output, labels: labelsOf(node) });
    node.opType = 'Identity';
    node.domain = '';
    node.attribute = [];
    const info = graph.output!.find((o) => o.name === output)!;
    info.type = { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: [{ dimParam: 'N' }, {}] } } };
  }
  let classifier: ClassifierOutputs | undefined;
  for (const node of graph.node ?? []) {
    if (node.domain !== ML_DOMAIN || !node.opType?.endsWith('Classifier')) continue;
    const [label, scores] = node.output ?? [];
    if (!scores) continue;
    const zip = zipped.get(scores);
    const probabilityOutput = zip?.output ?? (graphOutputs.has(scores) ? scores : undefined);
    const labels = zip?.labels ?? labelsOf(node);
    if (!probabilityOutput || !labels) continue;
    classifier = { probabilityOutput, labels, ...(label && graphOutputs.has(label) ? { labelOutput: label } : {}) };
    break;
  }
  if (!classifier && zipped.size === 1) {
    // A ZipMap after something that is not an ai.onnx.ml classifier (a network's softmax): still a classifier.
    const [{ output, labels }] = [...zipped.values()];
    if (labels) classifier = { probabilityOutput: output, labels };
  }
  return { bytes: zipped.size > 0 ? onnx.ModelProto.encode(model).finish() : bytes, classifier };
}
