import { z } from 'zod';
import { createTrainingJobRequest } from '../../core/adapters/sagemaker/training-requests';
import { stepScope } from '../../core/pipelines/step-context';
import { trainingPlanSchema } from '../../core/pipelines/training-request';
import { ValidationFailed } from '../../core/errors';
import { CONTAINER_TEMPLATES, containerImageOf } from '../../core/training/container-templates';
import { planContainerTraining } from '../../core/training/container-training-plan';
import { defineStep, lambdaHandler } from './define-step';

/**
 * `PlanContainerTraining`: writes the run's `train` channel to the tenant's
 * storage and returns the CreateTrainingJob request (`$.trainingJob.request`)
 * the next state hands to `sagemaker:createTrainingJob.sync`, plus the split
 * sizes the collector reports.
 */
export const step = defineStep({
  name: 'plan-container-training',
  input: z.object({ plan: trainingPlanSchema }),
  run: async (platform, input, ctx) => {
    const template = input.plan.container?.template;
    // On AWS the image is the template's pushed image; the local placeholder would only fail inside SageMaker.
    if (platform.settings.STEWARD_MODE === 'aws' && template && !platform.settings[CONTAINER_TEMPLATES[template].imageSetting]) {
      throw new ValidationFailed(`no training image is configured for container template '${template}'`, [
        { field: 'container.template', problem: `${CONTAINER_TEMPLATES[template].imageSetting} is not set` },
      ]);
    }
    const { scope, executionId } = await stepScope(platform, ctx);
    const planned = await planContainerTraining(scope, input.plan, { runId: executionId, bucket: platform.settings.STEWARD_BUCKET_NAME });
    return {
      // Locally the image and role only keep the request SageMaker-shaped: the local integration runs the template's command.
      request: createTrainingJobRequest(planned, {
        image: containerImageOf(planned.template, platform.settings),
        roleArn: platform.settings.STEWARD_SAGEMAKER_ROLE_ARN ?? 'arn:aws:iam::000000000000:role/steward-sagemaker-local',
      }),
      template: planned.template,
      trainRows: planned.trainRows,
      holdoutRows: planned.holdoutRows,
    };
  },
});

export const handler = lambdaHandler(step);
