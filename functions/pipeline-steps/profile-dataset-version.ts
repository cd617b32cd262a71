import { z } from 'zod';
import { profileDatasetVersion } from '../../core/catalog/datasets/dataset-version-profiling';
import { CatalogIdSchema } from '../../core/catalog/identifiers';
import { stepScope } from '../../core/pipelines/step-context';
import { defineStep, lambdaHandler } from './define-step';

/**
 * `ProfileDatasetVersion`: a pending dataset version is streamed by the
 * isolated inspector, hashed (SHA-256) and profiled, filed under its content
 * key and made `ready` (`$.profiled`). What is wrong with the file is thrown
 * as the domain's error, for `RecordProfilingFailure`.
 */
export const step = defineStep({
  name: 'profile-dataset-version',
  input: z.object({ datasetId: CatalogIdSchema, version: z.number().int().positive() }),
  run: async (platform, input, ctx) => {
    const { scope } = await stepScope(platform, ctx);
    const version = await profileDatasetVersion(scope, input.datasetId, input.version);
    return { datasetId: version.datasetId, version: version.version, status: version.status, sha256: version.sha256, rowCount: version.rowCount };
  },
});

export const handler = lambdaHandler(step);
