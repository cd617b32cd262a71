import { z } from 'zod';
import { createEndpointConfigRequest, createModelRequests, type SageMakerModelOptions, tagsOf } from '../../core/adapters/sagemaker/sagemaker-requests';
import { planDeployment } from '../../core/deployments/deploy-steps';
import { deploymentDeps } from '../../core/deployments/deployment-deps';
import type { EndpointConfigSpec } from '../../core/ports/endpoint-control';
import { stepScope } from '../../core/pipelines/step-context';
import { defineStep, lambdaHandler } from './define-step';

/** Polls of DescribeEndpoint before the deploy gives up: 120 × 30 s, an hour, the machine's own timeout. */
const MAX_POLLS = 120;

/**
 * `PlanDeployment`: the parameters of the deploy machine's SageMaker service
 * integrations, from the stored deployment only (the execution input names it,
 * nothing more): CreateModel per model (image, the verified artifact, the
 * execution role, tags with the tenant), CreateEndpointConfig (weighted
 * variants, shadow, capture), whether to create or update the endpoint, and
 * the live deployment's models and config for a rollback.
 */
export const step = defineStep({
  name: 'plan-endpoint-deployment',
  input: z.object({ deploymentId: z.string().min(1).max(64), endpointName: z.string().min(1).max(64) }),
  run: async (platform, input, ctx) => {
    const { scope } = await stepScope(platform, ctx);
    const control = platform.serving.control;
    const plan = await planDeployment(scope, deploymentDeps(platform), input);
    // Locally the image and role are never used (the local integration loads the model into the serving process); they only keep the requests SageMaker-shaped.
    const options: SageMakerModelOptions = {
      image: platform.settings.STEWARD_SERVING_IMAGE ?? 'steward-serving:local',
      executionRoleArn: platform.settings.STEWARD_SAGEMAKER_ROLE_ARN ?? 'arn:aws:iam::000000000000:role/steward-serving-local',
    };
    const requests = (config: EndpointConfigSpec) => ({
      configName: config.configName,
      models: createModelRequests(config, options),
      endpointConfig: createEndpointConfigRequest(config, options),
    });
    return {
      endpointName: plan.endpointName,
      endpointExists: plan.endpointExists,
      ...requests(plan.config),
      endpointTags: tagsOf(plan.config.tags),
      // The local gateway answers at once; SageMaker takes minutes.
      pollSeconds: control.kind === 'local' ? 1 : 30,
      maxPolls: MAX_POLLS,
      ...(plan.restore ? { restore: { deploymentId: plan.restore.deploymentId, ...requests(plan.restore.config) } } : {}),
    };
  },
});

export const handler = lambdaHandler(step);
