import { z } from 'zod';
import { createModelsAndConfig } from '../../core/deployments/deploy-steps';
import { deploymentDeps } from '../../core/deployments/deployment-deps';
import { stepScope } from '../../core/pipelines/step-context';
import { defineStep, lambdaHandler } from './define-step';

/** \`CreateModels\`: SageMaker CreateModel for every variant, then CreateEndpointConfig (weighted production variants, shadow). */
export const step = defineStep({
  name: 'create-serving-models',
  input: z.object({ deploymentId: z.string().min(1).max(64), endpointName: z.string().min(1).max(64) }),
  run: async (platform, input, ctx) => {
    const { scope } = await stepScope(platform, ctx);
    return createModelsAndConfig(scope, deploymentDeps(platform), input);
  },
});

export const handler = lambdaHandler(step);
