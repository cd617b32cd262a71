import { z } from 'zod';
import { auditWrite } from '../audit/audit-event';
import { Conflict, Forbidden } from '../errors';
import { describePolicyRef, type PolicyRef, PolicyRefSchema, rolesSatisfy } from '../governance/approval-policy';
import { gateSummary, judgeVersion, type Judgement } from '../governance/version-judgement';
import type { GoverningPolicy } from '../governance/policy-store';
import type { TenantScope } from '../tenancy/tenant-scope';
import { newCatalogId, pad } from './identifiers';
import { loadModelRecord, type ModelRecord } from './models';
import { assertVersionTransition } from './version-status';
import { loadVersion, type ModelVersion, versionWrite } from './versions';

export const DecisionInput = z.object({
  decision: z.enum(['approve', 'reject']),
  reason: z.string().trim().min(3).max(2000),
  expectedRevision: z.number().int().min(1).optional(),
});

export const ApprovalRecordSchema = z.object({
  approvalId: z.string(),
  modelId: z.string(),
  version: z.number().int(),
  decision: z.enum(['approve', 'reject']),
  reason: z.string(),
  decidedBy: z.string(),
  decidedAt: z.string(),
  /** The policy revision the decision was taken under (absent on decisions recorded before policies were kept). */
  policy: PolicyRefSchema.optional(),
  /** Approvals the policy asked for, and how many were in with this one. */
  approvalsRequired: z.number().int().optional(),
  approvalsGiven: z.number().int().optional(),
});
export type ApprovalRecord = z.infer<typeof ApprovalRecordSchema>;

const SYSTEM_PREFIX = 'system:';

/** Why a caller may not decide: refused outright (forbidden), or not now (conflict). */
export interface Barrier {
  readonly kind: 'forbidden' | 'conflict';
  readonly reason: string;
}

/** Who built a version, and so may not decide on it: its registrant, whoever started the run that trained it, the model's owner. */
export function buildersOf(model: Pick<ModelRecord, 'owner'>, version: Pick<ModelVersion, 'createdBy' | 'lineage'>): string[] {
  return [version.createdBy, version.lineage.startedBy, model.owner].filter((b): b is string => typeof b === 'string');
}

/**
 * Why `scope`'s caller may not decide on a version now, given the policy
 * that governs it (empty: they may). Shared by the decision itself and the
 * approvals inbox, so both give the same reasons.
 */
export function decisionBarriers(
  scope: TenantScope,
  input: {
    model: ModelRecord;
    version: ModelVersion;
    governing: GoverningPolicy;
    approvals: readonly ApprovalRecord[];
    judgement: Pick<Judgement, 'verdict' | 'gates'>;
  },
  decision: 'approve' | 'reject',
): Barrier[] {
  const { model, version, governing, approvals, judgement } = input;
  const out: Barrier[] = [];
  const forbidden = (reason: string) => out.push({ kind: 'forbidden', reason });
  const conflict = (reason: string) => out.push({ kind: 'conflict', reason });
  if (buildersOf(model, version).includes(scope.meta.actor)) {
    forbidden('segregation of duties: you registered this version, started the run that trained it, or own the model, so someone else must decide');
  }
  if (!rolesSatisfy(scope.principal.roles, governing.policy)) {
    forbidden(
      `${describePolicyRef(governing.ref)} takes decisions from ${governing.policy.approvals.roles.join(' or ')}; your roles (${scope.principal.roles.join(', ') || 'none'}) are not among them`,
    );
  }
  if (version.status !== 'pending-approval') conflict(`version ${version.version} is ${version.status}, not pending-approval`);
  if (approvals.some((a) => a.decidedBy === scope.meta.actor)) conflict('you have already decided on this version; another person must give the next approval');
  if (decision === 'approve' && judgement.verdict === 'fail')
    conflict(`the gates of ${describePolicyRef(governing.ref)} fail, and no approval overrides a failed gate: ${gateSummary(judgement)}`);
  return out;
}

/**
 * A person's decision on a version awaiting approval, under the policy that
 * governs the model's project now. Segregation of duties: whoever registered
 * the version, started the run that trained it, or owns the model cannot
 * decide. The caller must hold one of the policy's approver roles and may
 * decide once. An approval is refused while a gate fails. The version is
 * approved when the policy's count of approvals is in; a rejection ends it.
 * The decision record (naming the policy revision), the version's change
 * and the audit event are one transaction, guarded by the version's revision
 * (two approvals at once cannot both count as the last).
 */
