import { z } from 'zod';
import { APPROVAL_OUTCOMES, approvalDecisionSchema } from '../../core/pipelines/approval-policy';
import { applyApprovalOutcome, versionRefOf, versionRefSchema } from '../../core/pipelines/pipeline-versions';
import { stepScope } from '../../core/pipelines/step-context';
import { ValidationFailed } from '../../core/errors';
import { defineStep, lambdaHandler } from './define-step';

export { POLICY_ACTOR } from '../../core/pipelines/pipeline-versions';

/**
 * `AutoApprove` / `RequestApproval` / `RejectCandidate`: one step, three Task
 * states; each passes the outcome its branch stands for. The version goes to
 * `pending-approval`; an automatic outcome is then decided through the
 * catalog's approval use case by `system:approval-policy`.
 */
export const step = defineStep({
  name: 'set-version-status',
  input: z.object({
    outcome: z.enum(APPROVAL_OUTCOMES),
    version: versionRefSchema,
    decision: approvalDecisionSchema,
  }),
  run: async (platform, input, ctx) => {
    if (input.outcome !== input.decision.outcome) {
      throw new ValidationFailed(`the ${input.outcome} branch was entered with a ${input.decision.outcome} decision`, [
        { field: 'outcome', problem: 'differs from decision.outcome' },
      ]);
    }
    const { scope } = await stepScope(platform, ctx);
    return versionRefOf(await applyApprovalOutcome(scope, input.version, input.decision));
  },
});

export const handler = lambdaHandler(step);
