import type { Principal } from '../access/principal';
import { Unauthenticated } from '../errors';
import type { Platform } from '../platform/platform';
import type { IdTokenVerifier } from '../ports/id-tokens';
import { isTenantId } from '../storage/keys';
import { TenantRegistry } from '../tenancy/tenant-registry';
import { tenantAdmitsRequests, type Tenant } from '../tenancy/tenant';
import { CiTokenLookups, parseCiToken, TenantCiTokens } from './ci-tokens';
import { PlatformAdmins } from './platform-admins';
import { sameDigest, sha256Hex } from './secrets';
import { TenantUsers } from './users';

export const PLATFORM_ADMIN_GROUP = 'platform-admin';

/**
 * Turns a bearer credential into a Principal: an ID token (verified signature,
 * then the tenant and the user record must be active; roles come from the
 * record) or a CI token (hash match, not revoked, not expired, tenant active).
 *
 * Lookups are cached for `cacheMs` (default 1 s) to keep the store off the hot
 * path; any identity change made through this process calls `forget()`, so in
 * the local platform a suspension or revocation acts on the very next request.
 */
export class PrincipalResolver {
  private readonly cache = new Map<string, { at: number; value: Promise<unknown> }>();
  private readonly lastUsedWrites = new Map<string, number>();

  constructor(
    private readonly platform: Platform,
    private readonly verifier: IdTokenVerifier,
    private readonly options: { cacheMs?: number } = {},
  ) {}

  forget(): void {
    this.cache.clear();
  }

  async resolve(authorization: string | undefined): Promise<Principal> {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    if (!match) throw new Unauthenticated('missing bearer credential (Authorization: Bearer <token>)');
    const credential = match[1];
    if (credential.startsWith('stw_')) return this.resolveCiToken(credential);
    return this.resolveIdToken(credential);
  }

  private async resolveIdToken(token: string): Promise<Principal> {
    let claims;
    try {
      claims = await this.verifier.verify(token);
    } catch {
      throw new Unauthenticated('the token is invalid or expired');
    }
    if (claims.groups.includes(PLATFORM_ADMIN_GROUP) && !claims.tenantId) {
      const admin = await this.cached(`admin:${claims.subject}`, () => new PlatformAdmins(this.platform.platformTable()).get(claims.subject));
      if (!admin || admin.status !== 'active') throw new Unauthenticated('this administrator account is not active');
      return { kind: 'platform-admin', adminId: admin.adminId, email: admin.email };
    }
    const tenantId = claims.tenantId;
    if (!tenantId || !isTenantId(tenantId)) throw new Unauthenticated('the token carries no tenant');
    await this.activeTenant(tenantId);
    const user = await this.cached(`user:${tenantId}:${claims.subject}`, () => new TenantUsers(this.platform.tenantTable(tenantId)).get(claims.subject));
    if (!user || user.status !== 'active') throw new Unauthenticated('this user is not active in the tenant');
    return { kind: 'user', userId: user.userId, tenantId, email: user.email, roles: user.roles };
  }

  private async resolveCiToken(credential: string): Promise<Principal> {
    const parsed = parseCiToken(credential);
    if (!parsed) throw new Unauthenticated('malformed CI token');
    const lookup = await this.cached(`token:${parsed.tokenId}`, () => new CiTokenLookups(this.platform.platformTable()).get(parsed.tokenId));
    if (!lookup || !sameDigest(sha256Hex(parsed.secret), lookup.secretHash)) throw new Unauthenticated('unknown CI token');
    if (lookup.revoked) throw new Unauthenticated('this CI token was revoked');
    const now = this.platform.now();
    if (Date.parse(lookup.expiresAt) <= now.getTime()) throw new Unauthenticated('this CI token has expired');
    await this.activeTenant(lookup.tenantId);
    this.touch(lookup.tenantId, lookup.tokenId, now);
    return { kind: 'token', tokenId: lookup.tokenId, tenantId: lookup.tenantId, name: lookup.name, roles: lookup.roles };
  }

  /** The tenant if it admits requests (cached like every lookup here). */
  async activeTenant(tenantId: string): Promise<Tenant> {
    const tenant = await this.cached(`tenant:${tenantId}`, () => new TenantRegistry(this.platform.platformTable()).get(tenantId));
    if (!tenant) throw new Unauthenticated('unknown tenant');
    if (!tenantAdmitsRequests(tenant)) throw new Unauthenticated(`tenant is ${tenant.status}`);
    return tenant;
  }

  /** Records last use at most once a minute per token, off the request path. */
  private touch(tenantId: string, tokenId: string, now: Date): void {
    const last = this.lastUsedWrites.get(tokenId) ?? 0;
    if (now.getTime() - last < 60_000) return;
    this.lastUsedWrites.set(tokenId, now.getTime());
    void this.platform
      .tenantTable(tenantId)
      .patch(TenantCiTokens.key(tokenId), { lastUsedAt: now.toISOString() })
      .catch((error: unknown) => this.platform.log.warn('could not record token use', { tokenId, error: String(error) }));
  }

  private cached<T>(key: string, load: () => Promise<T>): Promise<T> {
    const now = Date.now();
    const hit = this.cache.get(key);
    if (hit && now - hit.at < (this.options.cacheMs ?? 1000)) return hit.value as Promise<T>;
    const value = load();
    this.cache.set(key, { at: now, value });
    value.catch(() => this.cache.delete(key));
    return value;
  }
}
