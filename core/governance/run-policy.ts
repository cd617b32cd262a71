import { loadModelRecord } from '../catalog/models';
import type { TenantScope } from '../tenancy/tenant-scope';
import { governingPolicy } from './policy-store';
import { type PolicyTightening, type RequestedPolicy, tighteningOf } from './policy-tightening';

/**
 * A pipeline run's policy request against the policy governing the model it
 * trains (its project's override or the tenant's): the tightening the run
 * will be judged with, or Forbidden when the request would loosen it.
 */
export async function requestedTightening(scope: TenantScope, modelId: string, requested: RequestedPolicy | undefined): Promise<PolicyTightening> {
  const model = await loadModelRecord(scope.table, modelId);
  return tighteningOf(requested, await governingPolicy(scope, model.projectId));
}
