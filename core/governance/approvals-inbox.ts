import { z } from 'zod';
import { type ApprovalRecord, ApprovalRecordSchema, decisionBarriers, listApprovals } from '../catalog/approval-decision';
import { loadModelRecord, type ModelRecord } from '../catalog/models';
import { searchVersions } from '../catalog/version-catalog';
import { PolicyRefSchema } from './approval-policy';
import { governingPolicy, type GoverningPolicy } from './policy-store';
import { GateResultSchema, judgeVersion } from './version-judgement';

import type { TenantScope } from '../tenancy/tenant-scope';

export const InboxItemSchema = z.object({
  modelId: z.string(),
  modelName: z.string(),
  projectId: z.string(),
  version: z.number().int(),
  statusReason: z.string().optional(),
  registeredBy: z.string(),
  registeredAt: z.string(),
  policy: PolicyRefSchema,
  approvals: z.object({ required: z.number().int(), given: z.number().int(), decisions: z.array(ApprovalRecordSchema) }),
  gates: z.object({ verdict: z.enum(['pass', 'fail', 'undecided']), results: z.array(GateResultSchema), sources: z.array(z.enum(['platform', 'person'])) }),
  metrics: z.record(z.string(), z.number()),
  champion: z.object({ version: z.number().int(), metrics: z.record(z.string(), z.number()) }).optional(),
  /** Whether the caller may approve it now; if not, every reason why. */
  canApprove: z.boolean(),
  cannotApproveBecause: z.array(z.string()),
  canReject: z.boolean(),
});
export type InboxItem = z.infer<typeof InboxItemSchema>;

/**
 * The approvals inbox: versions awaiting approval in the tenant, oldest
 * first, each with the policy that governs it, the approvals in and still
 * needed, its gates judged now (passed, failed, undecided, and why), and
 * whether the caller may approve or reject it — with the reasons when not
 * (segregation of duties, role, already decided, a failed gate).
 */
export async function approvalsInbox(scope: TenantScope, page: { limit: number; cursor?: string }): Promise<{ items: InboxItem[]; cursor?: string }> {
  const pending = await searchVersions(scope, { status: 'pending-approval', order: 'asc' }, page);
  const models = new Map<string, Promise<ModelRecord>>();
  const policies = new Map<string, Promise<GoverningPolicy>>();
  const items = await Promise.all(
    pending.items.map(async (version): Promise<InboxItem> => {
      if (!models.has(version.modelId)) models.set(version.modelId, loadModelRecord(scope.table, version.modelId));
      const model = await models.get(version.modelId)!;
      if (!policies.has(model.projectId)) policies.set(model.projectId, governingPolicy(scope, model.projectId));
      const governing = await policies.get(model.projectId)!;
      const [judgement, approvals] = await Promise.all([
        judgeVersion(scope, model.modelId, version.version, { model, governing }),
        listApprovals(scope, model.modelId, version.version),
      ]);
      const context = { model, version, governing, approvals, judgement };
      const approveBarriers = decisionBarriers(scope, context, 'approve');
      const rejectBarriers = decisionBarriers(scope, context, 'reject');
      return {
        modelId: model.modelId,
        modelName: model.name,
        projectId: model.projectId,
        version: version.version,
        ...(version.statusReason ? { statusReason: version.statusReason } : {}),
        registeredBy: version.createdBy,
        registeredAt: version.createdAt,
        policy: governing.ref,
        approvals: { required: governing.policy.approvals.count, given: approvedBy(approvals), decisions: approvals },
        gates: { verdict: judgement.verdict, results: judgement.gates, sources: judgement.sources },
        metrics: judgement.metrics,
        ...(judgement.champion ? { champion: judgement.champion } : {}),
        canApprove: approveBarriers.length === 0,
        cannotApproveBecause: approveBarriers.map((b) => b.reason),
        canReject: rejectBarriers.length === 0,
      };
    }),
  );
  return { items, cursor: pending.cursor };
}

function approvedBy(approvals: readonly ApprovalRecord[]): number {
  return approvals.filter((a) => a.decision === 'approve' && !a.decidedBy.startsWith('system:')).length;
}
