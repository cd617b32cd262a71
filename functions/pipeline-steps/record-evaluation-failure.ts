import { z } from 'zod';
import { describeFailure } from '../../core/pipelines/pipeline-failure';
import { defineStep, lambdaHandler } from './define-step';

/**
 * `RecordFailure` (evaluate): the caught `{ Error, Cause }` in readable form
 * for the final Fail state. The version is left as it was: the evaluation
 * step moves it only once the scoring succeeded.
 */
export const step = defineStep({
  name: 'record-evaluation-failure',
  input: z.object({ caught: z.object({ Error: z.unknown().optional(), Cause: z.unknown().optional() }).optional() }),
  run: async (platform, input, ctx) => {
    const failure = describeFailure(input.caught);
    platform.log.warn('evaluation failed', { tenantId: ctx.tenantId, executionId: ctx.executionId, error: failure.error, cause: failure.cause });
    return failure;
  },
});

export const handler = lambdaHandler(step);
