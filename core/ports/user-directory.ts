import type { ScopedWrite } from './metadata-store';
import type { TenantRole } from '../access/roles';

export interface DirectoryUser {
  readonly tenantId: string;
  readonly userId: string;
  readonly email: string;
  readonly roles: readonly TenantRole[];
}

/** How the new user learns to sign in: a one-time secret (local) or a mail sent by Cognito (AWS). */
export type Invitation = { readonly delivery: 'token'; readonly token: string; readonly expiresAt: string } | { readonly delivery: 'email' };

/**
 * Where sign-in identities live: the local issuer's records in the platform
 * table (LocalUserDirectory) or a Cognito user pool (CognitoUserDirectory).
 * Roles and status are authoritative in the tenant's user record either way;
 * the directory mirrors them where its tokens carry them (Cognito groups).
 */
export interface UserDirectory {
  readonly kind: 'local' | 'cognito';
  /** Creates the sign-in identity. Returned platform writes join the caller's transaction. */
  provision(user: DirectoryUser, now: Date): Promise<{ platformWrites: ScopedWrite[]; invitation: Invitation }>;
  rolesChanged(user: DirectoryUser, previous: readonly TenantRole[]): Promise<void>;
  statusChanged(user: DirectoryUser, status: 'active' | 'disabled'): Promise<void>;
  /** Removes every sign-in identity of a deleted tenant's users. */
  removeAll(users: readonly DirectoryUser[]): Promise<void>;
}
