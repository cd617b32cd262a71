import { ulid } from 'ulid';
import { z } from 'zod';
import { runIdOf } from '../../core/pipelines/step-context';
import { trainModel } from '../../core/pipelines/train-model';
import { trainingPlanSchema } from '../../core/pipelines/training-request';
import { defineStep, lambdaHandler } from './define-step';

/**
 * `TrainModel`: fits the built-in model of the plan and writes it as ONNX
 * (and as the serving runtime's JSON) to `models/<modelId>/runs/<run>/` (`$.training`).
 */
export const step = defineStep({
  name: 'train-model',
  input: z.object({ plan: trainingPlanSchema }),
  run: (platform, input, ctx) =>
    trainModel(platform.tenantObjects(ctx.tenantId), input.plan, {
      runId: ctx.executionId ? runIdOf(ctx.executionId) : ulid().toLowerCase(),
      now: () => platform.now(),
      signal: ctx.signal,
    }),
});

export const handler = lambdaHandler(step);
