import type { MetadataTable } from '../../ports/metadata-store';
import type { MailSender } from '../../ports/mail-sender';
import type { IdentityParts } from '../../platform/platform';
import type { IdTokenClaims, IdTokenVerifier } from '../../ports/id-tokens';
import type { IssuerKeyRing } from './issuer-key-ring';
import { JwtIdTokenVerifier } from './jwt-verifier';
import { LocalIdTokenIssuer } from './local-issuer';
import { LocalUserDirectory } from './local-user-directory';

/** Where earlier versions kept the issuer's private key, readable by anyone who could read the store. */
const LEGACY_KEY_IN_STORE = { partition: ['ISSUER'], sort: 'SIGNING-KEY' };

/**
 * Local identity: the embedded issuer signs Cognito-shaped ID tokens, and the
 * very verifier used on AWS checks them, fed the issuer's JWKS directly (and
 * fed again after a key rotation).
 */
export function localIdentity(
  platformTable: MetadataTable,
  options: { issuer: string; audience: string; keys: IssuerKeyRing; mail: MailSender },
): IdentityParts {
  const issuer = new LocalIdTokenIssuer(options.keys, options.issuer, options.audience);
  let verifier: { version: string; verifier: IdTokenVerifier } | undefined;
  return {
    issuer,
    mail: options.mail,
    directory: new LocalUserDirectory(platformTable),
    verifier: {
      async verify(token: string): Promise<IdTokenClaims> {
        const keys = await options.keys.current();
        if (verifier?.version !== keys.version) {
          verifier = { version: keys.version, verifier: new JwtIdTokenVerifier({ issuer: options.issuer, audience: options.audience, jwks: keys.jwks }) };
        }
        return verifier.verifier.verify(token);
      },
    },
  };
}

/** Deletes a signing key an earlier version stored in the metadata table (idempotent; run at start). */
export async function removeLegacyIssuerKey(platformTable: MetadataTable): Promise<void> {
  await platformTable.transact([{ kind: 'delete', key: LEGACY_KEY_IN_STORE, expect: 'any' }]);
}
