import { z } from 'zod';
import { compareWithChampion } from '../../core/pipelines/champion-comparison';
import { evaluationResultSchema } from '../../core/pipelines/evaluate-model';
import { trainingPlanSchema } from '../../core/pipelines/training-request';
import { defineStep, lambdaHandler } from './define-step';

/** `CompareWithChampion`: the candidate against the champion named in the input (`$.comparison`). */
export const step = defineStep({
  name: 'compare-with-champion',
  input: z.object({ plan: trainingPlanSchema, evaluation: evaluationResultSchema }),
  run: async (_platform, input) =>
    compareWithChampion({ metrics: input.evaluation.metrics, champion: input.plan.champion, policyMetric: input.plan.policy.metric }),
});

export const handler = lambdaHandler(step);
