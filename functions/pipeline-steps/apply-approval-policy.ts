import { z } from 'zod';
import { decideByPolicy } from '../../core/pipelines/approval-policy';
import { versionRefSchema } from '../../core/pipelines/pipeline-versions';
import { stepScope } from '../../core/pipelines/step-context';
import { trainingPlanSchema } from '../../core/pipelines/training-request';
import { defineStep, lambdaHandler } from './define-step';

/**
 * `ApplyApprovalPolicy`: the gate's decision (`$.decision`), taken under the
 * tenant's or the project's stored policy, tightened by the run's request;
 * the Choice after it routes on `outcome`.
 */
export const step = defineStep({
  name: 'apply-approval-policy',
  input: z.object({ plan: trainingPlanSchema, version: versionRefSchema }),
  run: async (platform, input, ctx) => {
    const { scope } = await stepScope(platform, ctx);
    return decideByPolicy(scope, { plan: input.plan, version: input.version.version });
  },
});

export const handler = lambdaHandler(step);
