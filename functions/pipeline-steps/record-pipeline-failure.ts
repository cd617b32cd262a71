import { z } from 'zod';
import { CatalogIdSchema } from '../../core/catalog/identifiers';
import { describeFailure } from '../../core/pipelines/pipeline-failure';
import { failRunVersion, versionRefSchema } from '../../core/pipelines/pipeline-versions';
import { stepScope } from '../../core/pipelines/step-context';
import { keepTrainingLog } from '../../core/training/keep-training-log';
import { defineStep, lambdaHandler } from './define-step';

/**
 * `RecordFailure`: every Catch leads here with the caught `{ Error, Cause }`
 * and the state so far. Marks the version the run registered `failed` (found
 * in `$.version`, or by the run's execution id when registration itself
 * failed half-way), keeps the training job's log when the run got as far as
 * planning one (a failed job's log is what explains it; copied from
 * CloudWatch on AWS), and returns the failure in readable form for the final
 * Fail state (`ErrorPath`/`CausePath`).
 */
export const step = defineStep({
  name: 'record-pipeline-failure',
  input: z.object({
    caught: z.object({ Error: z.unknown().optional(), Cause: z.unknown().optional() }).optional(),
    // The whole state: only what identifies the run's version is read; anything else is ignored.
    state: z
      .object({
        plan: z.object({ modelId: CatalogIdSchema }).optional().catch(undefined),
        version: versionRefSchema.optional().catch(undefined),
        trainingJob: z
          .object({ request: z.object({ TrainingJobName: z.string().min(1) }) })
          .optional()
          .catch(undefined),
      })
      .optional(),
  }),
  run: async (platform, input, ctx) => {
    const failure = describeFailure(input.caught);
    platform.log.warn('pipeline failed', { tenantId: ctx.tenantId, executionId: ctx.executionId, error: failure.error, cause: failure.cause });
    const modelId = input.state?.version?.modelId ?? input.state?.plan?.modelId;
    if (!modelId) return { ...failure, versionMarkedFailed: false };
    const { scope, executionId } = await stepScope(platform, ctx);
    const outcome = await failRunVersion(scope, { failure, ref: input.state?.version, modelId, executionId, log: platform.log });
    // After the version is marked: reading CloudWatch must never delay or prevent that.
    const jobName = input.state?.trainingJob?.request.TrainingJobName;
    if (jobName) await keepTrainingLog(scope, platform.trainingLogs, { modelId, runId: executionId, jobName }, platform.log);
    return { ...failure, ...outcome };
  },
});

export const handler = lambdaHandler(step);
