import type { Page } from '../ports/metadata-store';
import type { TenantScope } from '../tenancy/tenant-scope';
import { listApprovals } from './approval-decision';
import { listEvaluations } from './evaluations';
import { loadModelRecord } from './models';
import { loadVersion } from './versions';

export type LineageNodeKind = 'dataset' | 'execution' | 'code' | 'version' | 'evaluation' | 'approval' | 'deployment';

export interface LineageNode {
  readonly id: string;
  readonly kind: LineageNodeKind;
  readonly label: string;
  readonly attributes: Record<string, unknown>;
}

export interface LineageEdge {
  readonly from: string;
  readonly to: string;
  readonly relation: 'trained-on' | 'evaluated-on' | 'produced' | 'built-from' | 'evaluates' | 'decides' | 'serves' | 'derived-from';
}

export interface LineageGraph {
  readonly root: string;
  readonly nodes: LineageNode[];
  readonly edges: LineageEdge[];
}

/**
 * The recorded chain behind a version: datasets → pipeline run → version →
 * evaluations → approvals → deployments. Built only from records in the
 * tenant's own table; nothing is inferred.
 */
export async function versionLineage(scope: TenantScope, modelId: string, number: number): Promise<LineageGraph> {
  const [model, version] = await Promise.all([loadModelRecord(scope.table, modelId), loadVersion(scope.table, modelId, number)]);
  const [evaluations, approvals] = await Promise.all([listEvaluations(scope, modelId, number), listApprovals(scope, modelId, number)]);
  const root = `version:${modelId}/${number}`;
  const nodes: LineageNode[] = [
    {
      id: root,
      kind: 'version',
      label: `${model.name} v${number}`,
      attributes: { status: version.status, source: version.source, format: version.artifact.format, sha256: version.artifact.sha256, stage: version.stage },
    },
  ];
  const edges: LineageEdge[] = [];
  for (const d of version.lineage.datasets) {
    const id = `dataset:${d.datasetId}/${d.version}`;
    if (!nodes.some((n) => n.id === id))
      nodes.push({ id, kind: 'dataset', label: `dataset ${d.datasetId} v${d.version}`, attributes: { datasetId: d.datasetId, version: d.version } });
    edges.push({ from: id, to: root, relation: d.role === 'training' ? 'trained-on' : 'evaluated-on' });
  }
  if (version.lineage.executionId) {
    const id = `execution:${version.lineage.executionId}`;
    nodes.push({
      id,
      kind: 'execution',
      label: `pipeline run ${version.lineage.executionId}`,
      attributes: { executionId: version.lineage.executionId, hyperparameters: version.lineage.hyperparameters },
    });
    edges.push({ from: id, to: root, relation: 'produced' });
  }
  if (version.lineage.codeRevision) {
    const id = `code:${version.lineage.codeRevision}`;
    nodes.push({ id, kind: 'code', label: `code ${version.lineage.codeRevision.slice(0, 12)}`, attributes: { revision: version.lineage.codeRevision } });
    edges.push({ from: id, to: root, relation: 'built-from' });
  }
  if (version.lineage.parentVersion) {
    const id = `version:${modelId}/${version.lineage.parentVersion}`;
    nodes.push({ id, kind: 'version', label: `${model.name} v${version.lineage.parentVersion}`, attributes: {} });
    edges.push({ from: id, to: root, relation: 'derived-from' });
  }
  for (const e of evaluations) {
    const id = `evaluation:${e.evaluationId}`;
    nodes.push({ id, kind: 'evaluation', label: `evaluation ${e.createdAt.slice(0, 10)}`, attributes: { metrics: e.metrics, dataset: e.dataset } });
    edges.push({ from: id, to: root, relation: 'evaluates' });
    if (e.dataset) {
      const ds = `dataset:${e.dataset.datasetId}/${e.dataset.version}`;
      if (!nodes.some((n) => n.id === ds))
        nodes.push({ id: ds, kind: 'dataset', label: `dataset ${e.dataset.datasetId} v${e.dataset.version}`, attributes: { ...e.dataset } });
      edges.push({ from: ds, to: id, relation: 'evaluated-on' });
    }
  }
  for (const a of approvals) {
    const id = `approval:${a.approvalId}`;
    nodes.push({
      id,
      kind: 'approval',
      label: `${a.decision} by ${a.decidedBy}`,
      attributes: { decision: a.decision, reason: a.reason, decidedBy: a.decidedBy, decidedAt: a.decidedAt },
    });
    edges.push({ from: id, to: root, relation: 'decides' });
  }
  for (const d of await versionDeployments(scope, modelId, number)) {
    // One node per served variant: a deployment can serve one version in two variants (A/B of the same version).
    const id = d.variantName ? `deployment:${d.deploymentId}:${d.variantName}` : `deployment:${d.deploymentId}`;
    const where = d.endpointName ? ` on ${d.endpointName} (${d.variantName ?? '?'}, ${d.role ?? '?'}, weight ${d.weight ?? '?'}, ${d.status ?? '?'})` : '';
    nodes.push({ id, kind: 'deployment', label: `deployment ${d.deploymentId}${where}`, attributes: d });
    edges.push({ from: root, to: id, relation: 'serves' });
  }
  return { root, nodes, edges };
}

export interface DatasetUsage {
  readonly datasetId: string;
  readonly datasetVersion: number;
  readonly role: string;
  readonly modelId: string;
  readonly modelName: string;
  readonly version: number;
  readonly createdAt: string;
}

/** The reverse direction: which model versions used a dataset (optionally one of its versions). */
export async function datasetUsage(
  scope: TenantScope,
  datasetId: string,
  page: { limit: number; cursor?: string; datasetVersion?: number },
): Promise<Page<DatasetUsage>> {
  const result = await scope.table.query<DatasetUsage & { entity?: string }>({
    partition: ['DATASET', datasetId, 'USED-BY'],
    limit: page.limit,
    cursor: page.cursor,
  });
  const items = result.items.map(({ entity: _e, ...u }) => u).filter((u) => page.datasetVersion === undefined || u.datasetVersion === page.datasetVersion);
  return { items, cursor: result.cursor };
}

export interface DeploymentRef {
  readonly deploymentId: string;
  readonly variantName?: string;
  readonly endpointName?: string;
  readonly role?: string;
  readonly weight?: number;
  readonly status?: string;
  readonly [key: string]: unknown;
}

/**
 * Deployments serving a version (`MODEL#<id>` / `D#<version>#<deploymentId>`
 * back-references written by the deployment pipeline).
 */
export async function versionDeployments(scope: TenantScope, modelId: string, number: number): Promise<DeploymentRef[]> {
  const page = await scope.table.query<DeploymentRef & { entity?: string }>({
    partition: ['MODEL', modelId],
    sortBeginsWith: `D#${String(number).padStart(8, '0')}#`,
    limit: 100,
  });
  return page.items.map(({ entity: _e, ...d }) => d);
}
