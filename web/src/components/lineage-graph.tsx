import { useQueries } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import { unwrap } from '../api/problem';
import { layoutLineage, type LineageEdge, type LineageNode, NODE_HEIGHT, NODE_WIDTH } from '../lib/lineage-layout';
import { lineageIds, type LineageNames } from '../lib/lineage-labels';
import { useApi } from '../session/session';

/** Where a lineage node leads in the console, if anywhere. */
export function hrefOfNode(node: LineageNode): string | undefined {
  const [kind, rest] = [node.id.slice(0, node.id.indexOf(':')), node.id.slice(node.id.indexOf(':') + 1)];
  if (kind === 'dataset') {
    const [datasetId, version] = rest.split('/');
    return `/datasets/${datasetId}/versions/${version}`;
  }
  if (kind === 'version') {
    const [modelId, version] = rest.split('/');
    return `/models/${modelId}/versions/${version}`;
  }
  if (kind === 'execution') return `/executions/${rest}`;
  if (kind === 'batch-job') return `/batch-jobs/${rest}`;
  return undefined;
}

/**
 * The names of the datasets and models a graph refers to by id, looked up once
 * each (cached across pages), so nodes read "breast-cancer v1" rather than an id.
 */
export function useLineageNames(nodes: readonly { id: string }[] | undefined): LineageNames {
  const api = useApi();
  const ids = lineageIds(nodes ?? []);
  const datasets = useQueries({
    queries: ids.datasets.map((datasetId) => ({
      queryKey: ['dataset', datasetId],
      queryFn: async () => unwrap(await api.GET('/datasets/{datasetId}', { params: { path: { datasetId } } })),
      staleTime: 60_000,
    })),
  });
  const models = useQueries({
    queries: ids.models.map((modelId) => ({
      queryKey: ['model', modelId],
      queryFn: async () => unwrap(await api.GET('/models/{modelId}', { params: { path: { modelId } } })),
      staleTime: 60_000,
    })),
  });
  return {
    datasets: Object.fromEntries(ids.datasets.flatMap((id, i) => (datasets[i]?.data ? [[id, datasets[i].data.name]] : []))),
    models: Object.fromEntries(ids.models.flatMap((id, i) => (models[i]?.data ? [[id, models[i].data.name]] : []))),
  };
}

/**
 * The lineage graph drawn as SVG, columns in the order data flows. Nodes that lead
 * somewhere are links (keyboard focusable); the root is highlighted.
 */
export function LineageGraph({ graph }: { graph: { root: string; nodes: LineageNode[]; edges: LineageEdge[] } }) {
  const navigate = useNavigate();
  const layout = layoutLineage(graph);
  return (
    <div className="lineage" role="figure" aria-label={`Lineage: ${graph.nodes.map((n) => n.label).join(', ')}`}>
      {/* Not role="img": the nodes inside are links a keyboard reaches. */}
      <svg width={layout.width} height={layout.height} viewBox={`0 0 ${layout.width} ${layout.height}`}>
        <defs>
          <marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse">
            <path d="M 0 0 L 10 5 L 0 10 z" fill="#868e96" />
          </marker>
        </defs>
        {layout.edges.map((e) => (
          <path
            key={`${e.from}-${e.to}-${e.relation}`}
            d={`M ${e.x1} ${e.y1} C ${e.x1 + 28} ${e.y1}, ${e.x2 - 28} ${e.y2}, ${e.x2} ${e.y2}`}
            fill="none"
            stroke="#868e96"
            markerEnd="url(#arrow)"
          >
            <title>{e.relation}</title>
          </path>
        ))}
        {layout.nodes.map((n) => {
          const href = hrefOfNode(n);
          const body = (
            <>
              <rect x={n.x} y={n.y} width={NODE_WIDTH} height={NODE_HEIGHT} rx={8} className={`node node-${n.kind}${n.id === graph.root ? ' root' : ''}`} />
              <text x={n.x + 10} y={n.y + 18} className="node-kind">
                {n.kind}
              </text>
              <text x={n.x + 10} y={n.y + 36} className="node-label">
                {n.label.length > 24 ? `${n.label.slice(0, 23)}…` : n.label}
              </text>
            </>
          );
          return href && n.id !== graph.root ? (
            <a
              key={n.id}
              href={href}
              aria-label={`${n.label} (open)`}
              onClick={(e) => {
                e.preventDefault();
                void navigate(href);
              }}
            >
              {body}
            </a>
          ) : (
            <g key={n.id} aria-label={n.label}>
              {body}
            </g>
          );
        })}
      </svg>
    </div>
  );
}
