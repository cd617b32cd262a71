import { z } from 'zod';
import { newCatalogId } from '../catalog/identifiers';
import { loadModel } from '../catalog/models';
import { loadVersion, type ModelVersion } from '../catalog/versions';
import { auditWrite } from '../audit/audit-event';
import { Conflict, ValidationFailed } from '../errors';
import type { EndpointControl, ServingRuntime } from '../ports/endpoint-control';
import type { EndpointInvoker } from '../ports/endpoint-invoker';
import type { PipelineRunner } from '../ports/pipeline-runner';
import type { TenantScope } from '../tenancy/tenant-scope';
import type { VariantCounts } from './variant-counts';
import { assertMayDeploy } from '../governance/deploy-segregation';
import {
  type CanaryPlan,
  type Deployment,
  deploymentWrite,
  EndpointName,
  type EndpointRecord,
  endpointWrite,
  loadDeployment,
  loadEndpoint,
  type ServedVariant,
} from './deployment-records';
import { buildEndpointConfig, type ResolvedVariant } from './endpoint-config';

/** What deployment use cases need beyond the tenant scope. */
export interface DeploymentDeps {
  readonly control: EndpointControl;
  readonly invoker: EndpointInvoker;
  /** The bucket holding tenant objects: artifacts are handed to the control plane as s3:// URIs. */
  readonly bucket: string;
  readonly pipelines?: PipelineRunner;
  /** Per-variant calls, shared by every API process through the store: the canary's verdict reads them. */
  readonly counts: VariantCounts;
}

const VariantName = z.string().regex(/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,30}$/, 'use letters, digits and hyphens (at most 31)');
const VersionRef = z.object({ modelId: z.string().min(1).max(64), version: z.number().int().min(1) });

export const DeployInput = z
  .object({
    endpointName: EndpointName,
    /** The production variants; weights are relative (A/B). Omit when `canary` is given: the live variants stay. */
    variants: z
      .array(VersionRef.extend({ weight: z.number().min(0).max(1000).default(1), variantName: VariantName.optional() }))
      .max(10)
      .default([]),
    /** Receives a copy of every request (or a sample); its answers are captured, never returned. */
    shadow: VersionRef.extend({ samplingPercentage: z.number().min(1).max(100).default(100), variantName: VariantName.optional() }).optional(),
    /** A new version beside the live ones, promoted in steps while it stays within its thresholds. */
    canary: VersionRef.extend({
      variantName: VariantName.optional(),
      steps: z.array(z.number().gt(0).max(100)).min(1).max(10).default([10, 50, 100]),
      bakeSeconds: z.number().int().min(0).max(86_400).default(300),
      maxErrorRate: z.number().min(0).max(1).default(0.05),
      maxLatencyMs: z.number().gt(0).max(60_000).default(1000),
      minRequests: z.number().int().min(1).max(1_000_000).default(50),
    }).optional(),
    /** Percent of scoring requests captured (inputs and outputs) to the tenant's storage. @default 10 */
    capturePercent: z.number().min(0).max(100).default(10),
    description: z.string().max(1000).optional(),
  })
  .superRefine((input, ctx) => {
    if (!input.canary && input.variants.length === 0) ctx.addIssue({ code: 'custom', path: ['variants'], message: 'give at least one variant (or a canary)' });
    if (input.canary && input.variants.length > 0)
      ctx.addIssue({ code: 'custom', path: ['variants'], message: 'a canary is weighed against the live variants; do not list variants with it' });
    if (input.variants.length && input.variants.every((v) => v.weight === 0))
      ctx.addIssue({ code: 'custom', path: ['variants'], message: 'at least one variant needs a weight above 0' });
    if (input.canary) {
      const steps = input.canary.steps;
      if (steps.some((s, i) => i > 0 && s <= steps[i - 1])) ctx.addIssue({ code: 'custom', path: ['canary', 'steps'], message: 'steps must increase' });
    }
  });
export type DeployInput = z.output<typeof DeployInput>;

/**
 * The serving runtime of each catalog artifact format, by the format alone: a
 * `scorecard`-type model may hold an ONNX artifact, served by ONNX. Mirrors
 * serving/runtimes/runtime-catalog.ts `runtimeKindForFormat` (the domain does
 * not import serving/; a unit test holds the two together). A format without
 * an entry (`sagemaker-container`: SageMaker runs its own image) has no
 * runtime in Steward's serving container.
 */
