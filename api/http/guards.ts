import { createRoute, type RouteConfig } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import { z } from 'zod';
import { actorId, type Principal } from '../../core/access/principal';
import { rolesGrant, type Permission, type PlatformPermission } from '../../core/access/permissions';
import { TenantRoleSchema } from '../../core/access/roles';
import { Forbidden } from '../../core/errors';
import type { PrincipalResolver } from '../../core/identity/principal-resolver';
import type { Platform } from '../../core/platform/platform';
import { PLANS } from '../../core/tenancy/plans';
import type { TenantRateLimit } from '../../core/tenancy/tenant-rate-limit';
import { tenantScope } from '../../core/tenancy/tenant-scope';
import type { ApiEnv } from './env';
import { IdempotencyParameter, idempotency } from './idempotency';

/** The OpenAPI extension naming the permission a route requires (read by the isolation and role-matrix tests). */
export const PERMISSION_EXTENSION = 'x-steward-permission';

/**
 * Route factories. Every route is built by exactly one of these, so none can
 * exist without declaring who may call it: `tenantRoute` (a tenant permission
 * from core/access/permissions.ts), `platformRoute` (platform administration)
 * or `publicRoute`. The guard runs before validation and the handler.
 */
export interface Guards {
  tenantRoute<R extends Omit<RouteConfig, 'security' | 'middleware'>>(permission: Permission, config: R): R & { middleware: MiddlewareHandler[] };
  platformRoute<R extends Omit<RouteConfig, 'security' | 'middleware'>>(permission: PlatformPermission, config: R): R & { middleware: MiddlewareHandler[] };
  publicRoute<R extends Omit<RouteConfig, 'security' | 'middleware'>>(config: R): R & { middleware: MiddlewareHandler[] };
}

// What the Lambda authorizer passes on AWS: API Gateway sets it, a client cannot.
const AuthorizerPrincipal = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('user'), userId: z.string(), tenantId: z.string(), email: z.string(), roles: z.array(TenantRoleSchema) }),
  z.object({ kind: z.literal('token'), tokenId: z.string(), tenantId: z.string(), name: z.string(), roles: z.array(TenantRoleSchema) }),
  z.object({ kind: z.literal('platform-admin'), adminId: z.string(), email: z.string() }),
]);

export function createGuards(platform: Platform, resolver: PrincipalResolver, limiter: TenantRateLimit): Guards {
  const principalOf = async (c: Context<ApiEnv>): Promise<Principal> => {
    const fromAuthorizer = authorizerPrincipal(c);
    if (fromAuthorizer && platform.settings.STEWARD_MODE === 'aws') return fromAuthorizer;
    return resolver.resolve(c.req.header('authorization'));
  };

  const tenantGuard =
    (permission: Permission): MiddlewareHandler<ApiEnv> =>
    async (c, next) => {
      const principal = await principalOf(c);
      if (principal.kind === 'platform-admin') throw new Forbidden('platform administrators do not act inside tenants');
      if (!rolesGrant(principal.roles, permission)) throw new Forbidden(`your roles (${principal.roles.join(', ')}) do not grant '${permission}'`);
      const tenant = await resolver.activeTenant(principal.tenantId);
      // Synchronous in one process; a worker of several awaits only when it must ask for tokens.
      const taken = limiter.take(principal.tenantId, PLANS[tenant.plan].apiRatePerSecond);
      if (taken) await taken;
      const scope = tenantScope(platform, principal, { requestId: c.get('requestId'), sourceIp: sourceIp(c) }, PLANS[tenant.plan]);
      c.set('scope', scope);
      c.set('meta', scope.meta);
      await next();
    };

  const platformGuard =
    (permission: PlatformPermission): MiddlewareHandler<ApiEnv> =>
    async (c, next) => {
      const principal = await principalOf(c);
      if (principal.kind !== 'platform-admin') throw new Forbidden(`'${permission}' is for platform administrators`);
      c.set('admin', principal);
      c.set('meta', { actor: actorId(principal), requestId: c.get('requestId'), sourceIp: sourceIp(c) });
      await next();
    };

  const keyed = idempotency({ now: () => platform.now() });

  const publicGuard: MiddlewareHandler<ApiEnv> = async (c, next) => {
    c.set('meta', { actor: 'anonymous', requestId: c.get('requestId'), sourceIp: sourceIp(c) });
    await next();
  };

  return {
    // Every tenant POST honours Idempotency-Key (api/http/idempotency.ts): a creating route cannot forget it.
    tenantRoute: (permission, config) =>
      createRoute({
        ...config,
        security: [{ bearer: [] }],
        [PERMISSION_EXTENSION]: permission,
        // Declared as a parameter, not as request.headers: a header schema would add a validator run on every POST.
        ...(config.method === 'post' ? { parameters: [IdempotencyParameter] } : {}),
        middleware: config.method === 'post' ? [tenantGuard(permission), keyed] : [tenantGuard(permission)],
      } as never),
    platformRoute: (permission, config) =>
      createRoute({ ...config, security: [{ bearer: [] }], [PERMISSION_EXTENSION]: permission, middleware: [platformGuard(permission)] } as never),
    publicRoute: (config) => createRoute({ ...config, security: [], [PERMISSION_EXTENSION]: 'public', middleware: [publicGuard] } as never),
  };
}

function authorizerPrincipal(c: Context<ApiEnv>): Principal | undefined {
  const raw = (c.env as { event?: { requestContext?: { authorizer?: { principal?: string } } } } | undefined)?.event?.requestContext?.authorizer?.principal;
  if (!raw) return undefined;
  const parsed = AuthorizerPrincipal.safeParse(JSON.parse(raw));
  return parsed.success ? parsed.data : undefined;
}

function sourceIp(c: Context<ApiEnv>): string | undefined {
  const event = (c.env as { event?: { requestContext?: { identity?: { sourceIp?: string } } } } | undefined)?.event;
  if (event?.requestContext?.identity?.sourceIp) return event.requestContext.identity.sourceIp;
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
  return incoming?.socket?.remoteAddress;
}
