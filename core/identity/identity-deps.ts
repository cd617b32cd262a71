import type { IdTokenIssuer } from '../ports/id-tokens';
import type { ControlPlaneStore } from '../ports/metadata-store';
import type { UserDirectory } from '../ports/user-directory';

/** What identity use cases need beyond the Platform. */
export interface IdentityDeps {
  readonly directory: UserDirectory;
  /** The sign-in indexes and token lookups live in the control plane; only identity use cases get this handle. */
  readonly controlPlane: ControlPlaneStore;
  /** Local issuer only; absent on AWS, where Cognito signs users in. */
  readonly issuer?: IdTokenIssuer;
  /** Called after any change that affects who may do what (clears auth caches). */
  identityChanged(): void;
}
