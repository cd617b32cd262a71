import { z } from 'zod';
import { registerTrainedVersion, versionRefOf } from '../../core/pipelines/pipeline-versions';
import { stepScope } from '../../core/pipelines/step-context';
import { trainingResultSchema } from '../../core/pipelines/train-model';
import { trainingPlanSchema } from '../../core/pipelines/training-request';
import { defineStep, lambdaHandler } from './define-step';

/**
 * `RegisterVersion`: the trained ONNX model becomes the catalog model's next
 * version — registered by the pipeline, artifact verified, `trained` (`$.version`).
 */
export const step = defineStep({
  name: 'register-model-version',
  input: z.object({ plan: trainingPlanSchema, training: trainingResultSchema }),
  run: async (platform, input, ctx) => {
    const { scope, executionId } = await stepScope(platform, ctx);
    const version = await registerTrainedVersion(scope, { plan: input.plan, training: input.training, executionId, startedBy: ctx.actor });
    return versionRefOf(version);
  },
});

export const handler = lambdaHandler(step);
