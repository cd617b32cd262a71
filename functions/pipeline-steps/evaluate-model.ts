import { z } from 'zod';
import { evaluateModel } from '../../core/pipelines/evaluate-model';
import { transitionModelVersion, versionRefSchema } from '../../core/pipelines/model-versions';
import { trainingResultSchema } from '../../core/pipelines/train-model';
import { trainingPlanSchema } from '../../core/pipelines/training-request';
import { defineStep, lambdaHandler } from './define-step';

/** `EvaluateModel`: hold-out metrics of the new version, kept on the version (`$.evaluation`). */
export const step = defineStep({
  name: 'evaluate-model',
  input: z.object({ plan: trainingPlanSchema, training: trainingResultSchema, version: versionRefSchema }),
  run: async (platform, input, ctx) => {
    const evaluation = await evaluateModel(platform.tenantObjects(ctx.tenantId), input.plan, input.training, {
      now: () => platform.now(),
      signal: ctx.signal,
    });
    await transitionModelVersion(platform.tenantTable(ctx.tenantId), input.version, 'EVALUATED', { evaluation }, () => platform.now());
    return evaluation;
  },
});

export const handler = lambdaHandler(step);
