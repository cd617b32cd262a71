import { z } from 'zod';
import { writeBatchOutputs } from '../../core/batch/batch-summary';
import { CatalogIdSchema } from '../../core/catalog/identifiers';
import { stepScope } from '../../core/pipelines/step-context';
import { defineStep, lambdaHandler } from './define-step';

/** `WriteOutputs`: once every partition is scored, the job's manifest and its one rejected-row report. */
export const step = defineStep({
  name: 'write-batch-outputs',
  input: z.object({ jobId: CatalogIdSchema }),
  run: async (platform, input, ctx) => {
    const { scope } = await stepScope(platform, ctx);
    return writeBatchOutputs(scope, input.jobId);
  },
});

export const handler = lambdaHandler(step);
