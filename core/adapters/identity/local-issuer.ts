import { SignJWT } from 'jose';
import type { IdTokenClaims, IdTokenIssuer } from '../../ports/id-tokens';
import type { IssuerKeyRing } from './issuer-key-ring';

/** The longest an ID token of the local issuer lives; a retired key keeps verifying this long. */
export const LOCAL_ID_TOKEN_MAX_TTL_SECONDS = 3600;

/**
 * The local OIDC-style issuer: RS256 keys from a key ring kept outside the
 * metadata store (a 0600 file in the data folder), tokens shaped like Cognito
 * ID tokens. Local mode only.
 */
export class LocalIdTokenIssuer implements IdTokenIssuer {
  constructor(
    private readonly keys: IssuerKeyRing,
    private readonly issuer: string,
    private readonly audience: string,
  ) {}

  async jwks(): Promise<{ keys: Record<string, unknown>[] }> {
    return (await this.keys.current()).jwks;
  }

  async issue(claims: IdTokenClaims, ttlSeconds: number): Promise<{ token: string; expiresAt: Date }> {
    const { kid, privateKey } = (await this.keys.current()).signing;
    const lifetime = Math.min(ttlSeconds, LOCAL_ID_TOKEN_MAX_TTL_SECONDS);
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
      .setExpirationTime(now + lifetime)
      .setJti(crypto.randomUUID())
      .sign(privateKey);
    return { token, expiresAt: new Date((now + lifetime) * 1000) };
  }
}
