import type { MetadataTable } from '../ports/metadata-store';
import { NotFound } from '../errors';
import { type Deployment, loadDeployment, loadEndpoint } from './deployment-records';
import { PerTableMap } from './per-table-map';

/**
 * The live deployment of an endpoint, as scoring reads it on every request:
 * cached per store and tenant for a second, so scoring costs no metadata read
 * in the common case. This process forgets an entry the moment it changes
 * what an endpoint serves; another process sees the change within the TTL.
 */
const TTL_MS = 1000;

interface Entry {
  readonly deployment: Deployment;
  readonly until: number;
}

const cache = new PerTableMap<Entry>(10_000);

/** The live deployment while this process's cached read of it is fresh, without a promise: the common scoring call awaits nothing for it. */
export function cachedLiveDeployment(table: MetadataTable, endpointName: string): Deployment | undefined {
  const hit = cache.get(table.identity, endpointName);
  return hit && hit.until > Date.now() ? hit.deployment : undefined;
}

export async function liveDeployment(table: MetadataTable, endpointName: string): Promise<Deployment> {
  const hit = cache.get(table.identity, endpointName);
  const nowMs = Date.now();
  if (hit && hit.until > nowMs) return hit.deployment;
  const endpoint = await loadEndpoint(table, endpointName);
  if (!endpoint || endpoint.status === 'deleted' || !endpoint.liveDeploymentId) throw new NotFound('endpoint', endpointName);
  const deployment = await loadDeployment(table, endpointName, endpoint.liveDeploymentId);
  cache.set(table.identity, endpointName, { deployment, until: nowMs + TTL_MS });
  return deployment;
}

export function forgetLiveDeployment(tableIdentity: string, endpointName: string): void {
  cache.delete(tableIdentity, endpointName);
}
