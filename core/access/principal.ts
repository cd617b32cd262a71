import type { TenantRole } from './roles';

/**
 * Who is calling, as established by verifying a credential — never by reading
 * a path, query, header or body. Tenant principals carry exactly one tenant.
 */
export type Principal =
  | {
      readonly kind: 'user';
      readonly userId: string;
      readonly tenantId: string;
      readonly email: string;
      readonly roles: readonly TenantRole[];
    }
  | {
      readonly kind: 'token';
      readonly tokenId: string;
      readonly tenantId: string;
      readonly name: string;
      readonly roles: readonly TenantRole[];
    }
  | {
      readonly kind: 'platform-admin';
      readonly adminId: string;
      readonly email: string;
    };

export type TenantPrincipal = Extract<Principal, { kind: 'user' | 'token' }>;

export function actorId(principal: Principal): string {
  switch (principal.kind) {
    case 'user':
      return `user:${principal.userId}`;
    case 'token':
      return `token:${principal.tokenId}`;
    case 'platform-admin':
      return `platform-admin:${principal.adminId}`;
  }
}
