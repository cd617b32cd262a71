import { z } from 'zod';
import { captureBatchStatistics } from '../../core/batch/batch-summary';
import { CatalogIdSchema } from '../../core/catalog/identifiers';
import { stepScope } from '../../core/pipelines/step-context';
import { defineStep, lambdaHandler } from './define-step';

/** `CaptureStatistics`: the distribution of every numeric prediction column, stored for monitoring to compare against. */
export const step = defineStep({
  name: 'capture-batch-statistics',
  input: z.object({ jobId: CatalogIdSchema }),
  run: async (platform, input, ctx) => {
    const { scope } = await stepScope(platform, ctx);
    return captureBatchStatistics(scope, input.jobId);
  },
});

export const handler = lambdaHandler(step);
