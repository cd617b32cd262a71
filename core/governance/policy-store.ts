import { z } from 'zod';
import { auditWrite } from '../audit/audit-event';
import { pad } from '../catalog/identifiers';
import { getProject } from '../catalog/projects';
import { StaleWrite } from '../errors';
import type { KeyRef, ScopedWrite } from '../ports/metadata-store';
import type { TenantScope } from '../tenancy/tenant-scope';
import { ApprovalPolicySchema, DEFAULT_POLICY, type ApprovalPolicy, type PolicyRef, validatePolicy } from './approval-policy';

/**
 * Approval policies in the tenant's table: the tenant's policy and each
 * project's override, every change a new revision kept forever (history
 * items), written with its audit event in one transaction and guarded by the
 * revision it read (concurrent admins cannot overwrite each other unseen).
 * Removing an override keeps its item, marked inactive, so revisions never
 * restart.
 */

const StoredPolicySchema = z.object({
  policy: ApprovalPolicySchema,
  scope: z.enum(['tenant', 'project']),
  projectId: z.string().optional(),
  revision: z.number().int().min(1),
  active: z.boolean(),
  updatedAt: z.string(),
  updatedBy: z.string(),
});
type StoredPolicy = z.infer<typeof StoredPolicySchema>;

/** A policy as it governs: its rules and which revision of what it is. */
export interface GoverningPolicy {
  readonly policy: ApprovalPolicy;
  readonly ref: PolicyRef;
  readonly updatedAt?: string;
  readonly updatedBy?: string;
}

export interface PolicyRevision extends GoverningPolicy {
  /** False for the revision that removed a project's override. */
  readonly active: boolean;
}

type Target = { scope: 'tenant' } | { scope: 'project'; projectId: string };

function currentKey(target: Target): KeyRef {
  return { partition: ['POLICY'], sort: target.scope === 'tenant' ? 'TENANT' : `PROJECT#${target.projectId}` };
}

function historyPrefix(target: Target): string {
  return target.scope === 'tenant' ? 'REV#TENANT#' : `REV#PROJECT#${target.projectId}#`;
}

function auditTarget(target: Target) {
  return { type: 'approval-policy', id: target.scope === 'tenant' ? 'tenant' : `project-${target.projectId}` };
}

function governing(stored: StoredPolicy): GoverningPolicy {
  return {
    policy: stored.policy,
    ref: { scope: stored.scope, ...(stored.projectId ? { projectId: stored.projectId } : {}), revision: stored.revision },
    updatedAt: stored.updatedAt,
    updatedBy: stored.updatedBy,
  };
}

async function readStored(scope: TenantScope, target: Target): Promise<StoredPolicy | undefined> {
  const item = await scope.table.get(currentKey(target), { consistent: true });
  return item ? StoredPolicySchema.parse(item) : undefined;
}

const DEFAULT_GOVERNING: GoverningPolicy = { policy: DEFAULT_POLICY, ref: { scope: 'default', revision: 0 } };

/** The tenant's policy (the built-in default, revision 0, until an admin sets one). */
export async function tenantPolicy(scope: TenantScope): Promise<GoverningPolicy> {
  const stored = await readStored(scope, { scope: 'tenant' });
  return stored ? governing(stored) : DEFAULT_GOVERNING;
}

/** The policy governing versions of a project's models: its active override, else the tenant's. */
export async function governingPolicy(scope: TenantScope, projectId: string): Promise<GoverningPolicy> {
  const [override, tenant] = await Promise.all([readStored(scope, { scope: 'project', projectId }), tenantPolicy(scope)]);
  return override?.active ? governing(override) : tenant;
}

/** A project's override (if any) and what governs it. 404 for a project not in the tenant's catalog. */
export async function projectPolicy(scope: TenantScope, projectId: string): Promise<{ governing: GoverningPolicy; override?: GoverningPolicy }> {
  await getProject(scope, projectId);
  const [override, tenant] = await Promise.all([readStored(scope, { scope: 'project', projectId }), tenantPolicy(scope)]);
  return override?.active ? { governing: governing(override), override: governing(override) } : { governing: tenant };
}

