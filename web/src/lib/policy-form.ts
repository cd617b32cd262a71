import type { Schemas } from '../api/client';

/**
 * The approval-policy editor's pure parts: the policy as editable text and back,
 * and the API's invalid fields (`gates.1`, `approvals.count`) grouped by the form
 * field that shows them, so a 4xx lands next to what caused it.
 */
export type ApprovalPolicy = Schemas['ApprovalPolicy'];
export type PolicyRole = ApprovalPolicy['approvals']['roles'][number];
export const POLICY_ROLES: readonly PolicyRole[] = ['approver', 'tenant-admin', 'data-scientist', 'deployer', 'viewer'];

export interface PolicyDraft {
  /** One gate expression per line, e.g. `auc >= 0.8`. */
  readonly gates: string;
  readonly approvalsCount: string;
  readonly roles: readonly PolicyRole[];
  readonly autoApprove: boolean;
  readonly evaluationSources: readonly ('platform' | 'person')[];
  readonly approverCannotDeploy: boolean;
}

export function draftOf(policy: ApprovalPolicy): PolicyDraft {
  return {
    gates: policy.gates.join('\n'),
    approvalsCount: String(policy.approvals.count),
    roles: policy.approvals.roles,
    autoApprove: policy.autoApprove,
    evaluationSources: policy.evaluationSources,
    approverCannotDeploy: policy.approverCannotDeploy,
  };
}

/** The body to PUT. A count that is not a number is sent as typed, so the API names the field. */
export function policyOf(draft: PolicyDraft): ApprovalPolicy {
  const count = Number(draft.approvalsCount.trim());
  return {
    gates: draft.gates
      .split('\n')
      .map((g) => g.trim())
      .filter(Boolean),
    approvals: {
      count: draft.approvalsCount.trim() === '' || !Number.isFinite(count) ? (draft.approvalsCount as unknown as number) : count,
      roles: [...draft.roles],
    },
    autoApprove: draft.autoApprove,
    evaluationSources: [...draft.evaluationSources],
    approverCannotDeploy: draft.approverCannotDeploy,
  };
}

export type PolicyFieldKey = 'gates' | 'approvalsCount' | 'roles' | 'autoApprove' | 'evaluationSources' | 'approverCannotDeploy' | 'other';

/**
 * The API's invalid fields under the form field that shows them. A gate's index is
 * kept in the message ("gate 2: …") since all gates share one text area.
 */
export function policyFieldErrors(invalid: readonly { field: string; problem: string }[] | undefined): Partial<Record<PolicyFieldKey, string[]>> {
  const out: Partial<Record<PolicyFieldKey, string[]>> = {};
  const add = (key: PolicyFieldKey, message: string) => (out[key] ??= []).push(message);
  for (const { field, problem } of invalid ?? []) {
    const path = field.replace(/^body\./, '').replace(/\[(\d+)\]/g, '.$1');
    const gate = /^gates\.(\d+)/.exec(path);
    if (gate) add('gates', `gate ${Number(gate[1]) + 1}: ${problem}`);
    else if (path === 'gates') add('gates', problem);
    else if (path.startsWith('approvals.count')) add('approvalsCount', problem);
    else if (path.startsWith('approvals.roles')) add('roles', problem);
    else if (path.startsWith('autoApprove')) add('autoApprove', problem);
    else if (path.startsWith('evaluationSources')) add('evaluationSources', problem);
    else if (path.startsWith('approverCannotDeploy')) add('approverCannotDeploy', problem);
    else add('other', `${field}: ${problem}`);
  }
  return out;
}
