import { z } from 'zod';
import { loadBatchJob } from '../../core/batch/batch-job-records';
import { markBatchJobRunning } from '../../core/batch/batch-jobs';
import { planPartitions } from '../../core/batch/batch-partitions';
import { CatalogIdSchema } from '../../core/catalog/identifiers';
import { stepScope } from '../../core/pipelines/step-context';
import { defineStep, lambdaHandler } from './define-step';

/**
 * `PlanPartitions`: the job's input as partitions (a dataset version's file,
 * or each CSV under a prefix) for the Map to fan out over; the job becomes
 * `running` with its partition total (`$.plan`).
 */
export const step = defineStep({
  name: 'plan-batch-partitions',
  input: z.object({ jobId: CatalogIdSchema }),
  run: async (platform, input, ctx) => {
    const { scope, executionId } = await stepScope(platform, ctx);
    const job = await loadBatchJob(scope.table, input.jobId);
    const partitions = await planPartitions(scope, job);
    await markBatchJobRunning(scope, job.jobId, { executionId, partitionsTotal: partitions.length });
    return { jobId: job.jobId, partitionsTotal: partitions.length, partitions };
  },
});

export const handler = lambdaHandler(step);
