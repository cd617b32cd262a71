import { listApprovals } from '../catalog/approval-decision';
import { loadModelRecord } from '../catalog/models';
import { Forbidden } from '../errors';
import type { TenantScope } from '../tenancy/tenant-scope';
import { describePolicyRef } from './approval-policy';
import { governingPolicy } from './policy-store';

/**
 * Why the caller may not deploy a version under the policy governing its
 * model (`approverCannotDeploy`: whoever approved it), or undefined.
 */
export async function deployBarrier(scope: TenantScope, modelId: string, version: number): Promise<string | undefined> {
  const model = await loadModelRecord(scope.table, modelId);
  const governing = await governingPolicy(scope, model.projectId);
  if (!governing.policy.approverCannotDeploy) return undefined;
  const approvals = await listApprovals(scope, modelId, version);
  if (!approvals.some((a) => a.decision === 'approve' && a.decidedBy === scope.meta.actor)) return undefined;
  return `segregation of duties: you approved version ${version}, and ${describePolicyRef(governing.ref)} says whoever approved a version may not deploy it`;
}

/**
 * For deployments: refuses (Forbidden) a caller who approved the version
 * when the governing policy sets `approverCannotDeploy`. Call it before
 * creating or switching a deployment to the version.
 *
 * @example
 * await assertMayDeploy(scope, modelId, 3);
 */
export async function assertMayDeploy(scope: TenantScope, modelId: string, version: number): Promise<void> {
  const barrier = await deployBarrier(scope, modelId, version);
  if (barrier) throw new Forbidden(barrier);
}
