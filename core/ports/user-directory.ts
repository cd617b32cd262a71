import type { ScopedWrite } from './metadata-store';
import type { TenantRole } from '../access/roles';

export interface DirectoryUser {
  readonly tenantId: string;
  readonly userId: string;
  readonly email: string;
  readonly roles: readonly TenantRole[];
}

/**
 * What the directory made: a one-time secret (local) that Steward then mails
 * to the invitee, or a mail Cognito sent itself (AWS). Never an API answer.
 */
export type Invitation = { readonly delivery: 'token'; readonly token: string; readonly expiresAt: string } | { readonly delivery: 'email' };

/** What an API answer may say about an invitation: that it was mailed, and to whom (the caller named the address). */
export interface InvitationSent {
  readonly delivery: 'email';
  readonly to: string;
}

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
