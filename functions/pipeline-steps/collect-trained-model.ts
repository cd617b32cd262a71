import { z } from 'zod';
import { stepScope } from '../../core/pipelines/step-context';
import { trainingPlanSchema } from '../../core/pipelines/training-request';
import { collectContainerModel, finishedTrainingJobSchema } from '../../core/training/collect-container-model';
import { keepTrainingLog } from '../../core/training/keep-training-log';
import { defineStep, lambdaHandler } from './define-step';

/**
 * `CollectTrainedModel`: the finished job's log into the run folder (from
 * CloudWatch on AWS), then its model.tar.gz → the run's model.onnx and the
 * `$.training` result TrainModel would have returned.
 */
export const step = defineStep({
  name: 'collect-trained-model',
  input: z.object({
    plan: trainingPlanSchema,
    trainingJob: z.object({ trainRows: z.number().int().min(1), holdoutRows: z.number().int().min(1), job: finishedTrainingJobSchema }),
  }),
  run: async (platform, input, ctx) => {
    const { scope, executionId } = await stepScope(platform, ctx);
    await keepTrainingLog(
      scope,
      platform.trainingLogs,
      { modelId: input.plan.modelId, runId: executionId, jobName: input.trainingJob.job.TrainingJobName },
      platform.log,
    );
    return collectContainerModel(scope, {
      plan: input.plan,
      job: input.trainingJob.job,
      trainRows: input.trainingJob.trainRows,
      holdoutRows: input.trainingJob.holdoutRows,
      runId: executionId,
      bucket: platform.settings.STEWARD_BUCKET_NAME,
    });
  },
});

export const handler = lambdaHandler(step);
