import { z } from 'zod';
import { createOrUpdateEndpoint } from '../../core/deployments/deploy-steps';
import { deploymentDeps } from '../../core/deployments/deployment-deps';
import { stepScope } from '../../core/pipelines/step-context';
import { defineStep, lambdaHandler } from './define-step';

/** \`CreateOrUpdateEndpoint\`: CreateEndpoint, or UpdateEndpoint when the endpoint exists (the live variants keep serving until the update is in service). */
export const step = defineStep({
  name: 'create-or-update-endpoint',
  input: z.object({ deploymentId: z.string().min(1).max(64), endpointName: z.string().min(1).max(64) }),
  run: async (platform, input, ctx) => {
    const { scope } = await stepScope(platform, ctx);
    return createOrUpdateEndpoint(scope, deploymentDeps(platform), input);
  },
});

export const handler = lambdaHandler(step);
