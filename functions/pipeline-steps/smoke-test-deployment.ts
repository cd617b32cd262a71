import { z } from 'zod';
import { smokeTest } from '../../core/deployments/deploy-steps';
import { deploymentDeps } from '../../core/deployments/deployment-deps';
import { stepScope } from '../../core/pipelines/step-context';
import { defineStep, lambdaHandler } from './define-step';

/** \`SmokeTest\`: an example row of the version schema scored by every production variant. */
export const step = defineStep({
  name: 'smoke-test-deployment',
  input: z.object({ deploymentId: z.string().min(1).max(64), endpointName: z.string().min(1).max(64) }),
  run: async (platform, input, ctx) => {
    const { scope } = await stepScope(platform, ctx);
    return smokeTest(scope, deploymentDeps(platform), input);
  },
});

export const handler = lambdaHandler(step);
