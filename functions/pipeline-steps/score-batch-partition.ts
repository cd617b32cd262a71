import { z } from 'zod';
import { loadBatchJob } from '../../core/batch/batch-job-records';
import { loadBatchModel } from '../../core/batch/batch-model';
import { scorePartition } from '../../core/batch/partition-scoring';
import { CatalogIdSchema } from '../../core/catalog/identifiers';
import { Conflict } from '../../core/errors';
import { stepScope } from '../../core/pipelines/step-context';
import { defineStep, lambdaHandler } from './define-step';

/**
 * `ScorePartition` (one Map iteration): scores one CSV partition with the
 * job's model version and writes its output and rejected-row parts; returns
 * only the counts, so the Map's result stays small however many rows.
 */
export const step = defineStep({
  name: 'score-batch-partition',
  input: z.object({
    jobId: CatalogIdSchema,
    partition: z.object({ index: z.number().int().min(0), source: z.string().min(1) }),
  }),
  run: async (platform, input, ctx) => {
    const { scope } = await stepScope(platform, ctx);
    const job = await loadBatchJob(scope.table, input.jobId);
    if (job.status !== 'running') throw new Conflict(`batch job ${job.jobId} is ${job.status}, not running`);
    const model = await loadBatchModel(scope, job);
    const result = await scorePartition(scope, job, input.partition, model);
    return { index: result.index, rowsIn: result.rowsIn, rowsOut: result.rowsOut, rowsRejected: result.rowsRejected };
  },
});

export const handler = lambdaHandler(step);
