import { z } from 'zod';
import type { ChampionComparison } from './champion-comparison';
import { fmt } from './champion-comparison';
import type { MetricValues } from './evaluate-model';
import type { TrainingPlan } from './training-request';

export const APPROVAL_OUTCOMES = ['AUTO_APPROVED', 'PENDING_APPROVAL', 'REJECTED'] as const;
export type ApprovalOutcome = (typeof APPROVAL_OUTCOMES)[number];

export const approvalDecisionSchema = z.object({
  outcome: z.enum(APPROVAL_OUTCOMES),
  metric: z.string(),
  value: z.number().nullable(),
  reasons: z.array(z.string()),
});

export type ApprovalDecision = z.infer<typeof approvalDecisionSchema>;

/**
 * The approval gate at the end of `train-evaluate`. A candidate is REJECTED
 * when it misses the policy's threshold or does not beat the champion;
 * otherwise it is AUTO_APPROVED if the policy allows it, else it waits for a
 * person (PENDING_APPROVAL), as it does when the champion has no comparable
 * value (the policy cannot judge what it cannot compare). The pipeline
 * never waits: an approval decision through the API starts `deploy` later.
 */
export function applyApprovalPolicy(input: { policy: TrainingPlan['policy']; metrics: MetricValues; comparison: ChampionComparison }): ApprovalDecision {
  const { policy, metrics, comparison } = input;
  const value = metrics[policy.metric] ?? null;
  const failures: string[] = [];
  if (value === null) failures.push(`${policy.metric} could not be computed on the hold-out set`);
  else {
    if (policy.minimum !== undefined && value < policy.minimum) failures.push(`${policy.metric} ${fmt(value)} is below the minimum ${fmt(policy.minimum)}`);
    if (policy.maximum !== undefined && value > policy.maximum) failures.push(`${policy.metric} ${fmt(value)} is above the maximum ${fmt(policy.maximum)}`);
  }
  if (comparison.comparable && !comparison.candidateWins) failures.push(comparison.reason);
  if (failures.length > 0) return { outcome: 'REJECTED', metric: policy.metric, value, reasons: failures };
  if (!comparison.comparable) {
    return { outcome: 'PENDING_APPROVAL', metric: policy.metric, value, reasons: [comparison.reason, 'a person must compare the candidate with the champion'] };
  }
  const passed = [
    ...(policy.minimum !== undefined ? [`${policy.metric} ${fmt(value!)} meets the minimum ${fmt(policy.minimum)}`] : []),
    ...(policy.maximum !== undefined ? [`${policy.metric} ${fmt(value!)} meets the maximum ${fmt(policy.maximum)}`] : []),
    comparison.reason,
  ];
  return policy.autoApprove
    ? { outcome: 'AUTO_APPROVED', metric: policy.metric, value, reasons: [...passed, 'the policy approves automatically'] }
    : { outcome: 'PENDING_APPROVAL', metric: policy.metric, value, reasons: [...passed, 'the policy requires a person to approve'] };
}
