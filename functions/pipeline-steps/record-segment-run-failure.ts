import { z } from 'zod';
import { describeFailure } from '../../core/pipelines/pipeline-failure';
import { defineStep, lambdaHandler } from './define-step';

/**
 * `RecordFailure` (train-segments): the caught `{ Error, Cause }` made
 * readable for the Fail state. Segments that finished keep their versions
 * and outcomes; a segment's own failures never reach here (they are outcomes).
 */
export const step = defineStep({
  name: 'record-segment-run-failure',
  input: z.object({ caught: z.object({ Error: z.unknown().optional(), Cause: z.unknown().optional() }).optional() }),
  run: async (platform, input, ctx) => {
    const failure = describeFailure(input.caught);
    platform.log.warn('segment run failed', { tenantId: ctx.tenantId, executionId: ctx.executionId, error: failure.error, cause: failure.cause });
    return failure;
  },
});

export const handler = lambdaHandler(step);
