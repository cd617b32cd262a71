import { z } from 'zod';
import { loadModelRecord } from '../catalog/models';
import { PolicyRefSchema } from '../governance/approval-policy';
import { governingPolicy } from '../governance/policy-store';
import { tightened } from '../governance/policy-tightening';
import { GateResultSchema, judgeVersion, type Judgement } from '../governance/version-judgement';
import type { TenantScope } from '../tenancy/tenant-scope';
import type { TrainingPlan } from './training-request';

export const APPROVAL_OUTCOMES = ['AUTO_APPROVED', 'PENDING_APPROVAL', 'REJECTED'] as const;
export type ApprovalOutcome = (typeof APPROVAL_OUTCOMES)[number];

export const approvalDecisionSchema = z.object({
  outcome: z.enum(APPROVAL_OUTCOMES),
  metric: z.string(),
  value: z.number().nullable(),
  reasons: z.array(z.string()),
  /** The policy revision the outcome was decided under (the tenant's or the project's, as it stood at this step). */
  policy: PolicyRefSchema.optional(),
  gates: z.array(GateResultSchema).optional(),
});

export type ApprovalDecision = z.infer<typeof approvalDecisionSchema>;

/**
 * The outcome of a judgement: REJECTED when a gate fails; PENDING_APPROVAL
 * when a gate cannot be judged (the champion lacks a metric: a person
 * compares) or the policy wants people; AUTO_APPROVED only when every gate
 * passes and the policy approves automatically.
 */
export function outcomeOf(judgement: Pick<Judgement, 'verdict' | 'gates'>, autoApprove: boolean): { outcome: ApprovalOutcome; reasons: string[] } {
  const said = (outcome: 'passed' | 'failed' | 'undecided') => judgement.gates.filter((g) => g.outcome === outcome).map((g) => `${g.expression}: ${g.reason}`);
  if (judgement.verdict === 'fail') return { outcome: 'REJECTED', reasons: said('failed') };
  if (judgement.verdict === 'undecided')
    return { outcome: 'PENDING_APPROVAL', reasons: [...said('undecided'), 'a person must compare the candidate with the champion'] };
  const passed = judgement.gates.length > 0 ? said('passed') : ['the policy has no gates'];
  return autoApprove
    ? { outcome: 'AUTO_APPROVED', reasons: [...passed, 'the policy approves automatically'] }
    : { outcome: 'PENDING_APPROVAL', reasons: [...passed, 'the policy requires a person to approve'] };
}

/**
 * The approval gate at the end of `train-evaluate`: the version is judged,
 * from the catalog, under the policy that governs the model's project now
 * (tenant policy or project override), tightened by what the run asked
 * (its plan's `policyRequest`) — never by anything that loosens it. The
 * pipeline never waits: a person's decision through the API comes later.
 */
export async function decideByPolicy(scope: TenantScope, input: { plan: TrainingPlan; version: number }): Promise<ApprovalDecision> {
  const { plan } = input;
  const model = await loadModelRecord(scope.table, plan.modelId);
  const governing = await governingPolicy(scope, model.projectId);
  const policy = tightened(governing.policy, plan.policyRequest);
  const judgement = await judgeVersion(scope, plan.modelId, input.version, { model, governing: { ...governing, policy } });
  const { outcome, reasons } = outcomeOf(judgement, policy.autoApprove);
  const value = judgement.metrics[plan.policy.metric];
  return { outcome, metric: plan.policy.metric, value: typeof value === 'number' ? value : null, reasons, policy: governing.ref, gates: judgement.gates };
}
