import { z } from 'zod';
import { type Evaluation, listEvaluations } from '../catalog/evaluations';
import { loadModelRecord, type ModelRecord } from '../catalog/models';
import type { TenantScope } from '../tenancy/tenant-scope';
import { type ApprovalPolicy, type EvaluationSource, parsedGates, PolicyRefSchema } from './approval-policy';
import { evaluateGate, type GateFacts } from './gate-expression';
import { governingPolicy, type GoverningPolicy } from './policy-store';

export const GateResultSchema = z.object({
  expression: z.string(),
  outcome: z.enum(['passed', 'failed', 'undecided']),
  reason: z.string(),
});

/** How a version stands against the policy's gates, and what that judgement read. */
export const JudgementSchema = z.object({
  policy: PolicyRefSchema,
  /** pass: every gate holds (or there are none); fail: one does not; undecided: one needs a person (the champion lacks a metric). */
  verdict: z.enum(['pass', 'fail', 'undecided']),
  gates: z.array(GateResultSchema),
  /** The candidate's metrics the gates read: the latest counted value of each, and where it came from. */
  metrics: z.record(z.string(), z.number()),
  evaluationIds: z.array(z.string()),
  sources: z.array(z.enum(['platform', 'person'])),
  champion: z.object({ version: z.number().int(), metrics: z.record(z.string(), z.number()) }).optional(),
});
export type Judgement = z.infer<typeof JudgementSchema>;

/**
 * The latest value of each metric over the evaluations whose source the
 * policy counts (a person's posted numbers do not satisfy a platform-only
 * policy), with the evaluations that supplied them.
 */
export function countedMetrics(
  evaluations: readonly Pick<Evaluation, 'evaluationId' | 'createdAt' | 'source' | 'metrics'>[],
  sources: readonly EvaluationSource[],
): { metrics: Record<string, number>; evaluationIds: string[] } {
  const counted = evaluations
    .filter((e) => sources.includes(e.source))
    .sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.evaluationId.localeCompare(b.evaluationId)));
  const metrics: Record<string, number> = {};
  const from = new Map<string, string>();
  for (const evaluation of counted) {
    for (const [name, value] of Object.entries(evaluation.metrics)) {
      metrics[name] = value;
      from.set(name, evaluation.evaluationId);
    }
  }
  return { metrics, evaluationIds: [...new Set(from.values())] };
}

/** The gates of `policy` over the facts given: the pure part of a judgement. */
export function judge(policy: ApprovalPolicy, facts: GateFacts): { verdict: Judgement['verdict']; gates: Judgement['gates'] } {
  const gates = parsedGates(policy).map((gate) => evaluateGate(gate, facts));
  const verdict = gates.some((g) => g.outcome === 'failed') ? 'fail' : gates.some((g) => g.outcome === 'undecided') ? 'undecided' : 'pass';
  return { verdict, gates };
}

/**
 * Judges a version of a model against the policy governing its project (or
 * `governing`, when the caller already resolved it): its counted metrics and
 * those of the model's champion (its `champion` alias, unless that is this
 * version), read from the catalog.
 */
export async function judgeVersion(
  scope: TenantScope,
  modelId: string,
  version: number,
  options: { model?: ModelRecord; governing?: GoverningPolicy } = {},
): Promise<Judgement & { governing: GoverningPolicy }> {
  const model = options.model ?? (await loadModelRecord(scope.table, modelId));
  const policy = options.governing ?? (await governingPolicy(scope, model.projectId));
  const sources = policy.policy.evaluationSources;
  const championVersion = model.aliases.champion;
  const [own, championEvaluations] = await Promise.all([
    listEvaluations(scope, modelId, version),
    championVersion !== undefined && championVersion !== version ? listEvaluations(scope, modelId, championVersion) : Promise.resolve(undefined),
  ]);
  const candidate = countedMetrics(own, sources);
  const champion =
    championEvaluations && championVersion !== undefined
      ? { version: championVersion, metrics: countedMetrics(championEvaluations, sources).metrics }
      : undefined;
  const { verdict, gates } = judge(policy.policy, { candidate: candidate.metrics, ...(champion ? { champion } : {}) });
  return {
    governing: policy,
    policy: policy.ref,
    verdict,
    gates,
    metrics: candidate.metrics,
    evaluationIds: candidate.evaluationIds,
    sources: [...sources],
    ...(champion ? { champion } : {}),
  };
}

export function gateSummary(judgement: Pick<Judgement, 'verdict' | 'gates'>): string {
  if (judgement.gates.length === 0) return 'no gates';
  return judgement.gates.map((g) => `${g.outcome}: ${g.expression} (${g.reason})`).join('; ');
}
