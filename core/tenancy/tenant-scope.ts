import type { MetadataTable } from '../ports/metadata-store';
import type { TenantObjectStore } from '../ports/object-store';
import { actorId, type TenantPrincipal } from '../access/principal';
import type { ActionMeta } from '../audit/audit-event';
import type { Platform } from '../platform/platform';
import type { Log } from '../ports/log';
import type { FileInspector } from '../ports/file-inspector';
import { Forbidden, NotFound } from '../errors';
import { assertTenantId } from '../storage/keys';
import { PLANS, type PlanQuotas } from './plans';
import { tenantAdmitsRequests } from './tenant';
import { TenantRegistry } from './tenant-registry';

/**
 * Everything a tenant use case may touch, bound to the tenant of the verified
 * principal. Built only by the authentication edge from a verified credential;
 * use cases take a TenantScope, never a tenant id from a request.
 */
export interface TenantScope {
  readonly tenantId: string;
  readonly principal: TenantPrincipal;
  readonly meta: ActionMeta;
  readonly table: MetadataTable;
  readonly objects: TenantObjectStore;
  /** The platform's clock (tests set it). */
  now(): Date;
  readonly log: Log;
  /** The tenant's plan limits, read with the tenant when the credential was verified. */
  readonly quotas: PlanQuotas;
  /** Where the tenant's uploaded files are inspected, never in this process. */
  readonly inspector: FileInspector;
}

/** What a scope is built from: the platform's tables, objects, clock, log and inspector. */
export type ScopePlatform = Pick<Platform, 'tenantTable' | 'tenantObjects' | 'now' | 'log' | 'inspector'>;

export function tenantScope(
  platform: ScopePlatform,
  principal: TenantPrincipal,
  request: { requestId: string; sourceIp?: string },
  quotas: PlanQuotas,
): TenantScope {
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
    now: () => platform.now(),
    log: platform.log,
    quotas,
    inspector: platform.inspector,
  };
}

/**
 * The scope a pipeline step acts in: the tenant of the execution's `context`
 * (put there by the runner, never by the caller), a `pipeline` principal with
 * no roles (`pipeline:<executionId>` in the audit trail; `startedBy` is who
 * started the run) and the quotas of the tenant's plan, read from the tenant
 * registry. A tenant that is not active is refused, as the API refuses it.
 */
export async function pipelineScope(
  platform: ScopePlatform & Pick<Platform, 'platformTable'>,
  execution: { tenantId: string; actor: string; executionId: string },
): Promise<TenantScope> {
  const tenant = await new TenantRegistry(platform.platformTable()).get(assertTenantId(execution.tenantId));
  if (!tenant) throw new NotFound('tenant', execution.tenantId);
  if (!tenantAdmitsRequests(tenant)) throw new Forbidden(`tenant ${execution.tenantId} is ${tenant.status}; its pipelines cannot act`);
  const principal: TenantPrincipal = { kind: 'pipeline', tenantId: tenant.tenantId, executionId: execution.executionId, startedBy: execution.actor, roles: [] };
  return tenantScope(platform, principal, { requestId: execution.executionId }, PLANS[tenant.plan]);
}
