import { z } from 'zod';
import { failDeployment } from '../../core/deployments/deploy-steps';
import { deploymentDeps } from '../../core/deployments/deployment-deps';
import { stepScope } from '../../core/pipelines/step-context';
import { defineStep, lambdaHandler } from './define-step';

/** \`RecordFailure\`: restores what was live and records the deployment as failed, with why. */
export const step = defineStep({
  name: 'record-deployment-failure',
  input: z.object({ deploymentId: z.string().min(1).max(64), endpointName: z.string().min(1).max(64), caught: z.object({ Error: z.string().optional(), Cause: z.string().optional() }).default({}) }),
  run: async (platform, input, ctx) => {
    const { scope } = await stepScope(platform, ctx);
    return failDeployment(scope, deploymentDeps(platform), input, input.caught);
  },
});

export const handler = lambdaHandler(step);
