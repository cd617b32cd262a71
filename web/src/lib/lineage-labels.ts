import type { LineageEdge, LineageNode } from './lineage-layout';

/**
 * Lineage as a reader names it: datasets and versions by name and version
 * ("breast-cancer v1"), not by id. The API's lineage labels carry ids where the
 * catalog does not denormalize names, so the console looks the names up and
 * relabels; a name not (yet) known keeps the API's label.
 */

/** Names the console knows: model names by model id, dataset names by dataset id. */
export interface LineageNames {
  readonly models?: Readonly<Record<string, string>>;
  readonly datasets?: Readonly<Record<string, string>>;
}

function idParts(id: string): { kind: string; rest: string } {
  const colon = id.indexOf(':');
  return { kind: id.slice(0, colon), rest: id.slice(colon + 1) };
}

/** The dataset and model ids a graph names, to look their names up. */
export function lineageIds(nodes: readonly { id: string }[]): { datasets: string[]; models: string[] } {
  const datasets = new Set<string>();
  const models = new Set<string>();
  for (const node of nodes) {
    const { kind, rest } = idParts(node.id);
    const [id = ''] = rest.split('/');
    if (kind === 'dataset' && id) datasets.add(id);
    if (kind === 'version' && id) models.add(id);
  }
  return { datasets: [...datasets].sort(), models: [...models].sort() };
}

/** One node's label: datasets and versions by name and version, folders, jobs and schedules by what they are. */
export function lineageLabel(node: { id: string; label?: string }, names: LineageNames = {}): string {
  const { kind, rest } = idParts(node.id);
  const [id = '', version = ''] = rest.split('/');
  if (kind === 'dataset') {
    const name = names.datasets?.[id];
    return name ? `${name} v${version}` : (node.label ?? `dataset ${id} v${version}`);
  }
  if (kind === 'version') {
    const name = names.models?.[id];
    return name ? `${name} v${version}` : (node.label ?? `model ${id} v${version}`);
  }
  if (node.label) return node.label;
  if (kind === 'objects') return `folder ${rest}`;
  if (kind === 'batch-job') return `batch job ${rest}`;
  if (kind === 'schedule') return `schedule ${rest}`;
  return node.id;
}

/** A graph with every node relabelled by name. */
export function labelLineage<G extends { nodes: readonly LineageNode[] }>(graph: G, names: LineageNames): G {
  return { ...graph, nodes: graph.nodes.map((n) => ({ ...n, label: lineageLabel(n, names) })) };
}

/**
 * A batch job's lineage (GET /batch-jobs/{jobId}: nodes without labels) as a
 * drawable graph: input → version → job → outputs. The output folder is its
 * own kind so it is drawn right of the job rather than beside the input folder.
 */
export function jobLineageGraph(
  jobId: string,
  lineage: { nodes: readonly { id: string; kind: string }[]; edges: readonly LineageEdge[] },
  names: LineageNames,
): { root: string; nodes: LineageNode[]; edges: LineageEdge[] } {
  const outputs = new Set(lineage.edges.filter((e) => e.relation === 'wrote').map((e) => e.to));
  const nodes = lineage.nodes.map((n) => ({
    id: n.id,
    kind: outputs.has(n.id) ? 'outputs' : n.kind,
    label: lineageLabel(n, names),
    attributes: {},
  }));
  return { root: `batch-job:${jobId}`, nodes, edges: [...lineage.edges] };
}
