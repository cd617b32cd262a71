import { exportJWK, generateKeyPair, importJWK, type JWK, SignJWT } from 'jose';
import { z } from 'zod';
import type { MetadataTable } from '../../ports/metadata-store';
import type { IdTokenClaims, IdTokenIssuer } from '../../ports/id-tokens';

const StoredKeySchema = z.object({ kid: z.string(), privateJwk: z.record(z.string(), z.unknown()), publicJwk: z.record(z.string(), z.unknown()) });

/**
 * The local OIDC-style issuer: an RS256 key pair kept in the platform table (so
 * tokens survive restarts), tokens shaped like Cognito ID tokens. Local mode only.
 */
export class LocalIdTokenIssuer implements IdTokenIssuer {
  private key?: Promise<{ kid: string; privateKey: CryptoKey | Uint8Array; publicJwk: JWK }>;

  constructor(private readonly table: MetadataTable, private readonly issuer: string, private readonly audience: string) {}

  private load() {
    this.key ??= (async () => {
      const ref = { partition: ['ISSUER'], sort: 'SIGNING-KEY' };
      let stored = await this.table.get(ref);
      if (!stored) {
        const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
        const kid = crypto.randomUUID();
        const candidate = { kid, privateJwk: await exportJWK(privateKey), publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
        try {
          await this.table.transact([{ kind: 'put', key: ref, item: { entity: 'issuer-key', ...candidate }, expect: 'new' }]);
          stored = candidate;
        } catch {
          stored = await this.table.get(ref); // another process created it first
        }
      }
      const parsed = StoredKeySchema.parse(stored);
      return { kid: parsed.kid, privateKey: await importJWK(parsed.privateJwk as unknown as JWK, 'RS256'), publicJwk: parsed.publicJwk as unknown as JWK };
    })();
    return this.key;
  }

  async jwks(): Promise<{ keys: Record<string, unknown>[] }> {
    const { publicJwk } = await this.load();
    return { keys: [publicJwk as unknown as Record<string, unknown>] };
  }

  async issue(claims: IdTokenClaims, ttlSeconds: number): Promise<{ token: string; expiresAt: Date }> {
    const { kid, privateKey } = await this.load();
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({
      token_use: 'id',
      'cognito:username': claims.subject,
      email: claims.email,
      ...(claims.tenantId ? { 'custom:tenantId': claims.tenantId } : {}),
      'cognito:groups': [...claims.groups],
      auth_time: now,
    })
      .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
      .setIssuer(this.issuer)
      .setAudience(this.audience)
      .setSubject(claims.subject)
      .setIssuedAt(now)
      .setExpirationTime(now + ttlSeconds)
      .setJti(crypto.randomUUID())
      .sign(privateKey);
    return { token, expiresAt: new Date((now + ttlSeconds) * 1000) };
  }
}
