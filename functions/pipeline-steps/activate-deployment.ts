import { z } from 'zod';
import { activateDeployment } from '../../core/deployments/deploy-steps';
import { stepScope } from '../../core/pipelines/step-context';
import { defineStep, lambdaHandler } from './define-step';

/** \`SwitchChampion\`: the deployment goes live; versions become deployed and the champion alias follows what is served. */
export const step = defineStep({
  name: 'activate-deployment',
  input: z.object({ deploymentId: z.string().min(1).max(64), endpointName: z.string().min(1).max(64) }),
  run: async (platform, input, ctx) => {
    const { scope } = await stepScope(platform, ctx);
    return activateDeployment(scope, input);
  },
});

export const handler = lambdaHandler(step);
