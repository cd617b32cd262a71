import type { z } from 'zod';
import { loadDatasetVersion } from '../catalog/datasets/dataset-records';
import { loadModelRecord } from '../catalog/models';
import { NotFound } from '../errors';
import { requestedTightening } from '../governance/run-policy';
import type { TenantScope } from '../tenancy/tenant-scope';
import { evaluateInputSchema } from './evaluation-request';
import { planVersionEvaluation } from './evaluate-version';
import { checkSegmentRequest } from './segment-plan';
import { trainSegmentsInputSchema } from './segment-request';
import { trainEvaluateInputSchema } from './training-request';

/**
 * The pipelines a caller may start through the API, each with the zod schema
 * its execution input must satisfy and an optional preflight (cheap checks
 * against the caller's scope that turn an execution bound to fail at once
 * into a 4xx). A pipeline without an entry here cannot be started through
 * the API (schedules and monitors start theirs with the runner directly).
 */
export interface PipelineInputSpec<S extends z.ZodType = z.ZodType> {
  readonly schema: S;
  readonly preflight?: (scope: TenantScope, input: z.output<S>) => Promise<void>;
}

function spec<S extends z.ZodType>(value: PipelineInputSpec<S>): PipelineInputSpec<S> {
  return value;
}

export const PIPELINE_INPUTS: Readonly<Record<string, PipelineInputSpec>> = {
  'train-evaluate': spec({
    schema: trainEvaluateInputSchema,
    // The model is the resource the caller names: a wrong id is a 404 now, not a failed execution later.
    preflight: async (scope, input) => {
      await loadModelRecord(scope.table, input.modelId);
      // A policy request that would loosen the governing policy is refused now, not at the policy step.
      await requestedTightening(scope, input.modelId, input.policy);
      // A dataset version still being profiled (or failed) is a 409 now; a missing one fails the run's validation as before.
      if ('datasetId' in input.dataset)
        await loadDatasetVersion(scope.table, input.dataset.datasetId, input.dataset.version).catch((e: unknown) =>
          e instanceof NotFound ? undefined : Promise.reject(e),
        );
    },
  }),
  evaluate: spec({
    schema: evaluateInputSchema,
    // The same checks as the run's first step, from records only: a version or dataset that cannot be evaluated is a 4xx now.
    preflight: async (scope, input) => {
      await planVersionEvaluation(scope, input);
    },
  }),
  'train-segments': spec({
    schema: trainSegmentsInputSchema,
    // From records only: the project, the dataset version and its columns; the rows are split by the run.
    preflight: async (scope, input) => {
      await checkSegmentRequest(scope, input);
    },
  }),
};

export function pipelineInputSpec(pipeline: string): PipelineInputSpec | undefined {
  return Object.hasOwn(PIPELINE_INPUTS, pipeline) ? PIPELINE_INPUTS[pipeline] : undefined;
}
