import { z } from 'zod';
import { applyApprovalPolicy } from '../../core/pipelines/approval-policy';
import { comparisonSchema } from '../../core/pipelines/champion-comparison';
import { evaluationResultSchema } from '../../core/pipelines/evaluate-model';
import { trainingPlanSchema } from '../../core/pipelines/training-request';
import { defineStep, lambdaHandler } from './define-step';

/** `ApplyApprovalPolicy`: the gate's decision (`$.decision`); the Choice after it routes on `outcome`. */
export const step = defineStep({
  name: 'apply-approval-policy',
  input: z.object({ plan: trainingPlanSchema, evaluation: evaluationResultSchema, comparison: comparisonSchema }),
  run: async (_platform, input) => applyApprovalPolicy({ policy: input.plan.policy, metrics: input.evaluation.metrics, comparison: input.comparison }),
});

export const handler = lambdaHandler(step);
