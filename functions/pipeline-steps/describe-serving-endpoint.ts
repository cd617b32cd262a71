import { z } from 'zod';
import { describeEndpoint } from '../../core/deployments/deploy-steps';
import { deploymentDeps } from '../../core/deployments/deployment-deps';
import { stepScope } from '../../core/pipelines/step-context';
import { defineStep, lambdaHandler } from './define-step';

/** \`DescribeEndpoint\`: its status, for the wait loop. */
export const step = defineStep({
  name: 'describe-serving-endpoint',
  input: z.object({ deploymentId: z.string().min(1).max(64), endpointName: z.string().min(1).max(64) }),
  run: async (platform, input, ctx) => {
    const { scope } = await stepScope(platform, ctx);
    return describeEndpoint(scope, deploymentDeps(platform), input);
  },
});

export const handler = lambdaHandler(step);