export const SERVING_RUNTIME_BY_FORMAT: Readonly<Partial<Record<ModelVersion['artifact']['format'], ServingRuntime>>> = {
  onnx: 'onnx',
  rules: 'rules',
  scorecard: 'scorecard',
};

/** The runtime that serves a version, by its artifact's format. */
export function servingRuntimeOf(version: ModelVersion, field: string): ServingRuntime {
  const runtime = SERVING_RUNTIME_BY_FORMAT[version.artifact.format];
  if (!runtime)
    throw new Conflict(`version ${version.version} is a ${version.artifact.format} artifact, which Steward's serving runtimes do not serve yet (${field})`);
  return runtime;
}

/**
 * Starts a deployment: checks every version named (approved or already
 * deployed, artifact verified, and not approved by the deployer when the
 * tenant's policy forbids it), records the deployment as `deploying` with the
 * endpoint configuration it will apply, and starts the `deploy` pipeline,
 * which brings it live or records why not. Nothing is written when a check
 * fails; the live deployment keeps serving either way.
 */
export async function requestDeployment(scope: TenantScope, deps: DeploymentDeps, raw: DeployInput): Promise<{ deployment: Deployment; executionId?: string }> {
  const input = DeployInput.parse(raw);
  const now = scope.now();
  const at = now.toISOString();
  const endpoint = await loadEndpoint(scope.table, input.endpointName);
  if (endpoint?.pendingDeploymentId) {
    throw new Conflict(`endpoint '${input.endpointName}' is being deployed (deployment ${endpoint.pendingDeploymentId}); wait until it is live or failed`);
  }
  const live = endpoint?.liveDeploymentId ? await loadDeployment(scope.table, input.endpointName, endpoint.liveDeploymentId) : undefined;
  if (input.canary && !live) throw new Conflict(`a canary needs a live deployment on '${input.endpointName}' to be weighed against; deploy variants first`);

  const resolve = async (
    ref: { modelId: string; version: number },
    role: ServedVariant['role'],
    weight: number,
    variantName: string,
    field: string,
  ): Promise<ResolvedVariant> => {
    const [model, version] = await Promise.all([loadModel(scope.table, ref.modelId), loadVersion(scope.table, ref.modelId, ref.version)]);
    if (version.status !== 'approved' && version.status !== 'deployed') {
      throw new Conflict(`${model.name} v${version.version} is ${version.status}; only approved versions deploy (${field})`);
    }
    if (version.artifact.state !== 'verified') throw new Conflict(`${model.name} v${version.version} has no verified artifact (${field})`);
    // Segregation of duties as the governing approval policy says (core/governance).
    await assertMayDeploy(scope, ref.modelId, ref.version);
    return {
      variant: { variantName, role, modelId: ref.modelId, version: ref.version, weight },
      runtime: servingRuntimeOf(version, field),
      artifactUri: `s3://${deps.bucket}/${scope.objects.keyOf(version.artifact.key)}`,
      ioSchema: model.schema,
      sha256: version.artifact.sha256,
    };
  };

  const names = new Set<string>();
  const unique = (wanted: string | undefined, fallback: string, field: string): string => {
    if (wanted && names.has(wanted)) throw new ValidationFailed('variant names must be unique', [{ field, problem: `'${wanted}' is used twice` }]);
    let name = wanted ?? fallback;
    for (let i = 2; names.has(name); i++) name = `${fallback}-${i}`;
    names.add(name);
    return name;
  };

  let production: ResolvedVariant[];
  let canary: CanaryPlan | undefined;
  if (input.canary && live) {
    const baseline = live.variants.filter((v) => v.role !== 'shadow');
    for (const v of baseline) names.add(v.variantName);
    const c = input.canary;
    const canaryName = unique(c.variantName, `canary-v${c.version}`, 'body.canary.variantName');
    const resolvedBaseline = await Promise.all(baseline.map((v) => resolveStored(live, v)));
    canary = {
      variantName: canaryName,
      steps: c.steps,
      stepIndex: 0,
      stepStartedAt: at,
      bakeSeconds: c.bakeSeconds,
      maxErrorRate: c.maxErrorRate,
      maxLatencyMs: c.maxLatencyMs,
      minRequests: c.minRequests,
      baseline,
    };
    const canaryVariant = await resolve(c, 'canary', 0, canaryName, 'body.canary');
    production = [...resolvedBaseline, canaryVariant];
    production = weighCanary(production, canary);
  } else {
    production = [];
    for (const [i, v] of input.variants.entries()) {
      production.push(await resolve(v, 'production', v.weight, unique(v.variantName, `v${v.version}`, `body.variants.${i}.variantName`), `body.variants.${i}`));
    }
  }
  const shadows: ResolvedVariant[] = [];
  if (input.shadow) {
    shadows.push(
      await resolve(
        input.shadow,
        'shadow',
        input.shadow.samplingPercentage,
        unique(input.shadow.variantName, `shadow-v${input.shadow.version}`, 'body.shadow.variantName'),
        'body.shadow',
      ),
    );
  }

  const deploymentId = newCatalogId(now);
  const servedName = `${scope.tenantId}-${input.endpointName}`;
  const config = buildEndpointConfig({
    tenantId: scope.tenantId,
    deploymentId,
    step: 0,
    production,
    shadows,
    captureUri: `s3://${deps.bucket}/${scope.objects.keyOf(`captures/${input.endpointName}/shadow`)}/`,
  });
  const deployment: Deployment = {
    deploymentId,
    endpointName: input.endpointName,
    servedName,
    status: 'deploying',
    variants: [...production, ...shadows].map((r) => r.variant),
    ...(canary ? { canary } : {}),
    capturePercent: input.capturePercent,
    config,
    ...(live ? { previousDeploymentId: live.deploymentId } : {}),
    ...(input.description ? { description: input.description } : {}),
    createdAt: at,
    createdBy: scope.meta.actor,
    updatedAt: at,
    revision: 1,
  };
  const nextEndpoint: EndpointRecord = endpoint
    ? {
        ...endpoint,
        status: endpoint.status === 'deleted' ? 'creating' : endpoint.status,
        pendingDeploymentId: deploymentId,
        updatedAt: at,
        revision: endpoint.revision + 1,
      }
    : {
        endpointName: input.endpointName,
        servedName,
        status: 'creating',
        pendingDeploymentId: deploymentId,
        history: [],
        createdAt: at,
        updatedAt: at,
        revision: 1,
      };
  await scope.table.transact([
    deploymentWrite(deployment, 'new'),
    endpointWrite(nextEndpoint, endpoint ? { revision: endpoint.revision } : 'new'),
    auditWrite(
      scope.meta,
      'deployment.requested',
      { type: 'deployment', id: deploymentId },
      { after: { endpointName: input.endpointName, variants: deployment.variants, canary: canary ?? null } },
      now,
    ).write,
  ]);
  if (!deps.pipelines) return { deployment };
  const started = await deps.pipelines.start({
    tenantId: scope.tenantId,
    pipeline: 'deploy',
    actor: scope.meta.actor,
    input: { deploymentId, endpointName: input.endpointName },
    name: `deploy-${deploymentId}`,
  });
  return { deployment, executionId: started.executionId };

  async function resolveStored(from: Deployment, v: ServedVariant): Promise<ResolvedVariant> {
    const served = from.config.productionVariants.find((p) => p.variantName === v.variantName);
    if (!served) throw new Conflict(`the live deployment ${from.deploymentId} has no variant ${v.variantName}`);
    return {
      variant: { ...v, role: 'production' },
      runtime: served.model.runtime,
      artifactUri: served.model.artifactUri,
      ...(served.model.ioSchema ? { ioSchema: served.model.ioSchema } : {}),
      ...(served.model.sha256 ? { sha256: served.model.sha256 } : {}),
    };
  }
}

/**
 * Weights for the canary's current step: the canary gets `steps[i]` percent,
 * the baseline variants share the rest in their former proportions.
 */
export function weighCanary(production: readonly ResolvedVariant[], canary: CanaryPlan): ResolvedVariant[] {
  const share = canary.steps[canary.stepIndex];
  const baselineTotal = canary.baseline.reduce((sum, v) => sum + v.weight, 0) || 1;
  return production.map((r) => {
    if (r.variant.variantName === canary.variantName) return { ...r, variant: { ...r.variant, weight: share } };
    const former = canary.baseline.find((b) => b.variantName === r.variant.variantName)?.weight ?? 0;
    return { ...r, variant: { ...r.variant, weight: ((100 - share) * former) / baselineTotal } };
  });
}
