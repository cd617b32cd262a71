import { z } from 'zod';
import { registerModelVersion } from '../../core/pipelines/model-versions';
import { trainingResultSchema } from '../../core/pipelines/train-model';
import { trainingPlanSchema } from '../../core/pipelines/training-request';
import { defineStep, lambdaHandler } from './define-step';

/** `RegisterVersion`: records the trained model as the model's next version (`$.version`). */
export const step = defineStep({
  name: 'register-model-version',
  input: z.object({ plan: trainingPlanSchema, training: trainingResultSchema }),
  run: async (platform, input, ctx) => {
    const version = await registerModelVersion(platform.tenantTable(ctx.tenantId), {
      plan: input.plan,
      training: input.training,
      actor: ctx.actor,
      executionId: ctx.executionId,
      now: () => platform.now(),
    });
    return { modelName: version.modelName, versionNumber: version.versionNumber, versionId: version.versionId, status: version.status };
  },
});

export const handler = lambdaHandler(step);
