import type { CreateEndpointConfigInput, CreateModelInput, ProductionVariantInstanceType, Tag } from '@aws-sdk/client-sagemaker';
import type { EndpointConfigSpec, ServedModelSpec } from '../../ports/endpoint-control';

/**
 * SageMaker control-plane requests for an endpoint configuration, built in one
 * place: the SageMaker endpoint control sends them with the SDK, and the
 * deploy machine's plan step hands them to Step Functions' SageMaker service
 * integrations (`arn:aws:states:::sagemaker:createModel`, …), so both paths
 * create the same models and configs. The serving container (serving/container)
 * and the local service integration read the model back from the same
 * environment variables.
 */
export interface SageMakerModelOptions {
  /** The serving container image (serving/Dockerfile, pushed to ECR). */
  readonly image: string;
  /** The role SageMaker assumes to read artifacts and write captures. */
  readonly executionRoleArn: string;
  /** @default 'ml.m5.large' */
  readonly instanceType?: ProductionVariantInstanceType;
  /** @default 1 */
  readonly instanceCount?: number;
}

/** The container environment naming what a model serves. */
export const MODEL_ENVIRONMENT = { runtime: 'STEWARD_RUNTIME', ioSchema: 'STEWARD_IO_SCHEMA', sha256: 'STEWARD_MODEL_SHA256' } as const;

export function tagsOf(tags: Readonly<Record<string, string>>): Tag[] {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

/** Every distinct model of the config (production and shadow), in variant order. */
export function uniqueModels(config: EndpointConfigSpec): ServedModelSpec[] {
  const byName = new Map<string, ServedModelSpec>();
  for (const v of [...config.productionVariants, ...config.shadowVariants]) byName.set(v.model.modelName, v.model);
  return [...byName.values()];
}

/** One CreateModel request per distinct model: the runtime, schema and artifact checksum in the container's environment. */
export function createModelRequests(config: EndpointConfigSpec, options: SageMakerModelOptions): (CreateModelInput & { ModelName: string })[] {
  return uniqueModels(config).map((model) => ({
    ModelName: model.modelName,
    ExecutionRoleArn: options.executionRoleArn,
    PrimaryContainer: {
      Image: options.image,
      ModelDataUrl: model.artifactUri,
      Environment: {
        [MODEL_ENVIRONMENT.runtime]: model.runtime,
        ...(model.ioSchema ? { [MODEL_ENVIRONMENT.ioSchema]: JSON.stringify(model.ioSchema) } : {}),
        ...(model.sha256 ? { [MODEL_ENVIRONMENT.sha256]: model.sha256 } : {}),
      },
    },
    Tags: tagsOf(config.tags),
  }));
}

/** CreateEndpointConfig: weighted production variants, the shadow variants, and data capture of the shadow's answers. */
export function createEndpointConfigRequest(
  config: EndpointConfigSpec,
  options: SageMakerModelOptions,
): CreateEndpointConfigInput & { EndpointConfigName: string } {
  const instance = { InstanceType: options.instanceType ?? 'ml.m5.large', InitialInstanceCount: options.instanceCount ?? 1 } as const;
  return {
    EndpointConfigName: config.configName,
    ProductionVariants: config.productionVariants.map((v) => ({
      VariantName: v.variantName,
      ModelName: v.model.modelName,
      InitialVariantWeight: v.weight,
      ...instance,
    })),
    ...(config.shadowVariants.length
      ? {
          // SageMaker mirrors every request to a shadow; the weight only sizes its share of capacity.
          ShadowProductionVariants: config.shadowVariants.map((v) => ({
            VariantName: v.variantName,
            ModelName: v.model.modelName,
            InitialVariantWeight: 1,
            ...instance,
          })),
        }
      : {}),
    ...(config.captureUri
      ? {
          DataCaptureConfig: {
            EnableCapture: true,
            InitialSamplingPercentage: Math.max(1, Math.round(Math.max(...config.shadowVariants.map((s) => s.samplingPercentage), 1))),
            DestinationS3Uri: config.captureUri,
            CaptureOptions: [{ CaptureMode: 'Input' }, { CaptureMode: 'Output' }],
          },
        }
      : {}),
    Tags: tagsOf(config.tags),
  };
}
