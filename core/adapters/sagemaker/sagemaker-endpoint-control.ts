import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  DeleteEndpointCommand,
  DescribeEndpointCommand,
  type SageMakerClient,
  UpdateEndpointCommand,
} from '@aws-sdk/client-sagemaker';
import type { EndpointConfigSpec, EndpointControl, EndpointDescription, EndpointStatus } from '../../ports/endpoint-control';
import { createEndpointConfigRequest, createModelRequests, type SageMakerModelOptions, tagsOf } from './sagemaker-requests';

export type SageMakerEndpointControlOptions = SageMakerModelOptions;

/**
 * EndpointControl on SageMaker. Models carry the runtime kind and the
 * version's schema in the container's environment (serving/container reads
 * STEWARD_RUNTIME and STEWARD_IO_SCHEMA); creating a model or a config that
 * already exists is not an error, so a rollback can replay a stored deployment.
 */
export class SageMakerEndpointControl implements EndpointControl {
  readonly kind = 'sagemaker' as const;

  constructor(
    private readonly client: SageMakerClient,
    private readonly options: SageMakerEndpointControlOptions,
  ) {}

  async createModels(config: EndpointConfigSpec): Promise<void> {
    for (const request of createModelRequests(config, this.options)) {
      await ignoreExisting(this.client.send(new CreateModelCommand(request)));
    }
  }

  async createEndpointConfig(config: EndpointConfigSpec): Promise<void> {
    await ignoreExisting(this.client.send(new CreateEndpointConfigCommand(createEndpointConfigRequest(config, this.options))));
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
