import { z } from 'zod';
import { approvalDecisionSchema } from '../../core/pipelines/approval-policy';
import { transitionModelVersion, versionRefSchema } from '../../core/pipelines/model-versions';
import { defineStep, lambdaHandler } from './define-step';

/** Who decides when the policy decides: recorded as the version's approver for automatic outcomes. */
export const POLICY_ACTOR = 'system:approval-policy';

/**
 * `AutoApprove` / `RequestApproval` / `RejectCandidate`: one step, three Task
 * states; each passes the status its branch stands for.
 */
export const step = defineStep({
  name: 'set-version-status',
  input: z.object({
    status: z.enum(['APPROVED', 'PENDING_APPROVAL', 'REJECTED']),
    version: versionRefSchema,
    decision: approvalDecisionSchema,
  }),
  run: async (platform, input, ctx) => {
    const version = await transitionModelVersion(
      platform.tenantTable(ctx.tenantId),
      input.version,
      input.status,
      {
        decision: {
          outcome: input.decision.outcome,
          reasons: input.decision.reasons,
          decidedBy: input.status === 'PENDING_APPROVAL' ? ctx.actor : POLICY_ACTOR,
          decidedAt: platform.now().toISOString(),
        },
      },
      () => platform.now(),
    );
    return { versionId: version.versionId, status: version.status };
  },
});

export const handler = lambdaHandler(step);
