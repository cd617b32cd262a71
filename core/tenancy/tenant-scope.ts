import type { ScopedTable } from '../adapters/dynamodb/scoped-table';
import type { TenantObjects } from '../adapters/s3/tenant-objects';
import { actorId, type TenantPrincipal } from '../access/principal';
import type { ActionMeta } from '../audit/audit-event';
import type { Platform } from '../platform/platform';
import type { PlanQuotas } from './plans';

/**
 * Everything a tenant use case may touch, bound to the tenant of the verified
 * principal. Built only by the authentication edge from a verified credential;
 * use cases take a TenantScope, never a tenant id from a request.
 */
export interface TenantScope {
  readonly tenantId: string;
  readonly principal: TenantPrincipal;
  readonly meta: ActionMeta;
  readonly table: ScopedTable;
  readonly objects: TenantObjects;
  readonly platform: Platform;
  /** The tenant's plan limits, read with the tenant when the credential was verified. */
  readonly quotas: PlanQuotas;
}

export function tenantScope(platform: Platform, principal: TenantPrincipal, request: { requestId: string; sourceIp?: string }, quotas: PlanQuotas): TenantScope {
  return {
    tenantId: principal.tenantId,
    principal,
    meta: {
      actor: actorId(principal),
      requestId: request.requestId,
      sourceIp: request.sourceIp,
      tokenId: principal.kind === 'token' ? principal.tokenId : undefined,
    },
    table: platform.tenantTable(principal.tenantId),
    objects: platform.tenantObjects(principal.tenantId),
    platform,
    quotas,
  };
}
