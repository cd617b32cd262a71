import { JwtRsaVerifier } from 'aws-jwt-verify';
import type { JwtPayload } from 'aws-jwt-verify/jwt-model';
import type { IdTokenClaims, IdTokenVerifier } from '../../ports/id-tokens';

/**
 * Verifies RS256 ID tokens with aws-jwt-verify — Cognito's on AWS, the local
 * issuer's locally: signature against the issuer's JWKS, `iss`, `aud`, expiry,
 * and `token_use = id`. Local mode hands over the JWKS directly (cacheJwks), so
 * verification needs no HTTP round trip to the API itself.
 */
export class JwtIdTokenVerifier implements IdTokenVerifier {
  private readonly verifier;

  constructor(options: { issuer: string; audience: string; jwksUri?: string; jwks?: { keys: Record<string, unknown>[] } }) {
    this.verifier = JwtRsaVerifier.create({
      issuer: options.issuer,
      audience: options.audience,
      jwksUri: options.jwksUri ?? `${options.issuer}/.well-known/jwks.json`,
      customJwtCheck: ({ payload }) => {
        if (payload.token_use !== 'id') throw new Error('not an ID token');
      },
    });
    if (options.jwks) this.verifier.cacheJwks(options.jwks as never);
  }

  async verify(token: string): Promise<IdTokenClaims> {
    const payload: JwtPayload = await this.verifier.verify(token);
    const subject = payload['cognito:username'];
    const email = payload.email;
    if (typeof subject !== 'string' || typeof email !== 'string') throw new Error('token lacks cognito:username or email');
    const tenantId = payload['custom:tenantId'];
    const groups = payload['cognito:groups'];
    return {
      subject,
      email,
      tenantId: typeof tenantId === 'string' && tenantId !== '' ? tenantId : undefined,
      groups: Array.isArray(groups) ? groups.filter((g): g is string => typeof g === 'string') : [],
    };
  }
}
