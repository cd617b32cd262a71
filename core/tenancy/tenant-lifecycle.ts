import { z } from 'zod';
import type { Page } from '../ports/metadata-store';
import { type ActionMeta, auditWrite } from '../audit/audit-event';
import { Conflict, NotFound } from '../errors';
import type { IdentityDeps } from '../identity/identity-deps';
import { Logins } from '../identity/logins';
import { TenantCiTokens, CiTokenLookups } from '../identity/ci-tokens';
import { TenantUsers, type TenantUser } from '../identity/users';
import type { Platform } from '../platform/platform';
import { accountExistsMail, signUpReceivedMail } from '../identity/identity-mail';
import { provisionInvitee, sendNotice } from '../identity/invitations';
import { takePublicLimit } from '../identity/public-route-limits';
import type { InvitationSent } from '../ports/user-directory';
import { ulid } from 'ulid';
import { PlanNameSchema, PLANS, type PlanQuotas } from './plans';
import { assertTenantTransition, publicTenant, type Tenant, type TenantStatus } from './tenant';
import { newTenantId } from './tenant-id';
import { TenantRegistry } from './tenant-registry';
import { readUsage, type Usage } from './usage';

export const SignUpInput = z.object({
  name: z.string().trim().min(2).max(100),
  adminEmail: z.string().trim().toLowerCase().email().max(254),
  plan: PlanNameSchema.default('free'),
});

export const StatusChangeInput = z.object({ reason: z.string().trim().min(3).max(500) });

/**
 * Self-service sign-up: the tenant waits in `requested` until a platform admin
 * approves it. The answer is the same whether or not the address already has
 * an account (that would tell anyone which addresses exist): the address's
 * owner learns which by mail, and approval refuses a taken address.
 */
export async function requestTenant(platform: Platform, deps: IdentityDeps, input: z.infer<typeof SignUpInput>, meta: ActionMeta): Promise<Tenant> {
  await takePublicLimit(platform.platformTable(), 'sign-up', { ip: meta.sourceIp, account: input.adminEmail }, platform.now());
  const taken = await new Logins(platform.platformTable()).get(input.adminEmail);
  const now = platform.now().toISOString();
  const tenant: Tenant = {
    tenantId: newTenantId(),
    name: input.name,
    adminEmail: input.adminEmail,
    plan: input.plan,
    status: 'requested',
    createdAt: now,
    updatedAt: now,
    revision: 1,
  };
  const audit = auditWrite(meta, 'tenant.requested', { type: 'tenant', id: tenant.tenantId }, { after: tenant }, platform.now());
  await platform.store.transactAcross([
    [platform.platformTable(), [new TenantRegistry(platform.platformTable()).write(tenant)]],
    [platform.tenantTable(tenant.tenantId), [audit.write]],
  ]);
  const notice = taken ? accountExistsMail(input.adminEmail, `a new tenant ("${input.name}")`) : signUpReceivedMail(input.adminEmail, input.name);
  await sendNotice(deps.mail, notice, platform.log);
  return tenant;
}

export async function getTenant(platform: Platform, tenantId: string): Promise<Tenant> {
  const tenant = await new TenantRegistry(platform.platformTable()).get(tenantId);
  if (!tenant) throw new NotFound('tenant', tenantId);
  return tenant;
}

export function listTenants(platform: Platform, options: { status?: TenantStatus; limit: number; cursor?: string }): Promise<Page<Tenant>> {
  return new TenantRegistry(platform.platformTable()).list(options);
}

export async function tenantOverview(
  platform: Platform,
  tenantId: string,
): Promise<{ tenant: ReturnType<typeof publicTenant>; quotas: PlanQuotas; usage: Usage }> {
  const tenant = await getTenant(platform, tenantId);
  return { tenant: publicTenant(tenant), quotas: PLANS[tenant.plan], usage: await readUsage(platform.tenantTable(tenantId)) };
}

/**
 * Activates a requested tenant and invites its first tenant admin. The
 * invitation goes to the tenant admin by mail; the approving platform admin
 * learns only that it was sent, never its secret.
 */
