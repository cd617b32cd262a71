import { z } from 'zod';
import { recordDeploymentFailure } from '../../core/deployments/deploy-steps';
import { stepScope } from '../../core/pipelines/step-context';
import { defineStep, lambdaHandler } from './define-step';

const caughtError = z.object({ Error: z.string().optional(), Cause: z.string().optional() });

/** `RecordFailure`: the deployment is failed, with why and how the rollback branch went (`restore`). */
export const step = defineStep({
  name: 'record-deployment-failure',
  input: z.object({
    deploymentId: z.string().min(1).max(64),
    endpointName: z.string().min(1).max(64),
    caught: caughtError.default({}),
    restore: caughtError.extend({ outcome: z.enum(['restored', 'removed', 'nothing to restore']).optional() }).default({}),
  }),
  run: async (platform, input, ctx) => {
    const { scope } = await stepScope(platform, ctx);
    return recordDeploymentFailure(scope, input, input.caught, input.restore);
  },
});

export const handler = lambdaHandler(step);
