import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  DeleteEndpointCommand,
  DescribeEndpointCommand,
  type ProductionVariantInstanceType,
  type SageMakerClient,
  UpdateEndpointCommand,
} from '@aws-sdk/client-sagemaker';
import type { EndpointConfigSpec, EndpointControl, EndpointDescription, EndpointStatus, ServedModelSpec } from '../../ports/endpoint-control';

export interface SageMakerEndpointControlOptions {
  /** The serving container image (serving/Dockerfile, pushed to ECR). */
  readonly image: string;
  /** The role SageMaker assumes to read artifacts and write captures. */
  readonly executionRoleArn: string;
  /** @default 'ml.m5.large' */
  readonly instanceType?: ProductionVariantInstanceType;
  /** @default 1 */
  readonly instanceCount?: number;
}

/**
 * EndpointControl on SageMaker. Models carry the runtime kind and the
 * version's schema in the container's environment (serving/container reads
 * STEWARD_RUNTIME and STEWARD_IO_SCHEMA); creating a model or a config that
 * already exists is not an error, so a rollback can replay a stored deployment.
 */
export class SageMakerEndpointControl implements EndpointControl {
  readonly kind = 'sagemaker' as const;

  constructor(private readonly client: SageMakerClient, private readonly options: SageMakerEndpointControlOptions) {}

  async createModels(config: EndpointConfigSpec): Promise<void> {
    const models = uniqueModels(config);
    for (const model of models) {
      await ignoreExisting(
        this.client.send(
          new CreateModelCommand({
            ModelName: model.modelName,
            ExecutionRoleArn: this.options.executionRoleArn,
            PrimaryContainer: {
              Image: this.options.image,
              ModelDataUrl: model.artifactUri,
              Environment: {
                STEWARD_RUNTIME: model.runtime,
                ...(model.ioSchema ? { STEWARD_IO_SCHEMA: JSON.stringify(model.ioSchema) } : {}),
                ...(model.sha256 ? { STEWARD_MODEL_SHA256: model.sha256 } : {}),
              },
            },
            Tags: tagsOf(config.tags),
          }),
        ),
      );
    }
  }

  async createEndpointConfig(config: EndpointConfigSpec): Promise<void> {
    const instance = { InstanceType: this.options.instanceType ?? ('ml.m5.large' as ProductionVariantInstanceType), InitialInstanceCount: this.options.instanceCount ?? 1 } as const;
    await ignoreExisting(
      this.client.send(
        new CreateEndpointConfigCommand({
          EndpointConfigName: config.configName,
          ProductionVariants: config.productionVariants.map((v) => ({ VariantName: v.variantName, ModelName: v.model.modelName, InitialVariantWeight: v.weight, ...instance })),
          ...(config.shadowVariants.length
            ? {
                // SageMaker mirrors every request to a shadow; the weight only sizes its share of capacity.
                ShadowProductionVariants: config.shadowVariants.map((v) => ({ VariantName: v.variantName, ModelName: v.model.modelName, InitialVariantWeight: 1, ...instance })),
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
        }),
      ),
    );
  }

  async createOrUpdateEndpoint(endpointName: string, config: EndpointConfigSpec): Promise<'created' | 'updated'> {
    const existing = await this.describeEndpoint(endpointName);
    if (existing) {
      await this.client.send(new UpdateEndpointCommand({ EndpointName: endpointName, EndpointConfigName: config.configName }));
      return 'updated';
    }
    await this.client.send(new CreateEndpointCommand({ EndpointName: endpointName, EndpointConfigName: config.configName, Tags: tagsOf(config.tags) }));
    return 'created';
  }

  async describeEndpoint(endpointName: string): Promise<EndpointDescription | undefined> {
    try {
      const out = await this.client.send(new DescribeEndpointCommand({ EndpointName: endpointName }));
      return {
        endpointName,
        status: (out.EndpointStatus ?? 'Creating') as EndpointStatus,
        ...(out.EndpointConfigName ? { configName: out.EndpointConfigName } : {}),
        ...(out.FailureReason ? { failureReason: out.FailureReason } : {}),
      };
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async deleteEndpoint(endpointName: string): Promise<boolean> {
    try {
      await this.client.send(new DeleteEndpointCommand({ EndpointName: endpointName }));
      return true;
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
  }
}

function uniqueModels(config: EndpointConfigSpec): ServedModelSpec[] {
  const byName = new Map<string, ServedModelSpec>();
  for (const v of [...config.productionVariants, ...config.shadowVariants]) byName.set(v.model.modelName, v.model);
  return [...byName.values()];
}

function tagsOf(tags: Readonly<Record<string, string>>) {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

// SageMaker answers both "not found" and "already exists" as ValidationException; the message tells which.
function isMissing(error: unknown): boolean {
  return (error as Error).name === 'ValidationException' && /could not find/i.test((error as Error).message);
}

async function ignoreExisting(call: Promise<unknown>): Promise<void> {
  try {
    await call;
  } catch (error) {
    if ((error as Error).name === 'ValidationException' && /already exist/i.test((error as Error).message)) return;
    throw error;
  }
}
