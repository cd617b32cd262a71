import { z } from 'zod';
import { auditWrite } from '../audit/audit-event';
import { Forbidden } from '../errors';
import type { TenantScope } from '../tenancy/tenant-scope';
import { newCatalogId, pad } from './identifiers';
import { loadModelRecord } from './models';
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
});
export type ApprovalRecord = z.infer<typeof ApprovalRecordSchema>;

/**
 * An approver's decision on a version awaiting approval. Segregation of
 * duties: whoever registered the version, started the pipeline run that
 * trained it, or owns the model, cannot decide on it. The decision record, the status change and the audit event are one
 * transaction. (Tenant approval policies — required roles, number of
 * approvers, metric gates — build on this record.)
 */
export async function decideOnVersion(scope: TenantScope, modelId: string, number: number, input: z.infer<typeof DecisionInput>): Promise<{ version: ModelVersion; approval: ApprovalRecord }> {
  const [model, before] = await Promise.all([loadModelRecord(scope.table, modelId), loadVersion(scope.table, modelId, number)]);
  const builders = [before.createdBy, before.lineage.startedBy, model.owner];
  if (builders.includes(scope.meta.actor)) {
    throw new Forbidden('segregation of duties: you registered this version, started the run that trained it, or own the model, so someone else must decide');
  }
  const to = input.decision === 'approve' ? 'approved' : 'rejected';
  assertVersionTransition(before.status, to);
  const now = scope.now();
  const approval: ApprovalRecord = {
    approvalId: newCatalogId(now),
    modelId,
    version: number,
    decision: input.decision,
    reason: input.reason,
    decidedBy: scope.meta.actor,
    decidedAt: now.toISOString(),
  };
  const after: ModelVersion = { ...before, status: to, statusReason: input.reason, updatedAt: now.toISOString(), revision: before.revision + 1 };
  await scope.table.transact([
    versionWrite(after, { revision: input.expectedRevision ?? before.revision }),
    { kind: 'put', key: { partition: ['MODEL', modelId], sort: `A#${pad(number)}#${approval.approvalId}` }, item: { entity: 'approval', ...approval }, expect: 'new' },
    auditWrite(scope.meta, input.decision === 'approve' ? 'version.approved' : 'version.rejected', { type: 'version', id: `${modelId}-${number}` }, { before: { status: before.status }, after: { status: to, reason: input.reason } }, now).write,
  ]);
  return { version: after, approval };
}

export async function listApprovals(scope: TenantScope, modelId: string, number: number): Promise<ApprovalRecord[]> {
  const page = await scope.table.query<ApprovalRecord & { entity?: string }>({ partition: ['MODEL', modelId], sortBeginsWith: `A#${pad(number)}#`, limit: 100 });
  return page.items.map(({ entity: _e, ...a }) => ApprovalRecordSchema.parse(a));
}
