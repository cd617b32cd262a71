/**
 * A binary regression tree over float32 feature values, as ONNX tree
 * ensembles evaluate them: a row goes left when `fround(x[feature]) ≤
 * threshold` (thresholds are float32 values), so the tree routes a row in
 * TypeScript exactly as onnxruntime does. NaN goes right (ONNX's default
 * `missing_value_tracks_true = 0`).
 */
export type TreeNode = { readonly feature: number; readonly threshold: number; readonly left: number; readonly right: number } | { readonly value: number };

export interface RegressionTree {
  /** Node 0 is the root; children always come after their parent. */
  readonly nodes: readonly TreeNode[];
}

export function isLeaf(node: TreeNode): node is { readonly value: number } {
  return 'value' in node;
}

export function treeValue(tree: RegressionTree, row: readonly number[]): number {
  let node = tree.nodes[0];
  while (!isLeaf(node)) node = tree.nodes[Math.fround(row[node.feature]) <= node.threshold ? node.left : node.right];
  return node.value;
}

export interface TreeGrowthOptions {
  readonly maxDepth: number;
  readonly minSamplesLeaf: number;
  /** The value a leaf holds, from the sums over its rows (e.g. a mean, or a Newton step). */
  readonly leafValue: (gradientSum: number, hessianSum: number, count: number) => number;
}

/**
 * Feature columns in float32 with, per feature, every row's index in
 * ascending order of its value: sorted once per fit, reused by every tree.
 */
export interface SortedColumns {
  readonly columns: Float64Array[];
  readonly order: Int32Array[];
}

export function sortColumns(x: readonly (readonly number[])[]): SortedColumns {
  const p = x[0]?.length ?? 0;
  const columns = Array.from({ length: p }, (_, j) => Float64Array.from(x, (row) => Math.fround(row[j])));
  const order = columns.map((column) => Int32Array.from(Array.from({ length: column.length }, (_, i) => i).sort((a, b) => column[a] - column[b] || a - b)));
  return { columns, order };
}

/**
 * Grows one tree on the rows in `rows` (indices), fitting `target` by least
 * squares (each split maximises the reduction of the squared error of the
 * target), depth first, to at most `maxDepth` with at least `minSamplesLeaf`
 * rows per leaf. A split threshold lies between two distinct float32 values.
 */
export function growTree(
  sorted: SortedColumns,
  rows: readonly number[],
  target: Float64Array,
  hessian: Float64Array,
  options: TreeGrowthOptions,
): RegressionTree {
  const nodes: TreeNode[] = [];
  const member = new Uint8Array(target.length);
  const grow = (subset: number[], depth: number): number => {
    const index = nodes.length;
    nodes.push({ value: 0 });
    let sum = 0;
    let hessianSum = 0;
    for (const i of subset) {
      sum += target[i];
      hessianSum += hessian[i];
    }
    const split =
      depth < options.maxDepth && subset.length >= 2 * options.minSamplesLeaf
        ? bestSplit(sorted, subset, target, sum, member, options.minSamplesLeaf)
        : undefined;
    if (!split) {
      nodes[index] = { value: options.leafValue(sum, hessianSum, subset.length) };
      return index;
    }
    const column = sorted.columns[split.feature];
    const leftRows = subset.filter((i) => column[i] <= split.threshold);
    const rightRows = subset.filter((i) => !(column[i] <= split.threshold));
    const left = grow(leftRows, depth + 1);
    const right = grow(rightRows, depth + 1);
    nodes[index] = { feature: split.feature, threshold: split.threshold, left, right };
    return index;
  };
  grow([...rows], 0);
  return { nodes };
}

function bestSplit(
  sorted: SortedColumns,
  subset: readonly number[],
  target: Float64Array,
  total: number,
  member: Uint8Array,
  minLeaf: number,
): { feature: number; threshold: number } | undefined {
  const n = subset.length;
  for (const i of subset) member[i] = 1;
  // Gain of a split = SL²/nL + SR²/nR − S²/n, the drop in squared error around the means.
  const parent = (total * total) / n;
  let best: { feature: number; threshold: number; gain: number } | undefined;
  for (let j = 0; j < sorted.columns.length; j++) {
    const column = sorted.columns[j];
    const order = sorted.order[j];
    let leftCount = 0;
    let leftSum = 0;
    let previous = Number.NaN;
    for (let k = 0; k < order.length; k++) {
      const i = order[k];
      if (member[i] === 0) continue;
      const value = column[i];
      if (leftCount >= minLeaf && n - leftCount >= minLeaf && value > previous) {
        const rightSum = total - leftSum;
        const gain = (leftSum * leftSum) / leftCount + (rightSum * rightSum) / (n - leftCount) - parent;
        if (gain > 1e-12 * Math.max(1, Math.abs(parent)) && (!best || gain > best.gain)) best = { feature: j, threshold: splitPoint(previous, value), gain };
      }
      leftCount++;
      leftSum += target[i];
      previous = value;
    }
  }
  for (const i of subset) member[i] = 0;
  return best ? { feature: best.feature, threshold: best.threshold } : undefined;
}

/** A float32 threshold t with low ≤ t < high, for float32 values low < high: the midpoint when it rounds between them. */
function splitPoint(low: number, high: number): number {
  const middle = Math.fround(low / 2 + high / 2);
  return middle >= low && middle < high ? middle : low;
}