export const PolicyWriteOptions = z.object({ expectedRevision: z.number().int().min(0).optional() });

/** Sets the tenant's policy. `raw` is checked whole (validatePolicy); nothing is written when it fails. */
export async function setTenantPolicy(scope: TenantScope, raw: unknown, options: { expectedRevision?: number } = {}): Promise<GoverningPolicy> {
  return write(scope, { scope: 'tenant' }, validatePolicy(raw).policy, options.expectedRevision, true);
}

/** Sets a project's override. 404 for a project not in the tenant's catalog (checked before the body). */
export async function setProjectPolicy(
  scope: TenantScope,
  projectId: string,
  raw: unknown,
  options: { expectedRevision?: number } = {},
): Promise<GoverningPolicy> {
  await getProject(scope, projectId);
  return write(scope, { scope: 'project', projectId }, validatePolicy(raw).policy, options.expectedRevision, true);
}

/** Removes a project's override (the tenant's policy governs it again); a project without one is left as it is. */
export async function removeProjectPolicy(scope: TenantScope, projectId: string): Promise<{ removed: boolean; governing: GoverningPolicy }> {
  await getProject(scope, projectId);
  const stored = await readStored(scope, { scope: 'project', projectId });
  if (!stored?.active) return { removed: false, governing: await tenantPolicy(scope) };
  await write(scope, { scope: 'project', projectId }, stored.policy, stored.revision, false);
  return { removed: true, governing: await tenantPolicy(scope) };
}

/** Every revision of the tenant's policy or of a project's override, newest first. */
export async function policyRevisions(
  scope: TenantScope,
  target: Target,
  page: { limit: number; cursor?: string },
): Promise<{ items: PolicyRevision[]; cursor?: string }> {
  if (target.scope === 'project') await getProject(scope, target.projectId);
  const result = await scope.table.query({
    partition: ['POLICY'],
    sortBeginsWith: historyPrefix(target),
    descending: true,
    limit: page.limit,
    cursor: page.cursor,
  });
  return {
    items: result.items.map((item) => {
      const stored = StoredPolicySchema.parse(item);
      return { ...governing(stored), active: stored.active };
    }),
    cursor: result.cursor,
  };
}

async function write(
  scope: TenantScope,
  target: Target,
  policy: ApprovalPolicy,
  expectedRevision: number | undefined,
  active: boolean,
): Promise<GoverningPolicy> {
  const before = await readStored(scope, target);
  const current = before?.revision ?? 0;
  if (expectedRevision !== undefined && expectedRevision !== current) {
    throw new StaleWrite(`the ${target.scope} policy is at revision ${current}, not ${expectedRevision}; re-read it and retry`);
  }
  const now = scope.now();
  const stored: StoredPolicy = {
    policy,
    scope: target.scope,
    ...(target.scope === 'project' ? { projectId: target.projectId } : {}),
    revision: current + 1,
    active,
    updatedAt: now.toISOString(),
    updatedBy: scope.meta.actor,
  };
  const writes: ScopedWrite[] = [
    { kind: 'put', key: currentKey(target), item: { entity: 'approval-policy', ...stored }, expect: before ? { revision: before.revision } : 'new' },
    {
      kind: 'put',
      key: { partition: ['POLICY'], sort: `${historyPrefix(target)}${pad(stored.revision)}` },
      item: { entity: 'approval-policy-revision', ...stored },
      expect: 'new',
    },
    auditWrite(
      scope.meta,
      active ? 'policy.updated' : 'policy.override-removed',
      auditTarget(target),
      {
        before: before ? { revision: before.revision, active: before.active, policy: before.policy } : null,
        after: { revision: stored.revision, active, policy },
      },
      now,
    ).write,
  ];
  await scope.table.transact(writes);
  return governing(stored);
}
