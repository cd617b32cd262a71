import { z } from 'zod';
import { batchTransformRequests } from '../../core/adapters/sagemaker/transform-requests';
import { loadBatchJob } from '../../core/batch/batch-job-records';
import { batchModelOf } from '../../core/batch/batch-model';
import { planBatchTransform } from '../../core/batch/batch-transform-plan';
import { CatalogIdSchema } from '../../core/catalog/identifiers';
import { stepScope } from '../../core/pipelines/step-context';
import { defineStep, lambdaHandler } from './define-step';

/**
 * `PlanTransform`: the SageMaker requests the batch-score machine sends for
 * its job (`$.transform`): CreateModel for the version (a live deployment's
 * model, or one for this job, tagged with the tenant), and everything of
 * CreateTransformJob but the partition (model, payload size fitting the
 * largest partition, passthrough columns, instance, tags), plus the name
 * prefix and the tenant's S3 roots the machine builds each partition's job
 * from. The partitions themselves come from `$.plan`.
 */
export const step = defineStep({
  name: 'plan-batch-transform',
  input: z.object({
    jobId: CatalogIdSchema,
    partitions: z.array(z.object({ index: z.number().int().min(0), source: z.string().min(1) })).min(1),
  }),
  run: async (platform, input, ctx) => {
    const { scope } = await stepScope(platform, ctx);
    const job = await loadBatchJob(scope.table, input.jobId);
    const model = await batchModelOf(scope, job);
    const plan = await planBatchTransform(scope, { job, partitions: input.partitions, model, bucket: platform.settings.STEWARD_BUCKET_NAME });
    // Locally the image and role are never used (the local integration scores with the batch engine); they only keep the requests SageMaker-shaped.
    return batchTransformRequests(plan, job.passthrough, {
      image: platform.settings.STEWARD_SERVING_IMAGE ?? 'steward-serving:local',
      executionRoleArn: platform.settings.STEWARD_SAGEMAKER_ROLE_ARN ?? 'arn:aws:iam::000000000000:role/steward-serving-local',
    });
  },
});

export const handler = lambdaHandler(step);
