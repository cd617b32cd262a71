import { z } from 'zod';
import { compareWithChampion, readChampion } from '../../core/pipelines/champion-comparison';
import { evaluationResultSchema } from '../../core/pipelines/evaluate-model';
import { versionRefSchema } from '../../core/pipelines/pipeline-versions';
import { stepScope } from '../../core/pipelines/step-context';
import { trainingPlanSchema } from '../../core/pipelines/training-request';
import { defineStep, lambdaHandler } from './define-step';

/**
 * `CompareWithChampion`: the candidate against the model's champion as the
 * catalog records it (its `champion` alias and latest evaluation), on the
 * policy's metric (`$.comparison`). No champion: the candidate wins.
 */
export const step = defineStep({
  name: 'compare-with-champion',
  input: z.object({ plan: trainingPlanSchema, evaluation: evaluationResultSchema, version: versionRefSchema }),
  run: async (platform, input, ctx) => {
    const { scope } = await stepScope(platform, ctx);
    const champion = await readChampion(scope, input.plan.modelId, input.plan.policy.metric, input.version.version);
    return compareWithChampion({ metrics: input.evaluation.metrics, metric: input.plan.policy.metric, champion });
  },
});

export const handler = lambdaHandler(step);
