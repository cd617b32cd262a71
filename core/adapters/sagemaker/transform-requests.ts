import type { CreateModelInput, TransformInstanceType } from '@aws-sdk/client-sagemaker';
import { BATCH_PASSTHROUGH_ENVIRONMENT } from '../../batch/batch-transform';
import type { BatchTransformPlan } from '../../batch/batch-transform-plan';
import { createModelRequests, type SageMakerModelOptions } from './sagemaker-requests';

/**
 * The batch-score machine's SageMaker requests, built by the plan step for
 * Step Functions' `sagemaker:createModel` and `sagemaker:createTransformJob.sync`
 * integrations. The model request is the one the deploy machine sends for the
 * same model (createModelRequests), so a deployed version's model is named and
 * described identically. The per-partition parts of CreateTransformJob
 * (job name, input object, output folder) are filled in by the state machine
 * from the partition; this is everything else.
 */
export interface TransformTemplate {
  readonly ModelName: string;
  readonly MaxPayloadInMB: number;
  readonly Environment: Record<string, string>;
  readonly TransformResources: { InstanceType: TransformInstanceType; InstanceCount: number };
  readonly Tags: { Key: string; Value: string }[];
}

export interface BatchTransformRequests {
  readonly model: CreateModelInput & { ModelName: string };
  readonly template: TransformTemplate;
  readonly namePrefix: string;
  readonly tenantRootUri: string;
  readonly outputRootUri: string;
  readonly deployed: boolean;
}

export function batchTransformRequests(
  plan: BatchTransformPlan,
  passthrough: readonly string[],
  options: SageMakerModelOptions & { transformInstanceType?: TransformInstanceType },
): BatchTransformRequests {
  const [model] = createModelRequests(
    { configName: plan.model.modelName, productionVariants: [{ variantName: 'batch', weight: 1, model: plan.model }], shadowVariants: [], tags: plan.tags },
    options,
  );
  return {
    model: model,
    template: {
      ModelName: plan.model.modelName,
      MaxPayloadInMB: plan.maxPayloadInMB,
      Environment: { [BATCH_PASSTHROUGH_ENVIRONMENT]: JSON.stringify(passthrough) },
      TransformResources: { InstanceType: options.transformInstanceType ?? 'ml.m5.large', InstanceCount: 1 },
      Tags: Object.entries(plan.tags).map(([Key, Value]) => ({ Key, Value })),
    },
    namePrefix: plan.namePrefix,
    tenantRootUri: plan.tenantRootUri,
    outputRootUri: plan.outputRootUri,
    deployed: plan.deployed,
  };
}
