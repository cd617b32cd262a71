import type { Principal } from '../../core/access/principal';
import type { ActionMeta } from '../../core/audit/audit-event';
import type { Log } from '../../core/ports/log';
import type { TenantScope } from '../../core/tenancy/tenant-scope';

/** Per-request values the middleware chain sets for handlers. */
export interface ApiEnv {
  Variables: {
    requestId: string;
    log: Log;
    /** Set by a tenant route's guard: the verified tenant and actor. */
    scope: TenantScope;
    /** Set by a platform route's guard. */
    admin: Extract<Principal, { kind: 'platform-admin' }>;
    /** Who is acting (anonymous on public routes). */
    meta: ActionMeta;
  };
}
