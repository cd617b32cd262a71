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
const MAX_ENTRIES = 10_000;

interface Entry {
  readonly deployment: Deployment;
  readonly until: number;
}

/**
 * Table identity → endpoint name → entry. Two levels, not one key joining
 * both: the identity names the store's file and the tenant, and building and
 * hashing that long string again on every scoring call cost more than the
 * two lookups (each string here keeps its hash).
 */
const cache = new Map<string, Map<string, Entry>>();
let entries = 0;

/** The live deployment while this process's cached read of it is fresh, without a promise: the common scoring call awaits nothing for it. */
export function cachedLiveDeployment(table: MetadataTable, endpointName: string): Deployment | undefined {
  const hit = cache.get(table.identity)?.get(endpointName);
  return hit && hit.until > Date.now() ? hit.deployment : undefined;
}

export async function liveDeployment(table: MetadataTable, endpointName: string): Promise<Deployment> {
  const hit = cache.get(table.identity)?.get(endpointName);
  const nowMs = Date.now();
  if (hit && hit.until > nowMs) return hit.deployment;
  const endpoint = await loadEndpoint(table, endpointName);
  if (!endpoint || endpoint.status === 'deleted' || !endpoint.liveDeploymentId) throw new NotFound('endpoint', endpointName);
  const deployment = await loadDeployment(table, endpointName, endpoint.liveDeploymentId);
  remember(table.identity, endpointName, { deployment, until: nowMs + TTL_MS });
  return deployment;
}

function remember(tableIdentity: string, endpointName: string, entry: Entry): void {
  let byName = cache.get(tableIdentity);
  if (!byName) cache.set(tableIdentity, (byName = new Map<string, Entry>()));
  const size = byName.size;
  byName.set(endpointName, entry);
  if (byName.size === size) return;
  // Past the bound, the oldest table's oldest entry goes.
  if (++entries > MAX_ENTRIES) {
    const [oldestTable, oldest] = cache.entries().next().value!;
    forget(oldestTable, oldest, oldest.keys().next().value!);
  }
}

function forget(tableIdentity: string, byName: Map<string, Entry>, endpointName: string): void {
  if (!byName.delete(endpointName)) return;
  entries--;
  if (byName.size === 0) cache.delete(tableIdentity);
}

export function forgetLiveDeployment(tableIdentity: string, endpointName: string): void {
  const byName = cache.get(tableIdentity);
  if (byName) forget(tableIdentity, byName, endpointName);
}
