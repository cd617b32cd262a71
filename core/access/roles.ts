import { z } from 'zod';

/** Roles inside a tenant. Platform administration is separate (see Principal). */
export const TENANT_ROLES = ['tenant-admin', 'data-scientist', 'approver', 'deployer', 'viewer'] as const;
export const TenantRoleSchema = z.enum(TENANT_ROLES);
export type TenantRole = z.infer<typeof TenantRoleSchema>;
