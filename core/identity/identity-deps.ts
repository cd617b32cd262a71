import type { IdTokenIssuer } from '../ports/id-tokens';
import type { UserDirectory } from '../ports/user-directory';

/** What identity use cases need beyond the Platform. */
export interface IdentityDeps {
  readonly directory: UserDirectory;
  /** Local issuer only; absent on AWS, where Cognito signs users in. */
  readonly issuer?: IdTokenIssuer;
  /** Called after any change that affects who may do what (clears auth caches). */
  identityChanged(): void;
}
