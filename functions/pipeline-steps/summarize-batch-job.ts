import { z } from 'zod';
import { summarizeBatchJob } from '../../core/batch/batch-summary';
import { CatalogIdSchema } from '../../core/catalog/identifiers';
import { stepScope } from '../../core/pipelines/step-context';
import { defineStep, lambdaHandler } from './define-step';

/** `Summarize`: the job succeeds with its final counts (audited). */
export const step = defineStep({
  name: 'summarize-batch-job',
  input: z.object({ jobId: CatalogIdSchema }),
  run: async (platform, input, ctx) => {
    const { scope } = await stepScope(platform, ctx);
    const job = await summarizeBatchJob(scope, input.jobId);
    return { jobId: job.jobId, status: job.status, totals: job.totals };
  },
});

export const handler = lambdaHandler(step);
