import type { EndpointConfigSpec, EndpointControl, EndpointDescription, ServedModelSpec } from '../../ports/endpoint-control';
import { EndpointRejected } from '../../ports/endpoint-control';
import { DependencyFailed } from '../../errors';

/**
 * EndpointControl over the local scoring gateway (serving/gateway): its
 * `/local/endpoints/{name}` registration stands in for SageMaker's
 * CreateEndpoint/UpdateEndpoint/DescribeEndpoint/DeleteEndpoint. Models and
 * configs need no separate step there, since a registration carries them whole;
 * the gateway loads every model before it answers, so a model that cannot
 * load is refused here (EndpointRejected) and the endpoint keeps its previous
 * variants. The gateway keeps registrations in memory: after its restart the
 * deployment domain replays the stored deployment (core/deployments/endpoint-restore.ts).
 */
export class GatewayEndpointControl implements EndpointControl {
  readonly kind = 'local' as const;

  constructor(
    private readonly baseUrl: string,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  async createModels(_config: EndpointConfigSpec): Promise<void> {
    // The registration below carries the models; the gateway loads them there.
  }

  async createEndpointConfig(_config: EndpointConfigSpec): Promise<void> {
    // Likewise carried whole by the registration.
  }

  async createOrUpdateEndpoint(endpointName: string, config: EndpointConfigSpec): Promise<'created' | 'updated'> {
    const body = {
      productionVariants: config.productionVariants.map((v) => ({ variantName: v.variantName, weight: v.weight, model: modelOf(v.model) })),
      shadowVariants: config.shadowVariants.map((v) => ({ variantName: v.variantName, samplingPercentage: v.samplingPercentage, model: modelOf(v.model) })),
      ...(config.captureUri ? { captureUri: config.captureUri } : {}),
      tags: { ...config.tags, EndpointConfigName: config.configName },
    };
    const res = await this.call('PUT', endpointName, body);
    if (res.status === 201) return 'created';
    if (res.status === 200) return 'updated';
    const problem = (await res.json().catch(() => ({}))) as { detail?: string };
    if (res.status === 422 || res.status === 400) throw new EndpointRejected(endpointName, problem.detail ?? `the gateway answered ${res.status}`);
    throw new DependencyFailed(`the scoring gateway answered ${res.status} to registering ${endpointName}: ${problem.detail ?? ''}`);
  }

  async describeEndpoint(endpointName: string): Promise<EndpointDescription | undefined> {
    const res = await this.call('GET', endpointName);
    if (res.status === 404) return undefined;
    if (res.status !== 200) throw new DependencyFailed(`the scoring gateway answered ${res.status} to describing ${endpointName}`);
    const out = (await res.json()) as { endpointStatus: 'InService'; tags?: Record<string, string> };
    return {
      endpointName,
      status: out.endpointStatus,
      ...(out.tags?.EndpointConfigName ? { configName: out.tags.EndpointConfigName } : {}),
      ...(out.tags?.DeploymentId ? { deploymentId: out.tags.DeploymentId } : {}),
    };
  }

  async deleteEndpoint(endpointName: string): Promise<boolean> {
    const res = await this.call('DELETE', endpointName);
    if (res.status === 404) return false;
    if (res.status !== 204) throw new DependencyFailed(`the scoring gateway answered ${res.status} to deleting ${endpointName}`);
    return true;
  }

  private async call(method: string, endpointName: string, body?: unknown): Promise<Response> {
    try {
      return await this.fetchImpl(`${this.baseUrl.replace(/\/$/, '')}/local/endpoints/${encodeURIComponent(endpointName)}`, {
        method,
        ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
      });
    } catch (error) {
      throw new DependencyFailed(`the scoring gateway at ${this.baseUrl} cannot be reached: ${(error as Error).message}`, { cause: error });
    }
  }
}

function modelOf(model: ServedModelSpec) {
  return {
    runtime: model.runtime,
    artifactUri: model.artifactUri,
    ...(model.ioSchema ? { ioSchema: model.ioSchema } : {}),
    ...(model.sha256 ? { sha256: model.sha256 } : {}),
  };
}
