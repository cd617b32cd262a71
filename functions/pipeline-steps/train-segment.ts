import { z } from 'zod';
import { segmentItemSchema, segmentRunSchema } from '../../core/pipelines/segment-request';
import { trainSegment } from '../../core/pipelines/segment-training';
import { stepScope } from '../../core/pipelines/step-context';
import { defineStep, lambdaHandler } from './define-step';

/**
 * `TrainSegment` (one Map iteration of train-segments): the segment's model
 * trained, registered, evaluated and judged; its outcome recorded under the run.
 */
export const step = defineStep({
  name: 'train-segment',
  input: z.object({ run: segmentRunSchema, segment: segmentItemSchema }),
  run: async (platform, input, ctx) => {
    const { scope, executionId } = await stepScope(platform, ctx);
    return trainSegment(scope, { run: input.run, segment: input.segment, executionId, signal: ctx.signal });
  },
});

export const handler = lambdaHandler(step);
