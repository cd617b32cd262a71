import type { PlanName } from '../tenancy/plans';

/**
 * Per-tenant request throttling in front of the API. On AWS each tenant gets
 * an API Gateway API key bound to its plan's usage plan; the authorizer names
 * that key as the usage identifier of every request. Locally the API's
 * in-process limiter (core/tenancy/rate-limiter.ts) does the same job, so the
 * local adapter has nothing to provision.
 */
export interface TenantThrottling {
  readonly kind: 'api-gateway' | 'in-process';
  /** Returns the usage identifier to store with the tenant (AWS), or nothing (local). */
  provision(tenantId: string, plan: PlanName): Promise<{ usageKey?: string; usageKeyId?: string }>;
  /** Suspended tenants lose their key too, so API Gateway refuses them before any Lambda runs. */
  setEnabled(usageKeyId: string | undefined, enabled: boolean): Promise<void>;
  remove(usageKeyId: string | undefined): Promise<void>;
}

export const IN_PROCESS_THROTTLING: TenantThrottling = {
  kind: 'in-process',
  provision: async () => ({}),
  setEnabled: async () => undefined,
  remove: async () => undefined,
};
