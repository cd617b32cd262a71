import { z } from 'zod';
import { loadBatchJob } from '../../core/batch/batch-job-records';
import { batchModelOf } from '../../core/batch/batch-model';
import { scorePartition } from '../../core/batch/partition-scoring';
import { CatalogIdSchema } from '../../core/catalog/identifiers';
import { Conflict } from '../../core/errors';
import { stepScope } from '../../core/pipelines/step-context';
import { InProcessPartitionScorer } from '../../serving/batch/in-process-partition-scorer';
import { defineStep, lambdaHandler } from './define-step';

/** Scores on the step's own thread when the platform has no scorer of its own (a Lambda: each Map iteration is one). */
const inProcess = new InProcessPartitionScorer();

/**
 * `ScorePartition` (one Map iteration): scores one CSV partition with the
 * job's model version and writes its output and rejected-row parts; returns
 * only the counts, so the Map's result stays small however many rows. The
 * rows go through the serving batch engine, by the platform's partition
 * scorer (locally a worker pool) or on this thread.
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
    const model = await batchModelOf(scope, job);
    const result = await scorePartition(scope, platform.batchScoring ?? inProcess, job, input.partition, model);
    return { index: result.index, rowsIn: result.rowsIn, rowsOut: result.rowsOut, rowsRejected: result.rowsRejected };
  },
});

export const handler = lambdaHandler(step);
