import type { TenantRole } from './roles';

/**
 * Every permission a route can require. The matrix below is the single place
 * that says which role may do what; every API route declares one permission
 * and the edge enforces it before the handler runs (api/http/secure-route.ts).
 */
export const PERMISSIONS = [
  'tenant:read',
  'users:read',
  'users:manage',
  'tokens:read',
  'tokens:manage',
  'audit:read',
  'catalog:read',
  'catalog:write',
  'artifacts:write',
  'pipelines:read',
  'pipelines:run',
  'approvals:decide',
  'policy:manage',
  'deployments:read',
  'deployments:manage',
  'scoring:invoke',
  'batch:read',
  'batch:run',
  'schedules:manage',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** Platform-administration permissions; never granted by a tenant role. */
export const PLATFORM_PERMISSIONS = ['platform:tenants:read', 'platform:tenants:manage', 'platform:health:read'] as const;
export type PlatformPermission = (typeof PLATFORM_PERMISSIONS)[number];

const READ: Permission[] = ['tenant:read', 'catalog:read', 'pipelines:read', 'deployments:read', 'batch:read'];

export const ROLE_PERMISSIONS: Readonly<Record<TenantRole, ReadonlySet<Permission>>> = {
  'tenant-admin': new Set<Permission>([...READ, 'users:read', 'users:manage', 'tokens:read', 'tokens:manage', 'audit:read', 'policy:manage']),
  'data-scientist': new Set<Permission>([...READ, 'catalog:write', 'artifacts:write', 'pipelines:run', 'scoring:invoke', 'batch:run', 'schedules:manage']),
  approver: new Set<Permission>([...READ, 'approvals:decide', 'audit:read']),
  deployer: new Set<Permission>([...READ, 'deployments:manage', 'scoring:invoke', 'batch:run', 'schedules:manage']),
  viewer: new Set<Permission>([...READ, 'audit:read', 'users:read']),
};

export function rolesGrant(roles: readonly TenantRole[], permission: Permission): boolean {
  return roles.some((role) => ROLE_PERMISSIONS[role].has(permission));
}
