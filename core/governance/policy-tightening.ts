import { z } from 'zod';
import { Forbidden, type InvalidField, ValidationFailed } from '../errors';
import { type ApprovalPolicy, describePolicyRef, EVALUATION_SOURCES } from './approval-policy';
import { GateProblem, parseGate } from './gate-expression';
import { GATE_METRICS, type GateMetric } from './gate-metrics';
import type { GoverningPolicy } from './policy-store';

/**
 * What a pipeline run may add to the policy that governs it: more gates,
 * no automatic approval, fewer evaluation sources. Nothing in it can loosen
 * the policy; the run's outcome is judged under the policy merged with it.
 */
export const PolicyTighteningSchema = z.object({
  gates: z.array(z.string()).default([]),
  autoApprove: z.literal(false).optional(),
  evaluationSources: z.array(z.enum(EVALUATION_SOURCES)).optional(),
});
export type PolicyTightening = z.infer<typeof PolicyTighteningSchema>;

/** A run's policy request as the execution input gives it (core/pipelines/training-request.ts). */
export interface RequestedPolicy {
  readonly metric?: string;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly autoApprove?: boolean;
  readonly gates?: readonly string[];
  readonly evaluationSources?: readonly ('platform' | 'person')[];
}

/**
 * Turns a run's policy request into a tightening of `governing`, or refuses
 * it (Forbidden, naming the field) when it would loosen it: automatic
 * approval the policy does not grant, or evaluation sources it does not
 * count. `metric` with `minimum`/`maximum` become gates. A malformed gate is
 * a ValidationFailed naming it.
 */
export function tighteningOf(requested: RequestedPolicy | undefined, governing: GoverningPolicy): PolicyTightening {
  if (!requested) return { gates: [] };
  const where = describePolicyRef(governing.ref);
  if (requested.autoApprove === true && !governing.policy.autoApprove) {
    throw new Forbidden(`policy.autoApprove: ${where} requires people to approve; a run may ask for a stricter policy, never a looser one`);
  }
  const outside = (requested.evaluationSources ?? []).filter((s) => !governing.policy.evaluationSources.includes(s));
  if (outside.length > 0) {
    throw new Forbidden(`policy.evaluationSources: ${where} does not count ${outside.join(', ')} evaluations; a run may narrow the sources, never widen them`);
  }
  const gates = [...(requested.gates ?? [])];
  if (requested.metric !== undefined) {
    if (requested.minimum !== undefined) gates.push(`${requested.metric} >= ${requested.minimum}`);
    if (requested.maximum !== undefined) gates.push(`${requested.metric} <= ${requested.maximum}`);
  }
  const problems: InvalidField[] = [];
  gates.forEach((gate, index) => {
    try {
      parseGate(gate);
    } catch (error) {
      if (!(error instanceof GateProblem)) throw error;
      problems.push({ field: index < (requested.gates?.length ?? 0) ? `policy.gates.${index}` : 'policy.metric', problem: `${error.problem} (in '${gate}')` });
    }
  });
  if (problems.length > 0) throw new ValidationFailed(`invalid policy request: ${problems.map((p) => `${p.field}: ${p.problem}`).join('; ')}`, problems);
  return {
    gates,
    ...(requested.autoApprove === false ? { autoApprove: false as const } : {}),
    ...(requested.evaluationSources ? { evaluationSources: [...new Set(requested.evaluationSources)] } : {}),
  };
}

/** The governing policy with a run's tightening applied: its gates added, automatic approval only if both allow it, the sources both count. */
export function tightened(policy: ApprovalPolicy, tightening: PolicyTightening | undefined): ApprovalPolicy {
  if (!tightening) return policy;
  return {
    ...policy,
    gates: [...policy.gates, ...tightening.gates],
    autoApprove: policy.autoApprove && tightening.autoApprove !== false,
    evaluationSources: tightening.evaluationSources
      ? policy.evaluationSources.filter((s) => tightening.evaluationSources!.includes(s))
      : policy.evaluationSources,
  };
}

/** A gate that the candidate beats the champion on `metric`, in the metric's direction (for callers that want the classic rule). */
export function beatsChampionGate(metric: GateMetric): string {
  return GATE_METRICS[metric].higherIsBetter ? `${metric} > champion.${metric}` : `${metric} < champion.${metric}`;
}
