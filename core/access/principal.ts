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
      /**
       * A pipeline execution acting on the catalog (registering, evaluating,
       * deciding by policy). Never established from a credential: only the
       * pipeline steps build it (core/tenancy/tenant-scope.ts `pipelineScope`),
       * from the execution's `context`. It holds no roles: it is not a person
       * and passes no permission check; `startedBy` is who started the run.
       */
      readonly kind: 'pipeline';
      readonly tenantId: string;
      readonly executionId: string;
      readonly startedBy: string;
      readonly roles: readonly TenantRole[];
    }
  | {
      readonly kind: 'platform-admin';
      readonly adminId: string;
      readonly email: string;
    };

export type TenantPrincipal = Extract<Principal, { kind: 'user' | 'token' | 'pipeline' }>;

export function actorId(principal: Principal): string {
  switch (principal.kind) {
    case 'user':
      return `user:${principal.userId}`;
    case 'token':
      return `token:${principal.tokenId}`;
    case 'pipeline':
      return `pipeline:${principal.executionId}`;
    case 'platform-admin':
      return `platform-admin:${principal.adminId}`;
  }
}
