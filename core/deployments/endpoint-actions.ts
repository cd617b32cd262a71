import { Conflict } from '../errors';
import type { TenantScope } from '../tenancy/tenant-scope';
import { type Deployment, listEndpointDeployments, loadDeployment, requireEndpoint, type EndpointRecord } from './deployment-records';
import type { DeploymentDeps } from './request-deployment';
import { switchServing } from './serving-switch';

/** Applies a stored deployment's configuration to the control plane (models, config, endpoint). */
export async function applyStoredDeployment(deps: Pick<DeploymentDeps, 'control'>, d: Deployment): Promise<void> {
  await deps.control.createModels(d.config);
  await deps.control.createEndpointConfig(d.config);
  await deps.control.createOrUpdateEndpoint(d.servedName, d.config);
}

/**
 * One-action rollback: the endpoint serves the deployment that was live
 * before the current one again (its stored variants, weights and shadow),
 * the current one is `rolled-back` with the reason.
 */
export async function rollbackEndpoint(
  scope: TenantScope,
  deps: Pick<DeploymentDeps, 'control'>,
  endpointName: string,
  reason: string,
  options: { expectLive?: string } = {},
): Promise<{ endpoint: EndpointRecord; live: Deployment; rolledBack: Deployment }> {
  const endpoint = await requireEndpoint(scope.table, endpointName);
  if (options.expectLive !== undefined && endpoint.liveDeploymentId !== options.expectLive) {
    throw new Conflict(`endpoint '${endpointName}' no longer serves deployment ${options.expectLive}; nothing rolled back`);
  }
  if (endpoint.pendingDeploymentId)
    throw new Conflict(`endpoint '${endpointName}' is being deployed (deployment ${endpoint.pendingDeploymentId}); roll back when it is live or failed`);
  if (!endpoint.liveDeploymentId) throw new Conflict(`endpoint '${endpointName}' serves nothing to roll back from`);
  const previousId = endpoint.history[endpoint.history.length - 1];
  if (!previousId) throw new Conflict(`endpoint '${endpointName}' has no previous deployment to roll back to`);
  const [current, previous] = await Promise.all([
    loadDeployment(scope.table, endpointName, endpoint.liveDeploymentId),
    loadDeployment(scope.table, endpointName, previousId),
  ]);
  await applyStoredDeployment(deps, previous);
  const switched = await switchServing(scope, {
    endpoint,
    from: current,
    fromStatus: 'rolled-back',
    to: previous,
    history: endpoint.history.slice(0, -1),
    action: 'deployment.rolled-back',
    reason,
  });
  return { endpoint: switched.endpoint, live: switched.to!, rolledBack: { ...current, status: 'rolled-back', reason } };
}

/** Removes the endpoint; its versions go back to `approved` and stop being champion. */
export async function undeployEndpoint(scope: TenantScope, deps: Pick<DeploymentDeps, 'control'>, endpointName: string): Promise<EndpointRecord> {
  const endpoint = await requireEndpoint(scope.table, endpointName);
  if (endpoint.pendingDeploymentId)
    throw new Conflict(`endpoint '${endpointName}' is being deployed (deployment ${endpoint.pendingDeploymentId}); undeploy when it is live or failed`);
  const current = endpoint.liveDeploymentId ? await loadDeployment(scope.table, endpointName, endpoint.liveDeploymentId) : undefined;
  await deps.control.deleteEndpoint(endpoint.servedName);
  const switched = await switchServing(scope, {
    endpoint,
    ...(current ? { from: current } : {}),
    fromStatus: 'undeployed',
    history: [],
    action: 'deployment.undeployed',
  });
  return switched.endpoint;
}

export async function endpointWithDeployments(scope: TenantScope, endpointName: string) {
  const endpoint = await requireEndpoint(scope.table, endpointName);
  return { endpoint, deployments: await listEndpointDeployments(scope.table, endpointName) };
}