export async function approveTenant(
  platform: Platform,
  deps: IdentityDeps,
  tenantId: string,
  meta: ActionMeta,
): Promise<{ tenant: Tenant; invitation: InvitationSent }> {
  const before = await getTenant(platform, tenantId);
  assertTenantTransition(before.status, 'active');
  if (before.status !== 'requested') throw new Conflict('only a requested tenant can be approved; use resume for a suspended one');
  const now = platform.now();
  const after: Tenant = { ...before, status: 'active', updatedAt: now.toISOString(), revision: before.revision + 1 };
  const admin: TenantUser = {
    userId: ulid(now.getTime()).toLowerCase(),
    email: before.adminEmail,
    roles: ['tenant-admin'],
    status: 'invited',
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    createdBy: meta.actor,
    revision: 1,
  };
  // The platform admin may learn that the address is taken (the requester was told by mail); nobody else does.
  const invitee = await provisionInvitee(deps, { tenantId, ...admin }, `the tenant "${before.name}"`, now);
  if (invitee.kind === 'address-taken')
    throw new Conflict(`${before.adminEmail} already has a Steward account; ask the requester for another address, or delete this request`);
  const { platformWrites } = invitee;
  Object.assign(after, await platform.throttling.provision(tenantId, before.plan));
  const table = platform.tenantTable(tenantId);
  await platform.store.transactAcross([
    [platform.platformTable(), [new TenantRegistry(platform.platformTable()).write(after, before.revision), ...platformWrites]],
    [
      table,
      [
        new TenantUsers(table).write(admin),
        auditWrite(meta, 'tenant.approved', { type: 'tenant', id: tenantId }, { before: publicTenant(before), after: publicTenant(after) }, now).write,
        auditWrite(meta, 'user.invited', { type: 'user', id: admin.userId }, { after: admin }, now).write,
      ],
    ],
  ]);
  deps.identityChanged();
  return { tenant: after, invitation: { delivery: 'email', to: admin.email } };
}

export async function changeTenantStatus(
  platform: Platform,
  deps: IdentityDeps,
  tenantId: string,
  to: 'suspended' | 'active',
  reason: string,
  meta: ActionMeta,
): Promise<Tenant> {
  const before = await getTenant(platform, tenantId);
  assertTenantTransition(before.status, to);
  if (to === 'active' && before.status !== 'suspended') throw new Conflict('only a suspended tenant can be resumed; approve a requested one');
  const now = platform.now();
  const after: Tenant = { ...before, status: to, statusReason: reason, updatedAt: now.toISOString(), revision: before.revision + 1 };
  await platform.throttling.setEnabled(before.usageKeyId, to === 'active');
  await platform.store.transactAcross([
    [platform.platformTable(), [new TenantRegistry(platform.platformTable()).write(after, before.revision)]],
    [
      platform.tenantTable(tenantId),
      [
        auditWrite(
          meta,
          to === 'suspended' ? 'tenant.suspended' : 'tenant.resumed',
          { type: 'tenant', id: tenantId },
          { before: publicTenant(before), after: publicTenant(after) },
          now,
        ).write,
      ],
    ],
  ]);
  deps.identityChanged();
  return after;
}

/**
 * Deletes a tenant: refused at once (status `deleted`), then every item and
 * object purged. The audit trail is kept, as is the registry entry, so the
 * deletion itself stays provable.
 */
export async function deleteTenant(
  platform: Platform,
  deps: IdentityDeps,
  tenantId: string,
  reason: string,
  meta: ActionMeta,
): Promise<{ tenant: Tenant; itemsRemoved: number; objectsRemoved: number }> {
  const before = await getTenant(platform, tenantId);
  assertTenantTransition(before.status, 'deleted');
  const now = platform.now();
  const after: Tenant = { ...before, status: 'deleted', statusReason: reason, updatedAt: now.toISOString(), revision: before.revision + 1 };
  await platform.store.transactAcross([
    [platform.platformTable(), [new TenantRegistry(platform.platformTable()).write(after, before.revision)]],
    [
      platform.tenantTable(tenantId),
      [auditWrite(meta, 'tenant.deleted', { type: 'tenant', id: tenantId }, { before: publicTenant(before), after: publicTenant(after) }, now).write],
    ],
  ]);
  deps.identityChanged();
  await platform.throttling.remove(before.usageKeyId);
  const table = platform.tenantTable(tenantId);
  const users = await collect((cursor) => new TenantUsers(table).list({ limit: 100, cursor }));
  const tokens = await collect((cursor) => new TenantCiTokens(table).list({ limit: 100, cursor }));
  await deps.directory.removeAll(users.map((u) => ({ tenantId, ...u })));
  for (const token of tokens) await platform.platformTable().transact([{ kind: 'delete', key: CiTokenLookups.key(token.tokenId), expect: 'any' }]);
  const itemsRemoved = await platform.store.purgeTenant(tenantId);
  const objectsRemoved = await platform.tenantObjects(tenantId).purge();
  return { tenant: after, itemsRemoved, objectsRemoved };
}

async function collect<T>(page: (cursor?: string) => Promise<Page<T>>): Promise<T[]> {
  const all: T[] = [];
  let cursor: string | undefined;
  do {
    const next = await page(cursor);
    all.push(...next.items);
    cursor = next.cursor;
  } while (cursor);
  return all;
}
