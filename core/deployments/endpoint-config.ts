import type { IoSchema } from '../catalog/artifacts/io-schema';
import type { ServingRuntime } from '../ports/endpoint-control';
import type { Deployment, ServedVariant } from './deployment-records';

/** A variant with what serving it takes: runtime, artifact and schema. */
export interface ResolvedVariant {
  readonly variant: ServedVariant;
  readonly runtime: ServingRuntime;
  readonly artifactUri: string;
  readonly ioSchema?: IoSchema;
  readonly sha256?: string;
}

/**
 * The control-plane configuration of a deployment (at a canary step):
 * names unique per deployment and step within SageMaker's 63 characters,
 * tagged with the tenant and the deployment.
 */
export function buildEndpointConfig(input: {
  tenantId: string;
  deploymentId: string;
  step: number;
  production: readonly ResolvedVariant[];
  shadows: readonly ResolvedVariant[];
  captureUri?: string;
}): Deployment['config'] {
  const base = `${input.tenantId}-${input.deploymentId}`;
  const model = (r: ResolvedVariant, i: number) => ({
    modelName: `${base}-m${i}`,
    runtime: r.runtime,
    artifactUri: r.artifactUri,
    ...(r.ioSchema ? { ioSchema: r.ioSchema } : {}),
    ...(r.sha256 ? { sha256: r.sha256 } : {}),
  });
  return {
    configName: input.step === 0 ? base : `${base}-s${input.step}`,
    productionVariants: input.production.map((r, i) => ({ variantName: r.variant.variantName, weight: r.variant.weight, model: model(r, i) })),
    shadowVariants: input.shadows.map((r, i) => ({
      variantName: r.variant.variantName,
      samplingPercentage: r.variant.weight,
      model: model(r, input.production.length + i),
    })),
    ...(input.shadows.length && input.captureUri ? { captureUri: input.captureUri } : {}),
    tags: { TenantId: input.tenantId, DeploymentId: input.deploymentId },
  };
}

/** The stored variants back as resolved ones (rollback, canary steps). */
export function resolvedVariantsOf(d: Deployment): { production: ResolvedVariant[]; shadows: ResolvedVariant[] } {
  const resolve = (v: ServedVariant): ResolvedVariant => {
    const served = [...d.config.productionVariants, ...d.config.shadowVariants].find((p) => p.variantName === v.variantName)!;
    return {
      variant: v,
      runtime: served.model.runtime,
      artifactUri: served.model.artifactUri,
      ...(served.model.ioSchema ? { ioSchema: served.model.ioSchema } : {}),
      ...(served.model.sha256 ? { sha256: served.model.sha256 } : {}),
    };
  };
  return { production: d.variants.filter((v) => v.role !== 'shadow').map(resolve), shadows: d.variants.filter((v) => v.role === 'shadow').map(resolve) };
}
