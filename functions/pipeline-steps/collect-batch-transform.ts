import { z } from 'zod';
import { loadBatchJob } from '../../core/batch/batch-job-records';
import { collectTransformOutput } from '../../core/batch/transform-collection';
import { CatalogIdSchema } from '../../core/catalog/identifiers';
import { Conflict } from '../../core/errors';
import { stepScope } from '../../core/pipelines/step-context';
import { defineStep, lambdaHandler } from './define-step';

/**
 * `CollectPartition` (one Map iteration, after its transform): the
 * transform's `.out` answer becomes the partition's output part, rejected
 * part and counts under the job; returns only the counts, so the Map's result
 * stays small however many rows.
 */
export const step = defineStep({
  name: 'collect-batch-transform',
  input: z.object({
    jobId: CatalogIdSchema,
    partition: z.object({ index: z.number().int().min(0), source: z.string().min(1) }),
  }),
  run: async (platform, input, ctx) => {
    const { scope } = await stepScope(platform, ctx);
    const job = await loadBatchJob(scope.table, input.jobId);
    if (job.status !== 'running') throw new Conflict(`batch job ${job.jobId} is ${job.status}, not running`);
    const result = await collectTransformOutput(scope, job, input.partition);
    return { index: result.index, rowsIn: result.rowsIn, rowsOut: result.rowsOut, rowsRejected: result.rowsRejected };
  },
});

export const handler = lambdaHandler(step);
