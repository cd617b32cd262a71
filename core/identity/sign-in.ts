import { ulid } from 'ulid';
import { z } from 'zod';
import type { MetadataTable, ScopedWrite } from '../ports/metadata-store';
import { type ActionMeta, auditWrite } from '../audit/audit-event';
import { Conflict, NotFound, Unauthenticated, ValidationFailed } from '../errors';
import type { Platform } from '../platform/platform';
import { TenantRegistry } from '../tenancy/tenant-registry';
import type { IdentityDeps } from './identity-deps';
import { type Login, Logins } from './logins';
import { PlatformAdmins } from './platform-admins';
import { PLATFORM_ADMIN_GROUP } from './principal-resolver';
import { hashPassword, sha256Hex, verifyPassword } from './secrets';
import { TenantUsers } from './users';

export const PasswordSchema = z.string().min(12, 'at least 12 characters').max(256);
export const SignInInput = z.object({ email: z.string().trim().toLowerCase().email().max(254), password: z.string().min(1).max(256) });
export const AcceptInvitationInput = z.object({ invitation: z.string().min(10).max(200), password: PasswordSchema });

export const LOCKOUT_THRESHOLD = 5;
export const LOCKOUT_MINUTES = 15;
const ID_TOKEN_TTL_SECONDS = 3600;
// Verifying against a real hash when the email is unknown keeps timing from revealing which emails exist.
const DUMMY_HASH = hashPassword('steward-timing-equaliser');

export interface SignedIn {
  readonly idToken: string;
  readonly expiresAt: string;
  readonly kind: 'user' | 'platform-admin';
  readonly tenantId?: string;
}

/** Password sign-in against the local issuer, with lockout after repeated failures. */
export async function signIn(platform: Platform, deps: IdentityDeps, input: z.infer<typeof SignInInput>, meta: ActionMeta): Promise<SignedIn> {
  if (!deps.issuer) throw new NotFound('password sign-in (this deployment signs in through Cognito)');
  const logins = new Logins(platform.platformTable());
  const login = await logins.get(input.email);
  const now = platform.now();
  const refused = new Unauthenticated('email or password is wrong');
  if (!login || !login.passwordHash) {
    await verifyPassword(input.password, await DUMMY_HASH);
    await recordFailure(platform, meta, input.email, login, 'unknown-or-unactivated', now);
    throw refused;
  }
  if (login.lockedUntil && Date.parse(login.lockedUntil) > now.getTime()) {
    await recordFailure(platform, meta, input.email, undefined, 'locked', now, login.tenantId);
    throw new Unauthenticated(`too many failed sign-ins; this account is locked until ${login.lockedUntil}`);
  }
  if (!(await verifyPassword(input.password, login.passwordHash))) {
    await recordFailure(platform, meta, input.email, login, 'wrong-password', now);
    throw refused;
  }
  const groups = await activeGroups(platform, login);
  if (login.failedAttempts > 0 || login.lockedUntil) {
    await platform.platformTable().transact([logins.write({ ...login, failedAttempts: 0, lockedUntil: undefined, revision: login.revision + 1 }, login.revision)]);
  }
  const issued = await deps.issuer.issue({ subject: login.subjectId, email: login.email, tenantId: login.tenantId, groups }, ID_TOKEN_TTL_SECONDS);
  return { idToken: issued.token, expiresAt: issued.expiresAt.toISOString(), kind: login.kind, tenantId: login.tenantId };
}

async function activeGroups(platform: Platform, login: Login): Promise<string[]> {
  if (login.kind === 'platform-admin') {
    const admin = await new PlatformAdmins(platform.platformTable()).get(login.subjectId);
    if (admin?.status !== 'active') throw new Unauthenticated('this administrator account is disabled');
    return [PLATFORM_ADMIN_GROUP];
  }
  const tenant = await new TenantRegistry(platform.platformTable()).get(login.tenantId!);
  if (tenant?.status !== 'active') throw new Unauthenticated(`tenant is ${tenant?.status ?? 'unknown'}`);
  const user = await new TenantUsers(platform.tenantTable(login.tenantId!)).get(login.subjectId);
  if (user?.status !== 'active') throw new Unauthenticated('this user is not active in the tenant');
  return [...user.roles];
}

