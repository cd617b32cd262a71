import { PERMISSIONS, ROLE_PERMISSIONS, rolesGrant } from '../../../core/access/permissions';
import { TENANT_ROLES } from '../../../core/access/roles';

describe('permission matrix', () => {
  it('states the segregation the product needs', () => {
    expect(rolesGrant(['approver'], 'approvals:decide')).toBe(true);
    expect(rolesGrant(['data-scientist'], 'approvals:decide')).toBe(false);
    expect(rolesGrant(['data-scientist'], 'deployments:manage')).toBe(false);
    expect(rolesGrant(['deployer'], 'catalog:write')).toBe(false);
    expect(rolesGrant(['viewer'], 'audit:read')).toBe(true);
    for (const p of PERMISSIONS.filter((p) => !p.endsWith(':read'))) expect(rolesGrant(['viewer'], p)).toBe(false);
    expect(rolesGrant(['tenant-admin'], 'users:manage')).toBe(true);
    expect(TENANT_ROLES.filter((r) => ROLE_PERMISSIONS[r].has('users:manage'))).toEqual(['tenant-admin']);
  });

  it('grants every permission to some role, so no route is unreachable', () => {
    for (const p of PERMISSIONS) expect(TENANT_ROLES.some((r) => ROLE_PERMISSIONS[r].has(p))).toBe(true);
  });
});
