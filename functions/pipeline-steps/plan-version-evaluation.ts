import { z } from 'zod';
import { evaluateInputSchema } from '../../core/pipelines/evaluation-request';
import { planVersionEvaluation } from '../../core/pipelines/evaluate-version';
import { stepScope } from '../../core/pipelines/step-context';
import { defineStep, lambdaHandler } from './define-step';

/**
 * `PlanEvaluation` (evaluate): the version and the dataset version resolve,
 * the artifact is verified and has a platform runtime, the dataset holds the
 * target and the model's inputs. The execution input in (`request.$: "$"`,
 * the runner's `context` dropped), the plan out (`$.plan`).
 */
const executionInput = z.preprocess((value) => {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const { context: _context, ...request } = value as Record<string, unknown>;
  return request;
}, evaluateInputSchema);

export const step = defineStep({
  name: 'plan-version-evaluation',
  input: z.object({ request: executionInput }),
  run: async (platform, input, ctx) => {
    const { scope } = await stepScope(platform, ctx);
    return planVersionEvaluation(scope, input.request);
  },
});

export const handler = lambdaHandler(step);
