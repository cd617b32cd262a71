import { auditWrite } from '../audit/audit-event';
import { loadModelRecord } from '../catalog/models';
import { setAlias } from '../catalog/version-catalog';
import { loadVersion, versionWrite } from '../catalog/versions';
import type { ScopedWrite } from '../ports/metadata-store';
import type { TenantScope } from '../tenancy/tenant-scope';
import { type Deployment, type DeploymentStatus, deploymentWrite, type EndpointRecord, endpointWrite, servedVersionWrite } from './deployment-records';
import { forgetLiveDeployment } from './live-deployments';

/**
 * Records that an endpoint now serves `to` (or nothing) instead of `from`, in
 * one transaction with its audit event: both deployments' statuses, the
 * endpoint's live pointer and history, the lineage back-references, and each
 * version's status (`approved → deployed` when it starts serving,
 * `deployed → approved` when it stops). Then the champion alias follows what
 * is served: the heaviest production variant of each model.
 */
export async function switchServing(
  scope: TenantScope,
  input: {
    endpoint: EndpointRecord;
    from?: Deployment;
    fromStatus?: DeploymentStatus;
    to?: Deployment;
    history: string[];
    action: string;
    reason?: string;
  },
): Promise<{ endpoint: EndpointRecord; to?: Deployment }> {
  const now = scope.now();
  const at = now.toISOString();
  const writes: ScopedWrite[] = [];
  let to: Deployment | undefined;
  if (input.to) {
    to = { ...input.to, status: 'live', liveAt: input.to.liveAt ?? at, updatedAt: at, revision: input.to.revision + 1 };
    writes.push(deploymentWrite(to, { revision: input.to.revision }));
    for (const v of to.variants) writes.push(servedVersionWrite(to, v, 'live', at));
  }
  const from = input.from && input.from.deploymentId !== input.to?.deploymentId ? input.from : undefined;
  if (from) {
    const ended: Deployment = {
      ...from,
      status: input.fromStatus ?? 'superseded',
      endedAt: at,
      updatedAt: at,
      revision: from.revision + 1,
      ...(input.reason ? { reason: input.reason } : {}),
    };
    writes.push(deploymentWrite(ended, { revision: from.revision }));
    for (const v of from.variants) writes.push(servedVersionWrite(ended, v, ended.status, at));
  }
  const { pendingDeploymentId: _p, liveDeploymentId: _l, ...rest } = input.endpoint;
  const endpoint: EndpointRecord = {
    ...rest,
    ...(to ? { liveDeploymentId: to.deploymentId } : {}),
    status: to ? 'in-service' : 'deleted',
    history: input.history.slice(-20),
    updatedAt: at,
    revision: input.endpoint.revision + 1,
  };
  writes.push(endpointWrite(endpoint, { revision: input.endpoint.revision }));

  const served = new Set((to?.variants ?? []).map((v) => `${v.modelId}|${v.version}`));
  const stopped = new Set((from?.variants ?? []).map((v) => `${v.modelId}|${v.version}`).filter((k) => !served.has(k)));
  for (const key of [...served, ...stopped]) {
    const [modelId, n] = key.split('|') as [string, string];
    const version = await loadVersion(scope.table, modelId, Number(n));
    const target = served.has(key) ? 'deployed' : 'approved';
    if (version.status === target || (target === 'deployed' && version.status !== 'approved') || (target === 'approved' && version.status !== 'deployed'))
      continue;
    writes.push(
      versionWrite(
        {
          ...version,
          status: target,
          statusReason: `${target === 'deployed' ? 'served by' : 'no longer served by'} endpoint ${input.endpoint.endpointName}`,
          updatedAt: at,
          revision: version.revision + 1,
        },
        { revision: version.revision },
      ),
    );
    writes.push(
      auditWrite(
        scope.meta,
        target === 'deployed' ? 'version.deployed' : 'version.undeployed',
        { type: 'version', id: `${modelId}-${n}` },
        { before: { status: version.status }, after: { status: target, endpointName: input.endpoint.endpointName } },
        now,
      ).write,
    );
  }
  writes.push(
    auditWrite(
      scope.meta,
      input.action,
      { type: 'deployment', id: to?.deploymentId ?? from?.deploymentId ?? input.endpoint.endpointName },
      {
        before: from ? { deploymentId: from.deploymentId, variants: from.variants } : null,
        after: {
          endpointName: input.endpoint.endpointName,
          deploymentId: to?.deploymentId ?? null,
          variants: to?.variants ?? [],
          ...(input.reason ? { reason: input.reason } : {}),
        },
      },
      now,
    ).write,
  );
  await scope.table.transact(writes);
  forgetLiveDeployment(scope.table.identity, input.endpoint.endpointName);
  await followChampion(scope, to, from);
  return { endpoint, ...(to ? { to } : {}) };
}

/** Points each served model's champion at its heaviest production variant; clears it for a model no longer served. */
async function followChampion(scope: TenantScope, to: Deployment | undefined, from: Deployment | undefined): Promise<void> {
  const heaviest = new Map<string, { version: number; weight: number }>();
  for (const v of to?.variants ?? []) {
    if (v.role === 'shadow') continue;
    const best = heaviest.get(v.modelId);
    if (!best || v.weight > best.weight) heaviest.set(v.modelId, { version: v.version, weight: v.weight });
  }
  for (const [modelId, { version }] of heaviest) {
    const model = await loadModelRecord(scope.table, modelId);
    if (model.aliases.champion === version) continue;
    // A champion cannot also be the challenger: the served version takes over.
    if (model.aliases.challenger === version) await setAlias(scope, modelId, 'challenger', null);
    await setAlias(scope, modelId, 'champion', version);
  }
  for (const v of from?.variants ?? []) {
    if (heaviest.has(v.modelId) || v.role === 'shadow') continue;
    const model = await loadModelRecord(scope.table, v.modelId);
    if (model.aliases.champion === v.version) await setAlias(scope, v.modelId, 'champion', null);
  }
}
