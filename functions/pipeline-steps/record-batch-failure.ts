import { z } from 'zod';
import { failBatchJob } from '../../core/batch/batch-jobs';
import { CatalogIdSchema } from '../../core/catalog/identifiers';
import { describeFailure } from '../../core/pipelines/pipeline-failure';
import { stepScope } from '../../core/pipelines/step-context';
import { defineStep, lambdaHandler } from './define-step';

/** `RecordFailure`: every Catch leads here; the job is marked failed with the reason, readable for the final Fail state. */
export const step = defineStep({
  name: 'record-batch-failure',
  input: z.object({
    caught: z.object({ Error: z.unknown().optional(), Cause: z.unknown().optional() }).optional(),
    jobId: CatalogIdSchema.optional().catch(undefined),
  }),
  run: async (platform, input, ctx) => {
    const failure = describeFailure(input.caught);
    platform.log.warn('batch job failed', {
      tenantId: ctx.tenantId,
      executionId: ctx.executionId,
      jobId: input.jobId,
      error: failure.error,
      cause: failure.cause,
    });
    if (!input.jobId) return { ...failure, jobMarkedFailed: false };
    const { scope } = await stepScope(platform, ctx);
    await failBatchJob(scope, input.jobId, `${failure.error}: ${failure.cause}`);
    return { ...failure, jobMarkedFailed: true };
  },
});

export const handler = lambdaHandler(step);
