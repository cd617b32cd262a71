import { z } from 'zod';
import { evaluateTrainedVersion, versionRefSchema } from '../../core/pipelines/pipeline-versions';
import { stepScope } from '../../core/pipelines/step-context';
import { trainingResultSchema } from '../../core/pipelines/train-model';
import { trainingPlanSchema } from '../../core/pipelines/training-request';
import { defineStep, lambdaHandler } from './define-step';

/**
 * `EvaluateModel`: hold-out metrics of the version's own ONNX artifact,
 * recorded as a catalog evaluation; the version ends `evaluated` (`$.evaluation`).
 */
export const step = defineStep({
  name: 'evaluate-model',
  input: z.object({ plan: trainingPlanSchema, training: trainingResultSchema, version: versionRefSchema }),
  run: async (platform, input, ctx) => {
    const { scope, executionId } = await stepScope(platform, ctx);
    return evaluateTrainedVersion(scope, { plan: input.plan, training: input.training, ref: input.version, executionId, signal: ctx.signal });
  },
});

export const handler = lambdaHandler(step);
