import { z } from 'zod';
import { stepScope } from '../../core/pipelines/step-context';
import { trainEvaluateInputSchema } from '../../core/pipelines/training-request';
import { validateTrainingInput } from '../../core/pipelines/validate-training-input';
import { requestedTightening } from '../../core/governance/run-policy';
import { defineStep, lambdaHandler } from './define-step';

/** The execution input as the state machine passes it (`request.$: "$"`): the caller's input plus the runner's `context`. */
const executionInput = z.preprocess((value) => {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const { context: _context, ...request } = value as Record<string, unknown>;
  return request;
}, trainEvaluateInputSchema);

/**
 * `ValidateInput`: the execution input in (`request`), the resolved
 * TrainingPlan out (`$.plan`): the catalog model exists and can hold a
 * built-in model, the dataset (version) resolves and fits the request.
 */
export const step = defineStep({
  name: 'validate-training-input',
  input: z.object({ request: executionInput }),
  run: async (platform, input, ctx) => {
    const { scope } = await stepScope(platform, ctx);
    const plan = await validateTrainingInput(scope, input.request);
    // The run's policy request, checked against the policy governing the model: it may tighten it, never loosen it.
    return { ...plan, policyRequest: await requestedTightening(scope, plan.modelId, input.request.policy) };
  },
});

export const handler = lambdaHandler(step);
