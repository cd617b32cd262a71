import { z } from 'zod';
import { trainEvaluateInputSchema } from '../../core/pipelines/training-request';
import { validateTrainingInput } from '../../core/pipelines/validate-training-input';
import { defineStep, lambdaHandler } from './define-step';

/** `ValidateInput`: the execution input in (`request`), the resolved TrainingPlan out (`$.plan`). */
export const step = defineStep({
  name: 'validate-training-input',
  input: z.object({ request: trainEvaluateInputSchema }),
  run: (platform, input, ctx) => validateTrainingInput(platform.tenantObjects(ctx.tenantId), input.request),
});

export const handler = lambdaHandler(step);
