import type { MetadataTable } from '../../ports/metadata-store';
import type { IdentityParts } from '../../platform/platform';
import type { IdTokenClaims, IdTokenVerifier } from '../../ports/id-tokens';
import { JwtIdTokenVerifier } from './jwt-verifier';
import { LocalIdTokenIssuer } from './local-issuer';
import { LocalUserDirectory } from './local-user-directory';

/**
 * Local identity: the embedded issuer signs Cognito-shaped ID tokens, and the
 * very verifier used on AWS checks them, fed the issuer's JWKS directly.
 */
export function localIdentity(platformTable: MetadataTable, options: { issuer: string; audience: string }): IdentityParts {
  const issuer = new LocalIdTokenIssuer(platformTable, options.issuer, options.audience);
  let verifier: Promise<IdTokenVerifier> | undefined;
  return {
    issuer,
    directory: new LocalUserDirectory(platformTable),
    verifier: {
      async verify(token: string): Promise<IdTokenClaims> {
        verifier ??= issuer.jwks().then((jwks) => new JwtIdTokenVerifier({ issuer: options.issuer, audience: options.audience, jwks }));
        return (await verifier).verify(token);
      },
    },
  };
}
