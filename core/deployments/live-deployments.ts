import type { MetadataTable } from '../ports/metadata-store';
import { NotFound } from '../errors';
import { type Deployment, loadDeployment, loadEndpoint } from './deployment-records';

/**
 * The live deployment of an endpoint, as scoring reads it on every request:
 * cached per store and tenant for a second, so scoring costs no metadata read
 * in the common case. This process forgets an entry the moment it changes
 * what an endpoint serves; another process sees the change within the TTL.
 */
const TTL_MS = 1000;
const cache = new Map<string, { deployment: Deployment; until: number }>();

export async function liveDeployment(table: MetadataTable, endpointName: string): Promise<Deployment> {
  const key = `${table.identity}|${endpointName}`;
  const hit = cache.get(key);
  const nowMs = Date.now();
  if (hit && hit.until > nowMs) return hit.deployment;
  const endpoint = await loadEndpoint(table, endpointName);
  if (!endpoint || endpoint.status === 'deleted' || !endpoint.liveDeploymentId) throw new NotFound('endpoint', endpointName);
  const deployment = await loadDeployment(table, endpointName, endpoint.liveDeploymentId);
  cache.set(key, { deployment, until: nowMs + TTL_MS });
  if (cache.size > 10_000) cache.delete(cache.keys().next().value!);
  return deployment;
}

export function forgetLiveDeployment(tableIdentity: string, endpointName: string): void {
  cache.delete(`${tableIdentity}|${endpointName}`);
}
