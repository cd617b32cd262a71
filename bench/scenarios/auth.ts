import { runHttpLoad } from '../drivers/http-load';
import { inPool, onboardTenant } from '../support/api';
import { benchTenant } from '../support/catalog-fixture';
import { required, type Scenario } from './scenario';

/**
 * What authentication costs: GET /me does no work past the tenant guard
 * (credential → principal, role check, tenant lookup, rate limiter, scope), so
 * next to GET /health (no guard) it prices the guard alone. The principal
 * resolver caches its store lookups for 1 s (STEWARD_AUTH_CACHE_MS), so at
 * load the difference is verification: an RS256 signature per request for an
 * ID token, a SHA-256 of the secret for a CI token.
 *
 * One enterprise tenant admits 5,000 req/s (burst 10,000), and GET /me goes
 * faster than that: requests rotate over the credentials of 10 tenants so the
 * rate limiter never answers 429 and the guard is measured, not the limiter.
 */
const AUTH_TENANTS = 10;

function authTenants(context: Parameters<Scenario['run']>[0]) {
  return context.shared.once('tenants:auth', async () => {
    const first = await benchTenant(context);
    const others = await inPool(
      Array.from({ length: AUTH_TENANTS - 1 }, (_, i) => i),
      3,
      (i) => onboardTenant(context.target, `Bench auth ${i + 2}`, { plan: 'enterprise', report: context.report }),
    );
    return [first, ...others];
  });
}

function meScenario(credential: 'id-token' | 'ci-token'): Scenario {
  return {
    name: `me-${credential}`,
    measures:
      credential === 'id-token'
        ? 'GET /me with an ID token (POST /auth/token, role data-scientist): the tenant guard with an RS256 verify per request'
        : 'GET /me with a CI token stw_… (POST /tokens, role data-scientist): the tenant guard with a SHA-256 per request',
    requires: ['api'],
    defaults: { connections: 8, durationSeconds: 10, warmupSeconds: 3 },
    compare: { with: 'health', kind: 'throughput' },
    async run(context) {
      const tenants = await authTenants(context);
      const headers = tenants.map((t) => ({ authorization: `Bearer ${credential === 'id-token' ? t.dataScientistIdToken : t.ciToken}` }));
      const measurement = await runHttpLoad(
        { title: `me-${credential}`, url: `${required(context.target, 'apiUrl')}/me`, next: (seq) => ({ headers: headers[seq % headers.length] }) },
        context.load,
        context.report,
        context.window,
      );
      return {
        ...measurement,
        notes: {
          tenants: tenants.map((t) => t.tenantId),
          plan: 'enterprise',
          credential,
          authCacheMs: 'platform default (1000 unless STEWARD_AUTH_CACHE_MS is set)',
        },
      };
    },
  };
}

export const meIdToken = meScenario('id-token');
export const meCiToken = meScenario('ci-token');
