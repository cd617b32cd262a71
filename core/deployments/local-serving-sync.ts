import { NotFound } from '../errors';
import type { EndpointControl } from '../ports/endpoint-control';
import { applyStoredDeployment } from './endpoint-actions';
import { type Deployment, type DeploymentStatus, loadDeployment } from './deployment-records';
import type { MetadataTable } from '../ports/metadata-store';
import { PerTableMap } from './per-table-map';

/**
 * Keeps a process's own scoring gateway serving what the store says is live.
 *
 * On AWS every API instance calls the one SageMaker endpoint, so a rollback
 * or canary step made by one instance is what all of them serve. Locally
 * each API process (a second `npm start` on the same data folder, say) hosts
 * its own gateway, which only that process's actions change: after another
 * process rolled a canary back, this one would go on answering with the
 * rolled-back variants. So the first call that sees a deployment (or step)
 * this process has not yet confirmed asks its gateway what it serves, and
 * serves the stored deployment again when the gateway is behind the store:
 * its configuration is an older step of the live deployment, or belongs to a
 * deployment that has ended. A gateway ahead of the store — a deployment in
 * progress, updated before it is switched live, as on SageMaker — is left
 * alone.
 *
 * Costs a scoring call one map lookup (no promise when nothing changed); the gateway is asked once per change
 * of what is live, per process.
 */
const confirmed = new WeakMap<EndpointControl, PerTableMap<string>>(); // per gateway: table identity → served name → configuration confirmed

const ENDED: ReadonlySet<DeploymentStatus> = new Set(['failed', 'superseded', 'rolled-back', 'undeployed']);

export function serveStoredDeployment(table: MetadataTable, deps: { control: EndpointControl }, live: Deployment): Promise<void> | undefined {
  if (deps.control.kind !== 'local') return undefined;
  let configs = confirmed.get(deps.control);
  if (!configs) confirmed.set(deps.control, (configs = new PerTableMap<string>(10_000)));
  if (configs.get(table.identity, live.servedName) === live.config.configName) return undefined;
  return confirm(table, deps, live, configs);
}

async function confirm(table: MetadataTable, deps: { control: EndpointControl }, live: Deployment, configs: PerTableMap<string>): Promise<void> {
  const served = await deps.control.describeEndpoint(live.servedName);
  if (served?.configName && served.configName !== live.config.configName && (await behindTheStore(table, live, served.deploymentId))) {
    await applyStoredDeployment(deps, live);
  }
  configs.set(table.identity, live.servedName, live.config.configName);
}

async function behindTheStore(table: MetadataTable, live: Deployment, servedDeploymentId: string | undefined): Promise<boolean> {
  if (!servedDeploymentId || servedDeploymentId === live.deploymentId) return true;
  try {
    const served = await loadDeployment(table, live.endpointName, servedDeploymentId);
    return ENDED.has(served.status);
  } catch (error) {
    // A deployment the store does not know (removed): the store's live one is the truth.
    if (error instanceof NotFound) return true;
    throw error;
  }
}
