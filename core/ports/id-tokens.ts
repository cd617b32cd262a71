/**
 * ID tokens as Steward reads them, whoever issued them. Locally the embedded
 * issuer (core/adapters/identity/local-issuer.ts) signs them; on AWS Cognito
 * does, with the same claim names, and the same verifier checks both.
 */
export interface IdTokenClaims {
  /** Steward's user or admin id (`cognito:username`). */
  readonly subject: string;
  readonly email: string;
  /** `custom:tenantId`; absent for platform administrators. */
  readonly tenantId?: string;
  /** `cognito:groups`. */
  readonly groups: readonly string[];
}

export interface IdTokenVerifier {
  /** Resolves with the claims of a valid, unexpired token signed by the trusted issuer; rejects otherwise. */
  verify(token: string): Promise<IdTokenClaims>;
}

export interface IdTokenIssuer {
  issue(claims: IdTokenClaims, ttlSeconds: number): Promise<{ token: string; expiresAt: Date }>;
  /** The public keys, served at /.well-known/jwks.json. */
  jwks(): Promise<{ keys: Record<string, unknown>[] }>;
}