/** Counts the failure, locks at the threshold, and writes the audit event in the same transaction. */
async function recordFailure(platform: Platform, meta: ActionMeta, email: string, login: Login | undefined, reason: string, now: Date, tenantId = login?.tenantId): Promise<void> {
  const failedAttempts = (login?.failedAttempts ?? 0) + 1;
  const lock = login && failedAttempts >= LOCKOUT_THRESHOLD ? new Date(now.getTime() + LOCKOUT_MINUTES * 60_000).toISOString() : undefined;
  const audit = auditWrite(
    { ...meta, actor: 'anonymous' },
    reason === 'locked' ? 'auth.sign-in-refused-locked' : lock ? 'auth.locked-out' : 'auth.sign-in-failed',
    { type: 'login', id: sha256Hex(email.toLowerCase()).slice(0, 16) },
    { after: { reason, failedAttempts: login ? failedAttempts : undefined, lockedUntil: lock } },
    now,
  );
  const trail = tenantId ? platform.tenantTable(tenantId) : platform.platformTable();
  const writes: Array<readonly [MetadataTable, readonly ScopedWrite[]]> = [[trail, [audit.write]]];
  if (login) {
    writes.push([platform.platformTable(), [new Logins(platform.platformTable()).write({ ...login, failedAttempts, lockedUntil: lock ?? login.lockedUntil, revision: login.revision + 1 }, login.revision)]]);
  }
  await platform.store.transactAcross(writes).catch((error) => platform.log.warn('could not record a failed sign-in', { error: String(error) }));
}

/** Sets the password of an invited user and activates them; the invitation works once. */
export async function acceptInvitation(platform: Platform, deps: IdentityDeps, input: z.infer<typeof AcceptInvitationInput>, meta: ActionMeta): Promise<{ email: string; tenantId?: string }> {
  const logins = new Logins(platform.platformTable());
  const tokenHash = sha256Hex(input.invitation);
  const invitation = await logins.invitation(tokenHash);
  const now = platform.now();
  if (!invitation || invitation.expiresAt * 1000 <= now.getTime()) {
    throw new ValidationFailed('the invitation is unknown, used or expired', [{ field: 'body.invitation', problem: 'unknown, used or expired' }]);
  }
  const login = await logins.getByKey(invitation.emailKey);
  if (!login || !invitation.tenantId) throw new ValidationFailed('the invitation no longer matches an account', [{ field: 'body.invitation', problem: 'no matching account' }]);
  const tenantTable = platform.tenantTable(invitation.tenantId);
  const users = new TenantUsers(tenantTable);
  const before = await users.get(invitation.subjectId);
  if (!before || before.status !== 'invited') throw new Conflict('this invitation was already used');
  const after = { ...before, status: 'active' as const, updatedAt: now.toISOString(), revision: before.revision + 1 };
  const audit = auditWrite({ ...meta, actor: `user:${before.userId}` }, 'user.activated', { type: 'user', id: before.userId }, { before, after }, now);
  await platform.store.transactAcross([
    [tenantTable, [users.write(after, before.revision), audit.write]],
    [platform.platformTable(), [logins.write({ ...login, passwordHash: await hashPassword(input.password), revision: login.revision + 1 }, login.revision), logins.deleteInvitation(tokenHash)]],
  ]);
  deps.identityChanged();
  return { email: login.email, tenantId: invitation.tenantId };
}

/**
 * Creates the first platform administrator — the explicit bootstrap step (no
 * default password exists). Refuses once any administrator exists.
 */
export async function bootstrapPlatformAdmin(platform: Platform, input: { email: string; password: string }): Promise<'created' | 'existed'> {
  const email = z.string().trim().toLowerCase().email().parse(input.email);
  const password = PasswordSchema.safeParse(input.password);
  if (!password.success) throw new ValidationFailed('the bootstrap password is too weak', [{ field: 'password', problem: 'at least 12 characters' }]);
  const table = platform.platformTable();
  const admins = new PlatformAdmins(table);
  const logins = new Logins(table);
  const existing = await logins.get(email);
  if (existing?.kind === 'platform-admin') return 'existed';
  if (await admins.any()) throw new Conflict('a platform administrator already exists; the bootstrap runs only once');
  const now = platform.now();
  const adminId = ulid(now.getTime()).toLowerCase();
  const admin = { adminId, email, status: 'active' as const, createdAt: now.toISOString(), revision: 1 };
  const audit = auditWrite({ actor: 'system:bootstrap', requestId: 'bootstrap' }, 'platform-admin.created', { type: 'platform-admin', id: adminId }, { after: admin }, now);
  await table.transact([
    admins.write(admin),
    logins.write({ email, kind: 'platform-admin', subjectId: adminId, passwordHash: await hashPassword(password.data), failedAttempts: 0, revision: 1 }),
    audit.write,
  ]);
  return 'created';
}
