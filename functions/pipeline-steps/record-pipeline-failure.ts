import { z } from 'zod';
import { versionRefSchema } from '../../core/pipelines/model-versions';
import { describeFailure, recordPipelineFailure } from '../../core/pipelines/pipeline-failure';
import { defineStep, lambdaHandler } from './define-step';

/**
 * `RecordFailure`: every Catch leads here with the caught `{ Error, Cause }`
 * and the state so far. Marks a registered version FAILED and returns the
 * failure in readable form for the final Fail state (`ErrorPath`/`CausePath`).
 */
export const step = defineStep({
  name: 'record-pipeline-failure',
  input: z.object({
    caught: z.object({ Error: z.unknown().optional(), Cause: z.unknown().optional() }).optional(),
    // The whole state: `version` is there only if RegisterVersion ran; anything else is ignored.
    state: z.object({ version: versionRefSchema.optional().catch(undefined) }).optional(),
  }),
  run: async (platform, input, ctx) => {
    const failure = describeFailure(input.caught);
    platform.log.warn('pipeline failed', { tenantId: ctx.tenantId, executionId: ctx.executionId, error: failure.error, cause: failure.cause });
    const { versionMarkedFailed } = await recordPipelineFailure(platform.tenantTable(ctx.tenantId), {
      failure,
      version: input.state?.version,
      now: () => platform.now(),
      log: platform.log,
    });
    return { ...failure, versionMarkedFailed };
  },
});

export const handler = lambdaHandler(step);
