import { z } from 'zod';
import { failDatasetVersion } from '../../core/catalog/datasets/dataset-version-profiling';
import { CatalogIdSchema } from '../../core/catalog/identifiers';
import { describeFailure } from '../../core/pipelines/pipeline-failure';
import { stepScope } from '../../core/pipelines/step-context';
import { defineStep, lambdaHandler } from './define-step';

/**
 * `RecordProfilingFailure`: the Catch of profile-dataset leads here with the
 * caught `{ Error, Cause }`. The pending version becomes `failed` with the
 * cause as its reason (its staged upload is dropped), and the failure is
 * returned in readable form for the final Fail state.
 */
export const step = defineStep({
  name: 'record-dataset-profiling-failure',
  input: z.object({
    datasetId: CatalogIdSchema,
    version: z.number().int().positive(),
    caught: z.object({ Error: z.unknown().optional(), Cause: z.unknown().optional() }).optional(),
  }),
  run: async (platform, input, ctx) => {
    const failure = describeFailure(input.caught);
    const { scope } = await stepScope(platform, ctx);
    const version = await failDatasetVersion(scope, input.datasetId, input.version, failure.cause);
    return { ...failure, status: version.status };
  },
});

export const handler = lambdaHandler(step);
