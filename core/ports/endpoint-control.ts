import type { IoSchema } from '../catalog/artifacts/io-schema';

/**
 * The endpoint control plane as the deployment domain sees it: SageMaker's
 * CreateModel → CreateEndpointConfig → CreateEndpoint/UpdateEndpoint →
 * DescribeEndpoint → DeleteEndpoint. Two adapters:
 * - SageMaker (core/adapters/sagemaker/sagemaker-endpoint-control.ts): AWS;
 * - the local scoring gateway (core/adapters/sagemaker/gateway-endpoint-control.ts).
 *
 * Every call carries the full specification (never only a name that the
 * backend must remember), so a rollback or a restore after a restart can
 * replay a stored deployment exactly; creating what already exists is not
 * an error.
 */

/** The runtime a served model needs: the serving container's runtime kind. */
export type ServingRuntime = 'onnx' | 'rules' | 'scorecard' | 'linear';

/** SageMaker's Model: a runtime reading an artifact. */
export interface ServedModelSpec {
  /** Unique per deployment and variant (≤ 63 characters, SageMaker's name pattern). */
  readonly modelName: string;
  readonly runtime: ServingRuntime;
  /** `s3://bucket/key` of the version's artifact. */
  readonly artifactUri: string;
  /** The version's declared inputs and outputs: the runtime validates requests against them. */
  readonly ioSchema?: IoSchema;
  /** The catalog's SHA-256 of the artifact: the runtime loads only bytes that hash to it. */
  readonly sha256?: string;
}

export interface ProductionVariantSpec {
  readonly variantName: string;
  readonly model: ServedModelSpec;
  /** Relative traffic weight (SageMaker's InitialVariantWeight). */
  readonly weight: number;
}

export interface ShadowVariantSpec {
  readonly variantName: string;
  readonly model: ServedModelSpec;
  /** Share of requests mirrored, percent. */
  readonly samplingPercentage: number;
}

/** SageMaker's EndpointConfig, plus where answers of shadow variants are captured (DataCaptureConfig). */
export interface EndpointConfigSpec {
  readonly configName: string;
  readonly productionVariants: readonly ProductionVariantSpec[];
  readonly shadowVariants: readonly ShadowVariantSpec[];
  /** `s3://bucket/prefix/` receiving captured shadow answers; absent: not captured. */
  readonly captureUri?: string;
  /** Resource tags (TenantId, DeploymentId): IAM and cost reports key on them. */
  readonly tags: Readonly<Record<string, string>>;
}

export type EndpointStatus = 'Creating' | 'Updating' | 'InService' | 'Failed' | 'RollingBack' | 'Deleting' | 'OutOfService' | 'SystemUpdating';

export interface EndpointDescription {
  readonly endpointName: string;
  readonly status: EndpointStatus;
  readonly configName?: string;
  /** The deployment whose configuration is served (its DeploymentId tag), where the control plane reports it. */
  readonly deploymentId?: string;
  readonly failureReason?: string;
}

export interface EndpointControl {
  readonly kind: 'sagemaker' | 'local';
  /** Creates every model of the config (idempotent). */
  createModels(config: EndpointConfigSpec): Promise<void>;
  /** Idempotent: an existing config of that name is left as it is. */
  createEndpointConfig(config: EndpointConfigSpec): Promise<void>;
  /** Points the endpoint at the config, creating the endpoint when absent. */
  createOrUpdateEndpoint(endpointName: string, config: EndpointConfigSpec): Promise<'created' | 'updated'>;
  /** Undefined when the endpoint does not exist. */
  describeEndpoint(endpointName: string): Promise<EndpointDescription | undefined>;
  /** True when it existed. */
  deleteEndpoint(endpointName: string): Promise<boolean>;
}

/** A model refused by the control plane (cannot load, bad artifact): the deployment fails with this reason. */
export class EndpointRejected extends Error {
  constructor(
    readonly endpointName: string,
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(`endpoint ${endpointName} was refused: ${reason}`, options);
    this.name = new.target.name;
  }
}
