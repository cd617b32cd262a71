/**
 * Places a lineage graph (GET …/lineage) in columns by kind, left to right in the
 * order data flows: datasets → run → version → evaluations → approvals → deployments.
 * Pure: the SVG component draws what this returns.
 */
export interface LineageNode {
  readonly id: string;
  readonly kind: string;
  readonly label: string;
  readonly attributes: Record<string, unknown>;
}
export interface LineageEdge {
  readonly from: string;
  readonly to: string;
  readonly relation: string;
}

/** Batch jobs read datasets or folders (`objects`), maybe on a schedule, and write `outputs`. */
export const KIND_ORDER = ['dataset', 'objects', 'schedule', 'execution', 'run', 'version', 'evaluation', 'approval', 'batch-job', 'deployment', 'outputs'];

export interface PlacedNode extends LineageNode {
  readonly x: number;
  readonly y: number;
  readonly column: number;
}

export interface Layout {
  readonly nodes: PlacedNode[];
  readonly edges: (LineageEdge & { readonly x1: number; readonly y1: number; readonly x2: number; readonly y2: number })[];
  readonly width: number;
  readonly height: number;
}

export const NODE_WIDTH = 168;
export const NODE_HEIGHT = 48;
const COLUMN_GAP = 56;
const ROW_GAP = 20;
const MARGIN = 16;

function columnOf(kind: string): number {
  const i = KIND_ORDER.findIndex((k) => kind.startsWith(k));
  return i === -1 ? KIND_ORDER.length : i;
}

export function layoutLineage(graph: { nodes: readonly LineageNode[]; edges: readonly LineageEdge[] }): Layout {
  const used = [...new Set(graph.nodes.map((n) => columnOf(n.kind)))].sort((a, b) => a - b);
  const rowsInColumn = new Map<number, number>();
  const placed = graph.nodes.map((n) => {
    const column = used.indexOf(columnOf(n.kind));
    const row = rowsInColumn.get(column) ?? 0;
    rowsInColumn.set(column, row + 1);
    return { ...n, column, x: MARGIN + column * (NODE_WIDTH + COLUMN_GAP), y: MARGIN + row * (NODE_HEIGHT + ROW_GAP) };
  });
  const byId = new Map(placed.map((n) => [n.id, n]));
  const edges = graph.edges.flatMap((e) => {
    const a = byId.get(e.from);
    const b = byId.get(e.to);
    if (!a || !b) return [];
    const [left, right] = a.x <= b.x ? [a, b] : [b, a];
    return [{ ...e, x1: left.x + NODE_WIDTH, y1: left.y + NODE_HEIGHT / 2, x2: right.x, y2: right.y + NODE_HEIGHT / 2 }];
  });
  const maxRows = Math.max(1, ...rowsInColumn.values());
  return {
    nodes: placed,
    edges,
    width: MARGIN * 2 + Math.max(1, used.length) * NODE_WIDTH + Math.max(0, used.length - 1) * COLUMN_GAP,
    height: MARGIN * 2 + maxRows * NODE_HEIGHT + (maxRows - 1) * ROW_GAP,
  };
}
