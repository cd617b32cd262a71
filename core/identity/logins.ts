import { z } from 'zod';
import type { MetadataTable, ScopedWrite } from '../ports/metadata-store';
import { emailKey } from './secrets';

/**
 * Sign-in records of the local identity issuer (platform table), looked up by
 * email before any tenant is known. On AWS, Cognito holds the equivalent.
 * Status and roles are NOT here: they live in the tenant's user record, read
 * on every request, so disabling a user or changing roles acts at once.
 */
export const LoginSchema = z.object({
  email: z.string(),
  kind: z.enum(['user', 'platform-admin']),
  tenantId: z.string().optional(),
  subjectId: z.string(),
  passwordHash: z.string().optional(),
  failedAttempts: z.number().int().default(0),
  lockedUntil: z.string().optional(),
  revision: z.number().int(),
});
export type Login = z.infer<typeof LoginSchema>;

export const InvitationSchema = z.object({
  emailKey: z.string(),
  tenantId: z.string().optional(),
  subjectId: z.string(),
  expiresAt: z.number().int(),
});
export type Invitation = z.infer<typeof InvitationSchema>;

export class Logins {
  constructor(private readonly table: MetadataTable) {}

  static key(email: string) {
    return { partition: ['LOGIN', emailKey(email)], sort: 'META' };
  }

  static invitationKey(tokenHash: string) {
    return { partition: ['INVITE', tokenHash], sort: 'META' };
  }

  async get(email: string): Promise<Login | undefined> {
    const item = await this.table.get(Logins.key(email));
    return item ? LoginSchema.parse(item) : undefined;
  }

  async getByKey(key: string): Promise<Login | undefined> {
    const item = await this.table.get({ partition: ['LOGIN', key], sort: 'META' });
    return item ? LoginSchema.parse(item) : undefined;
  }

  async invitation(tokenHash: string): Promise<Invitation | undefined> {
    const item = await this.table.get(Logins.invitationKey(tokenHash));
    return item ? InvitationSchema.parse(item) : undefined;
  }

  /** `expect: 'new'` makes an email unique across the platform. */
  write(login: Login, previousVersion?: number): ScopedWrite {
    return {
      kind: 'put',
      key: Logins.key(login.email),
      item: { entity: 'login', ...login },
      expect: previousVersion === undefined ? 'new' : { revision: previousVersion },
    };
  }

  writeInvitation(tokenHash: string, invitation: Invitation): ScopedWrite {
    // expiresAt doubles as the TTL attribute: DynamoDB removes stale invitations.
    return { kind: 'put', key: Logins.invitationKey(tokenHash), item: { entity: 'invitation', ...invitation }, expect: 'new' };
  }

  deleteInvitation(tokenHash: string): ScopedWrite {
    return { kind: 'delete', key: Logins.invitationKey(tokenHash), expect: 'exists' };
  }
}
