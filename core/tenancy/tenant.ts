import { z } from 'zod';
import { IllegalTransition } from '../errors';
import { PlanNameSchema } from './plans';

export const TENANT_STATUSES = ['requested', 'active', 'suspended', 'deleted'] as const;
export type TenantStatus = (typeof TENANT_STATUSES)[number];

export const TenantSchema = z.object({
  tenantId: z.string(),
  name: z.string(),
  adminEmail: z.string(),
  plan: PlanNameSchema,
  status: z.enum(TENANT_STATUSES),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** Optimistic-lock counter. */
  revision: z.number().int(),
  statusReason: z.string().optional(),
  /** AWS: the API Gateway usage identifier (and its key id) that throttles this tenant. Not a credential. */
  usageKey: z.string().optional(),
  usageKeyId: z.string().optional(),
});
export type Tenant = z.infer<typeof TenantSchema>;

/** Which lifecycle moves are legal; anything else is refused with IllegalTransition. */
const NEXT: Readonly<Record<TenantStatus, readonly TenantStatus[]>> = {
  requested: ['active', 'deleted'],
  active: ['suspended', 'deleted'],
  suspended: ['active', 'deleted'],
  deleted: [],
};

export function assertTenantTransition(from: TenantStatus, to: TenantStatus): void {
  if (!NEXT[from].includes(to)) throw new IllegalTransition(from, to, NEXT[from]);
}

/** Only active tenants may be acted for; suspended and deleted ones are refused entirely. */
export function tenantAdmitsRequests(tenant: Pick<Tenant, 'status'>): boolean {
  return tenant.status === 'active';
}

/** The tenant as shown through the API: without throttling internals. */
export function publicTenant(tenant: Tenant): Omit<Tenant, 'usageKey' | 'usageKeyId'> {
  const { usageKey: _k, usageKeyId: _i, ...rest } = tenant;
  return rest;
}
