import { ulid } from 'ulid';
import { z } from 'zod';
import type { Page } from '../ports/metadata-store';
import { TenantRoleSchema } from '../access/roles';
import { auditWrite } from '../audit/audit-event';
import { Conflict, Forbidden, NotFound } from '../errors';
import type { InvitationSent } from '../ports/user-directory';
import { accountExistsMail } from './identity-mail';
import { provisionInvitee, sendNotice } from './invitations';
import type { TenantScope } from '../tenancy/tenant-scope';
import type { IdentityDeps } from './identity-deps';
import { type TenantUser, TenantUsers } from './users';

export const InviteUserInput = z.object({
  email: z.string().trim().toLowerCase().email().max(254),
  displayName: z.string().trim().min(1).max(120).optional(),
  roles: z
    .array(TenantRoleSchema)
    .min(1)
    .max(5)
    .transform((r) => [...new Set(r)]),
});

export const UpdateUserInput = z
  .object({
    displayName: z.string().trim().min(1).max(120).optional(),
    roles: z
      .array(TenantRoleSchema)
      .min(1)
      .max(5)
      .transform((r) => [...new Set(r)])
      .optional(),
  })
  .refine((v) => v.displayName !== undefined || v.roles !== undefined, { message: 'give displayName or roles' });

/**
 * Invites a user into the caller's tenant. The invitation goes to the invitee
 * by mail; the answer says only that it was sent. An address already in this
 * tenant is a Conflict (the caller can list its own users anyway); an address
 * with an account elsewhere on the platform is not revealed: the user is
 * recorded as invited, and the address's owner gets a notice instead of an
 * invitation.
 */
export async function inviteUser(
  scope: TenantScope,
  deps: IdentityDeps,
  input: z.infer<typeof InviteUserInput>,
): Promise<{ user: TenantUser; invitation: InvitationSent }> {
  const users = new TenantUsers(scope.table);
  if (await users.findByEmail(input.email)) throw new Conflict(`a user with email ${input.email} already exists in this tenant`);
  const now = scope.now();
  const user: TenantUser = {
    userId: ulid(now.getTime()).toLowerCase(),
    email: input.email,
    displayName: input.displayName,
    roles: input.roles,
    status: 'invited',
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    createdBy: scope.meta.actor,
    revision: 1,
  };
  const audit = auditWrite(scope.meta, 'user.invited', { type: 'user', id: user.userId }, { after: user }, now);
  const invitee = await provisionInvitee(deps, { tenantId: scope.tenantId, ...user }, `a Steward tenant (${scope.tenantId})`, now);
  let taken = invitee.kind === 'address-taken';
  if (invitee.kind === 'invited') {
    try {
      await deps.controlPlane.transactAcross([
        [scope.table, [users.write(user), audit.write]],
        [deps.controlPlane.platform(), invitee.platformWrites],
      ]);
    } catch (error) {
      // The address got an account elsewhere since the check: same answer as if it had one before.
      if (!(error instanceof Conflict)) throw error;
      taken = true;
    }
  }
  if (taken) {
    await scope.table.transact([users.write(user), audit.write]);
    await sendNotice(deps.mail, accountExistsMail(input.email, `an invitation to a Steward tenant (${scope.tenantId})`), scope.log);
  }
  return { user, invitation: { delivery: 'email', to: user.email } };
}

export function listUsers(scope: TenantScope, options: { limit: number; cursor?: string }): Promise<Page<TenantUser>> {
  return new TenantUsers(scope.table).list(options);
}

export async function getUser(scope: TenantScope, userId: string): Promise<TenantUser> {
  const user = await new TenantUsers(scope.table).get(userId);
  if (!user) throw new NotFound('user', userId);
  return user;
}

export async function updateUser(scope: TenantScope, deps: IdentityDeps, userId: string, input: z.infer<typeof UpdateUserInput>): Promise<TenantUser> {
  const before = await getUser(scope, userId);
  if (input.roles && isSelf(scope, userId) && before.roles.includes('tenant-admin') && !input.roles.includes('tenant-admin')) {
    throw new Forbidden('you cannot remove your own tenant-admin role; ask another tenant admin');
  }
  const now = scope.now();
  const after: TenantUser = { ...before, ...input, updatedAt: now.toISOString(), revision: before.revision + 1 };
  if (input.roles && before.status !== 'invited') await deps.directory.rolesChanged({ tenantId: scope.tenantId, ...after }, before.roles);
  const audit = auditWrite(scope.meta, 'user.updated', { type: 'user', id: userId }, { before, after }, now);
  await scope.table.transact([new TenantUsers(scope.table).write(after, before.revision), audit.write]);
  deps.identityChanged();
  return after;
}

export async function setUserStatus(scope: TenantScope, deps: IdentityDeps, userId: string, status: 'active' | 'disabled'): Promise<TenantUser> {
  const before = await getUser(scope, userId);
  if (isSelf(scope, userId)) throw new Forbidden('you cannot change your own account status');
  if (status === 'active' && before.status === 'invited') throw new Conflict('the user has not accepted the invitation yet');
  if (before.status === status) return before;
  const now = scope.now();
  const after: TenantUser = { ...before, status, updatedAt: now.toISOString(), revision: before.revision + 1 };
  await deps.directory.statusChanged({ tenantId: scope.tenantId, ...after }, status);
  const audit = auditWrite(scope.meta, status === 'disabled' ? 'user.disabled' : 'user.enabled', { type: 'user', id: userId }, { before, after }, now);
  await scope.table.transact([new TenantUsers(scope.table).write(after, before.revision), audit.write]);
  deps.identityChanged();
  return after;
}

function isSelf(scope: TenantScope, userId: string): boolean {
  return scope.principal.kind === 'user' && scope.principal.userId === userId;
}
