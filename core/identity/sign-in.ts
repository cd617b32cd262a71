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
import { type FailureState, LOCKOUT_MINUTES, LOCKOUT_THRESHOLD, SignInFailures } from './sign-in-failures';
import { takePublicLimit } from './public-route-limits';
import { TenantUsers } from './users';

export const PasswordSchema = z.string().min(12, 'at least 12 characters').max(256);
export const SignInInput = z.object({ email: z.string().trim().toLowerCase().email().max(254), password: z.string().min(1).max(256) });
export const AcceptInvitationInput = z.object({ invitation: z.string().min(10).max(200), password: PasswordSchema });

export { LOCKOUT_MINUTES, LOCKOUT_THRESHOLD } from './sign-in-failures';
const ID_TOKEN_TTL_SECONDS = 3600;
// Every refused sign-in runs scrypt once, against this hash when there is no real one, so timing reveals nothing.
const DUMMY_HASH = hashPassword('steward-timing-equaliser');

export interface SignedIn {
  readonly idToken: string;
  readonly expiresAt: string;
  readonly kind: 'user' | 'platform-admin';
  readonly tenantId?: string;
}

/**
 * Password sign-in against the local issuer. Unknown email, wrong password and
 * locked account get one answer (same error, same message) after the same
 * work (one scrypt run and one counted failure), so an answer never tells
 * which emails exist. Failures are counted atomically per email, known or not;
 * at LOCKOUT_THRESHOLD the email is locked for LOCKOUT_MINUTES.
 */
export async function signIn(platform: Platform, deps: IdentityDeps, input: z.infer<typeof SignInInput>, meta: ActionMeta): Promise<SignedIn> {
  if (!deps.issuer) throw new NotFound('password sign-in (this deployment signs in through Cognito)');
  const table = platform.platformTable();
  const now = platform.now();
  await takePublicLimit(table, 'sign-in', { ip: meta.sourceIp, account: input.email }, now);
  const failures = new SignInFailures(table);
  const [login, state] = await Promise.all([new Logins(table).get(input.email), failures.state(input.email)]);
  const locked = SignInFailures.lockedAt(state, now);
  const passwordMatches = await verifyPassword(input.password, login?.passwordHash ?? (await DUMMY_HASH));
  if (locked || !login?.passwordHash || !passwordMatches) {
    const reason = locked ? 'locked' : !login ? 'unknown-email' : !login.passwordHash ? 'not-activated' : 'wrong-password';
    await recordFailure(platform, failures, meta, input.email, login, state, reason, now);
    throw new Unauthenticated(SIGN_IN_REFUSED);
  }
  const groups = await activeGroups(platform, login);
  if (state.lockedUntil || state.since !== '0') await table.transact([failures.reset(input.email, now)]);
  const issued = await deps.issuer.issue({ subject: login.subjectId, email: login.email, tenantId: login.tenantId, groups }, ID_TOKEN_TTL_SECONDS);
  return { idToken: issued.token, expiresAt: issued.expiresAt.toISOString(), kind: login.kind, tenantId: login.tenantId };
}

/** The one answer to a refused password sign-in, whatever the reason. */
export const SIGN_IN_REFUSED = 'email or password is wrong, or the account is locked for a while after repeated failures';

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

/**
 * Counts the failure (an atomic add: parallel guesses each count), locks at
 * the threshold, and audits it; the lock and its audit event share a
 * transaction. A store failure here fails the request: a failure that could
 * not be counted must not pass as a free guess.
 */
async function recordFailure(
  platform: Platform,
  failures: SignInFailures,
  meta: ActionMeta,
  email: string,
  login: Login | undefined,
  state: FailureState,
  reason: string,
  now: Date,
): Promise<void> {
  const failedAttempts = await failures.count(email, state, now);
  const lock = !SignInFailures.lockedAt(state, now) && failedAttempts >= LOCKOUT_THRESHOLD ? new Date(now.getTime() + LOCKOUT_MINUTES * 60_000) : undefined;
  const audit = auditWrite(
    { ...meta, actor: 'anonymous' },
    reason === 'locked' ? 'auth.sign-in-refused-locked' : lock ? 'auth.locked-out' : 'auth.sign-in-failed',
    { type: 'login', id: sha256Hex(email.toLowerCase()).slice(0, 16) },
    { after: { reason, failedAttempts, lockedUntil: lock?.toISOString() ?? state.lockedUntil } },
    now,
  );
  const trail = login?.tenantId ? platform.tenantTable(login.tenantId) : platform.platformTable();
  const writes: Array<readonly [MetadataTable, readonly ScopedWrite[]]> = [[trail, [audit.write]]];
  if (lock) writes.push([platform.platformTable(), [failures.lock(email, lock, SignInFailures.periodOf(state, now))]]);
  await platform.store.transactAcross(writes);
}

/** Sets the password of an invited user and activates them; the invitation works once. */
export async function acceptInvitation(
  platform: Platform,
  deps: IdentityDeps,
  input: z.infer<typeof AcceptInvitationInput>,
  meta: ActionMeta,
): Promise<{ email: string; tenantId?: string }> {
  const logins = new Logins(platform.platformTable());
  const tokenHash = sha256Hex(input.invitation);
  const now = platform.now();
  await takePublicLimit(platform.platformTable(), 'accept-invitation', { ip: meta.sourceIp, account: tokenHash }, now);
  const invitation = await logins.invitation(tokenHash);
  if (!invitation || invitation.expiresAt * 1000 <= now.getTime()) {
    throw new ValidationFailed('the invitation is unknown, used or expired', [{ field: 'body.invitation', problem: 'unknown, used or expired' }]);
  }
  const login = await logins.getByKey(invitation.emailKey);
  if (!login || !invitation.tenantId)
    throw new ValidationFailed('the invitation no longer matches an account', [{ field: 'body.invitation', problem: 'no matching account' }]);
  const tenantTable = platform.tenantTable(invitation.tenantId);
  const users = new TenantUsers(tenantTable);
  const before = await users.get(invitation.subjectId);
  if (!before || before.status !== 'invited') throw new Conflict('this invitation was already used');
  const after = { ...before, status: 'active' as const, updatedAt: now.toISOString(), revision: before.revision + 1 };
  const audit = auditWrite({ ...meta, actor: `user:${before.userId}` }, 'user.activated', { type: 'user', id: before.userId }, { before, after }, now);
  await platform.store.transactAcross([
    [tenantTable, [users.write(after, before.revision), audit.write]],
    [
      platform.platformTable(),
      [
        logins.write({ ...login, passwordHash: await hashPassword(input.password), revision: login.revision + 1 }, login.revision),
        logins.deleteInvitation(tokenHash),
      ],
    ],
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
  const audit = auditWrite(
    { actor: 'system:bootstrap', requestId: 'bootstrap' },
    'platform-admin.created',
    { type: 'platform-admin', id: adminId },
    { after: admin },
    now,
  );
  await table.transact([
    admins.write(admin),
    logins.write({ email, kind: 'platform-admin', subjectId: adminId, passwordHash: await hashPassword(password.data), failedAttempts: 0, revision: 1 }),
    audit.write,
  ]);
  return 'created';
}