export async function decideOnVersion(
  scope: TenantScope,
  modelId: string,
  number: number,
  input: z.infer<typeof DecisionInput>,
): Promise<{ version: ModelVersion; approval: ApprovalRecord }> {
  const [model, before] = await Promise.all([loadModelRecord(scope.table, modelId), loadVersion(scope.table, modelId, number)]);
  const [judgement, approvals] = await Promise.all([judgeVersion(scope, modelId, number, { model }), listApprovals(scope, modelId, number)]);
  const governing = judgement.governing;
  const barriers = decisionBarriers(scope, { model, version: before, governing, approvals, judgement }, input.decision);
  const forbidden = barriers.filter((b) => b.kind === 'forbidden');
  if (forbidden.length > 0) throw new Forbidden(forbidden.map((b) => b.reason).join('; '));
  if (before.status !== 'pending-approval') assertVersionTransition(before.status, input.decision === 'approve' ? 'approved' : 'rejected');
  if (barriers.length > 0) throw new Conflict(barriers.map((b) => b.reason).join('; '));
  const required = governing.policy.approvals.count;
  const given = approvals.filter((a) => a.decision === 'approve' && !a.decidedBy.startsWith(SYSTEM_PREFIX)).length + (input.decision === 'approve' ? 1 : 0);
  const to = input.decision === 'reject' ? 'rejected' : given >= required ? 'approved' : 'pending-approval';
  const statusReason =
    to === 'pending-approval'
      ? `${given} of ${required} approvals (${describePolicyRef(governing.ref)}); latest: ${input.reason}`
      : `${input.reason} (${describePolicyRef(governing.ref)})`;
  return commit(scope, before, {
    decision: input.decision,
    reason: input.reason,
    policy: governing.ref,
    required,
    given,
    to,
    statusReason,
    expectedRevision: input.expectedRevision,
  });
}

/**
 * The policy's own decision (`system:approval-policy`): a version whose gates
 * all pass under an auto-approving policy, or one a gate failed. Named by the
 * policy revision it applied.
 */
export async function recordPolicyDecision(
  scope: TenantScope,
  modelId: string,
  number: number,
  input: { decision: 'approve' | 'reject'; reason: string; policy: PolicyRef },
): Promise<{ version: ModelVersion; approval: ApprovalRecord }> {
  const before = await loadVersion(scope.table, modelId, number);
  const to = input.decision === 'approve' ? 'approved' : 'rejected';
  assertVersionTransition(before.status, to);
  return commit(scope, before, { ...input, to, statusReason: input.reason });
}

async function commit(
  scope: TenantScope,
  before: ModelVersion,
  d: {
    decision: 'approve' | 'reject';
    reason: string;
    policy?: PolicyRef;
    required?: number;
    given?: number;
    to: 'approved' | 'rejected' | 'pending-approval';
    statusReason: string;
    expectedRevision?: number;
  },
): Promise<{ version: ModelVersion; approval: ApprovalRecord }> {
  const { modelId, version: number } = before;
  const now = scope.now();
  const approval: ApprovalRecord = {
    approvalId: newCatalogId(now),
    modelId,
    version: number,
    decision: d.decision,
    reason: d.reason,
    decidedBy: scope.meta.actor,
    decidedAt: now.toISOString(),
    ...(d.policy ? { policy: d.policy } : {}),
    ...(d.required !== undefined ? { approvalsRequired: d.required } : {}),
    ...(d.given !== undefined ? { approvalsGiven: d.given } : {}),
  };
  const after: ModelVersion = {
    ...before,
    status: d.to,
    statusReason: d.statusReason.slice(0, 4000),
    updatedAt: now.toISOString(),
    revision: before.revision + 1,
  };
  const action = d.to === 'approved' ? 'version.approved' : d.to === 'rejected' ? 'version.rejected' : 'version.approval-recorded';
  await scope.table.transact([
    versionWrite(after, { revision: d.expectedRevision ?? before.revision }),
    {
      kind: 'put',
      key: { partition: ['MODEL', modelId], sort: `A#${pad(number)}#${approval.approvalId}` },
      item: { entity: 'approval', ...approval },
      expect: 'new',
    },
    auditWrite(
      scope.meta,
      action,
      { type: 'version', id: `${modelId}-${number}` },
      {
        before: { status: before.status },
        after: {
          status: d.to,
          reason: d.reason,
          ...(d.policy ? { policy: d.policy } : {}),
          ...(d.given !== undefined ? { approvalsGiven: d.given, approvalsRequired: d.required } : {}),
        },
      },
      now,
    ).write,
  ]);
  return { version: after, approval };
}

export async function listApprovals(scope: TenantScope, modelId: string, number: number): Promise<ApprovalRecord[]> {
  const page = await scope.table.query<ApprovalRecord & { entity?: string }>({
    partition: ['MODEL', modelId],
    sortBeginsWith: `A#${pad(number)}#`,
    limit: 100,
    consistent: true,
  });
  return page.items.map(({ entity: _e, ...a }) => ApprovalRecordSchema.parse(a));
}
