import { z } from 'zod';
import { rolesGrant } from '../access/permissions';
import { TENANT_ROLES, TenantRoleSchema, type TenantRole } from '../access/roles';
import { type InvalidField, ValidationFailed } from '../errors';
import { GateProblem, parseGate, type ParsedGate } from './gate-expression';

export const EVALUATION_SOURCES = ['platform', 'person'] as const;
export type EvaluationSource = (typeof EVALUATION_SOURCES)[number];

/**
 * An approval policy: what a version must show, and who must agree, before
 * it is approved. Tenant admins set one per tenant and may override it per
 * project; every change is a new revision.
 */
export const ApprovalPolicySchema = z.object({
  /** Conditions over the version's counted metrics and the champion's (`auc >= 0.8 and auc >= champion.auc - 0.01`); all must hold. */
  gates: z.array(z.string().trim().min(1).max(500)).max(20).default([]),
  approvals: z
    .object({
      /** How many different people must approve (a rejection by any one ends it). */
      count: z.number().int().min(1).max(5).default(1),
      /** An approver must hold at least one of these roles. */
      roles: z.array(TenantRoleSchema).min(1).max(TENANT_ROLES.length).default(['approver']),
    })
    .default({ count: 1, roles: ['approver'] }),
  /** Approve without people when every gate passes; otherwise (or when a gate cannot be judged) the version waits for the approvals. */
  autoApprove: z.boolean().default(false),
  /** Whose evaluations gates read: `platform` (computed by a pipeline) and/or `person` (posted through the API). */
  evaluationSources: z.array(z.enum(EVALUATION_SOURCES)).min(1).max(2).default(['platform', 'person']),
  /** Whoever approved a version may not deploy it. */
  approverCannotDeploy: z.boolean().default(false),
});
export type ApprovalPolicy = z.infer<typeof ApprovalPolicySchema>;

/** The same shape, refusing unknown fields: a mistyped field of a governance rule must not be dropped silently. */
export const StrictApprovalPolicySchema = ApprovalPolicySchema.extend({
  approvals: ApprovalPolicySchema.shape.approvals
    .unwrap()
    .strict()
    .default({ count: 1, roles: ['approver'] }),
}).strict();

/** What applies when a tenant has stored no policy: a person approves every version; no gate, nothing automatic. */
export const DEFAULT_POLICY: ApprovalPolicy = {
  gates: [],
  approvals: { count: 1, roles: ['approver'] },
  autoApprove: false,
  evaluationSources: ['platform', 'person'],
  approverCannotDeploy: false,
};

/** Which stored policy a decision was taken under: the tenant's or a project's, at a revision (0: the built-in default). */
export const PolicyRefSchema = z.object({
  scope: z.enum(['default', 'tenant', 'project']),
  projectId: z.string().optional(),
  revision: z.number().int().min(0),
});
export type PolicyRef = z.infer<typeof PolicyRefSchema>;

export function describePolicyRef(ref: PolicyRef): string {
  if (ref.scope === 'default') return 'the default policy';
  return ref.scope === 'tenant' ? `tenant policy revision ${ref.revision}` : `project ${ref.projectId} policy revision ${ref.revision}`;
}

/**
 * Checks a policy as a whole, beyond its shape: every gate parses and names
 * known metrics, and the approvals can be given by someone — each required
 * role must hold `approvals:decide`, or no version could ever be approved.
 * Throws ValidationFailed naming each problem (field and why).
 */
export function validatePolicy(raw: unknown, field = 'body'): { policy: ApprovalPolicy; gates: ParsedGate[] } {
  const parsed = StrictApprovalPolicySchema.safeParse(raw);
  if (!parsed.success) {
    throw new ValidationFailed(
      `invalid approval policy: ${parsed.error.issues.map((i) => `${[field, ...i.path.map(String)].join('.')}: ${i.message}`).join('; ')}`,
      parsed.error.issues.map((i) => ({ field: [field, ...i.path.map(String)].join('.'), problem: i.message })),
    );
  }
  const policy = parsed.data;
  const problems: InvalidField[] = [];
  const gates: ParsedGate[] = [];
  policy.gates.forEach((expression, index) => {
    try {
      gates.push(parseGate(expression));
    } catch (error) {
      if (!(error instanceof GateProblem)) throw error;
      problems.push({ field: `${field}.gates.${index}`, problem: `${error.problem} (in '${expression}')` });
    }
  });
  const unable = policy.approvals.roles.filter((role) => !rolesGrant([role], 'approvals:decide'));
  if (unable.length > 0) {
    const able = TENANT_ROLES.filter((role) => rolesGrant([role], 'approvals:decide'));
    problems.push({
      field: `${field}.approvals.roles`,
      problem: `no one could satisfy this policy: ${unable.map((r) => `'${r}'`).join(', ')} cannot decide approvals (only ${able.join(', ')} can)`,
    });
  }
  if (new Set(policy.approvals.roles).size !== policy.approvals.roles.length)
    problems.push({ field: `${field}.approvals.roles`, problem: 'a role is listed twice' });
  if (new Set(policy.evaluationSources).size !== policy.evaluationSources.length)
    problems.push({ field: `${field}.evaluationSources`, problem: 'a source is listed twice' });
  if (problems.length > 0) throw new ValidationFailed(`invalid approval policy: ${problems.map((p) => `${p.field}: ${p.problem}`).join('; ')}`, problems);
  return { policy, gates };
}

/** The gates of a stored (already validated) policy, parsed. */
export function parsedGates(policy: Pick<ApprovalPolicy, 'gates'>): ParsedGate[] {
  return policy.gates.map((g) => parseGate(g));
}

export function rolesSatisfy(roles: readonly TenantRole[], policy: ApprovalPolicy): boolean {
  return roles.some((role) => policy.approvals.roles.includes(role));
}
