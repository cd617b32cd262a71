import type { Platform } from '../platform/platform';
import { TenantRegistry } from '../tenancy/tenant-registry';
import { listEndpoints, loadDeployment } from './deployment-records';
import { applyStoredDeployment } from './endpoint-actions';

export interface EndpointRestore {
  readonly tenantId: string;
  readonly endpointName: string;
  readonly deploymentId: string;
}

export interface EndpointRestoreReport {
  readonly restored: readonly EndpointRestore[];
  readonly failed: readonly (EndpointRestore & { readonly error: string })[];
}

const PAGE = 100;

/**
 * Serves every stored live endpoint again: for each active tenant, each
 * endpoint with a live deployment gets that deployment's stored
 * configuration (models, endpoint config, endpoint) applied to the control
 * plane. Locally the scoring gateway keeps endpoints in memory only, so a
 * restart of `npm start` calls this to serve what the records say is live
 * before the first request comes (scoring still replays a deployment the
 * gateway lost, as a fallback). One endpoint that cannot be restored is
 * logged and skipped; the others are restored all the same.
 */
export async function restoreLiveEndpoints(platform: Pick<Platform, 'platformTable' | 'tenantTable' | 'log' | 'serving'>): Promise<EndpointRestoreReport> {
  const registry = new TenantRegistry(platform.platformTable());
  const restored: EndpointRestore[] = [];
  const failed: (EndpointRestore & { error: string })[] = [];
  let tenants: string | undefined;
  do {
    const page = await registry.list({ status: 'active', limit: PAGE, cursor: tenants });
    for (const { tenantId } of page.items) {
      const table = platform.tenantTable(tenantId);
      let cursor: string | undefined;
      do {
        const endpoints = await listEndpoints(table, { limit: PAGE, cursor });
        for (const endpoint of endpoints.items) {
          if (endpoint.status === 'deleted' || !endpoint.liveDeploymentId) continue;
          const which = { tenantId, endpointName: endpoint.endpointName, deploymentId: endpoint.liveDeploymentId };
          try {
            await applyStoredDeployment(platform.serving, await loadDeployment(table, endpoint.endpointName, endpoint.liveDeploymentId));
            restored.push(which);
            platform.log.info('endpoint restored', { ...which });
          } catch (error) {
            const reason = error instanceof Error ? error.message : String(error);
            failed.push({ ...which, error: reason });
            platform.log.error('endpoint not restored; it is served again on its first call', { ...which, error: reason });
          }
        }
        cursor = endpoints.cursor;
      } while (cursor);
    }
    tenants = page.cursor;
  } while (tenants);
  return { restored, failed };
}
