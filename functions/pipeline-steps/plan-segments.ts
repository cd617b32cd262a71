import { z } from 'zod';
import { planSegments } from '../../core/pipelines/segment-plan';
import { trainSegmentsInputSchema } from '../../core/pipelines/segment-request';
import { stepScope } from '../../core/pipelines/step-context';
import { defineStep, lambdaHandler } from './define-step';

/** The execution input as the state machine passes it (`request.$: "$"`): the caller's input plus the runner's `context`. */
const executionInput = z.preprocess((value) => {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const { context: _context, ...request } = value as Record<string, unknown>;
  return request;
}, trainSegmentsInputSchema);

/**
 * `PlanSegments` (train-segments): the dataset version split by the segment
 * column into the run's folder; the Map's items and the shared settings out (`$.plan`).
 */
export const step = defineStep({
  name: 'plan-segments',
  input: z.object({ request: executionInput }),
  run: async (platform, input, ctx) => {
    const { scope, executionId } = await stepScope(platform, ctx);
    return planSegments(scope, input.request, { runId: executionId, startedBy: ctx.actor });
  },
});

export const handler = lambdaHandler(step);
