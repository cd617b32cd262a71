import { z } from 'zod';
import { evaluationPlanSchema } from '../../core/pipelines/evaluation-request';
import { evaluateVersion } from '../../core/pipelines/evaluate-version';
import { stepScope } from '../../core/pipelines/step-context';
import { defineStep, lambdaHandler } from './define-step';

/**
 * `EvaluateVersion` (evaluate): every row of the held-out dataset version
 * scored by the version's own runtime, the full evaluation recorded on the
 * version as the platform's; the version ends `evaluated` (`$.evaluation`).
 */
export const step = defineStep({
  name: 'evaluate-version',
  input: z.object({ plan: evaluationPlanSchema }),
  run: async (platform, input, ctx) => {
    const { scope, executionId } = await stepScope(platform, ctx);
    return evaluateVersion(scope, input.plan, { executionId, signal: ctx.signal });
  },
});

export const handler = lambdaHandler(step);
