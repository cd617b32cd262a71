import type { MetadataTable } from '../../ports/metadata-store';
import { Logins } from '../../identity/logins';
import { newSecret, sha256Hex } from '../../identity/secrets';
import type { DirectoryUser, Invitation, UserDirectory } from '../../ports/user-directory';

export const INVITATION_TTL_SECONDS = 7 * 24 * 3600;

/**
 * Sign-in identities for the local issuer: a login record per email (unique
 * across the platform) and a one-time invitation whose secret is shown once and
 * stored as a SHA-256 hash.
 */
export class LocalUserDirectory implements UserDirectory {
  readonly kind = 'local' as const;
  private readonly logins: Logins;

  constructor(private readonly platformTable: MetadataTable) {
    this.logins = new Logins(platformTable);
  }

  async provision(user: DirectoryUser, now: Date): Promise<{ platformWrites: ReturnType<Logins['write']>[]; invitation: Invitation }> {
    const secret = `inv_${newSecret()}`;
    const expiresAt = Math.floor(now.getTime() / 1000) + INVITATION_TTL_SECONDS;
    return {
      platformWrites: [
        this.logins.write({ email: user.email, kind: 'user', tenantId: user.tenantId, subjectId: user.userId, failedAttempts: 0, revision: 1 }),
        this.logins.writeInvitation(sha256Hex(secret), {
          emailKey: Logins.key(user.email).partition[1],
          tenantId: user.tenantId,
          subjectId: user.userId,
          expiresAt,
        }),
      ],
      invitation: { delivery: 'token', token: secret, expiresAt: new Date(expiresAt * 1000).toISOString() },
    };
  }

  async rolesChanged(): Promise<void> {
    // Roles are read from the tenant's user record on every request.
  }

  async statusChanged(): Promise<void> {
    // Status is read from the tenant's user record on every request.
  }

  async removeAll(users: readonly DirectoryUser[]): Promise<void> {
    for (const user of users) {
      await this.platformTable.transact([{ kind: 'delete', key: Logins.key(user.email), expect: 'any' }]);
    }
  }
}
