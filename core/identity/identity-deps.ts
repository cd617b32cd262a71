import type { IdTokenIssuer } from '../ports/id-tokens';
import type { MailSender } from '../ports/mail-sender';
import type { ControlPlaneStore } from '../ports/metadata-store';
import type { UserDirectory } from '../ports/user-directory';

/** What identity use cases need beyond the Platform. */
export interface IdentityDeps {
  readonly directory: UserDirectory;
  /** The sign-in indexes and token lookups live in the control plane; only identity use cases get this handle. */
  readonly controlPlane: ControlPlaneStore;
  /** Invitations (locally) and notices go to their recipients by mail, never in an API answer. */
  readonly mail: MailSender;
  /** Local issuer only; absent on AWS, where Cognito signs users in. */
  readonly issuer?: IdTokenIssuer;
  /** Called after any change that affects who may do what (clears auth caches). */
  identityChanged(): void;
}
