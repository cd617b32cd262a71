import { z } from 'zod';
import { IoSchema } from '../catalog/artifacts/io-schema';
import { pad } from '../catalog/identifiers';
import { NotFound } from '../errors';
import type { MetadataTable, ScopedWrite } from '../ports/metadata-store';

/**
 * The stored state of serving, per tenant: endpoints (a name the tenant
 * chose, served under `<tenantId>-<name>` so names never collide across
 * tenants) and the deployments that put variants on them. A deployment keeps
 * the whole endpoint configuration it applied, so a rollback, or a restore
 * after the scoring gateway restarted, replays exactly what was served.
 *
 * Keys: `ENDPOINT#<name>` / `ENDPOINT` (gsi1 `ENDPOINTS` by name) and
 * `ENDPOINT#<name>` / `DEPLOYMENT#<id>` (gsi2 `DEPLOYMENTS` by creation).
 * Lineage back-references `MODEL#<modelId>` / `D#<version>#<deploymentId>`
 * (core/catalog/lineage.ts reads them) say which deployment served which
 * version, with what weight, until when.
 */

export const ENDPOINT_NAME = /^[a-z0-9](-?[a-z0-9]){0,39}$/;
export const EndpointName = z
  .string()
  .regex(ENDPOINT_NAME, 'use 1-40 lowercase letters, digits and single hyphens, starting and ending with a letter or digit');

const ServedModel = z.object({
  modelName: z.string(),
  runtime: z.enum(['onnx', 'rules', 'scorecard', 'linear']),
  artifactUri: z.string(),
  ioSchema: IoSchema.optional(),
  sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
});

export const EndpointConfigRecord = z.object({
  configName: z.string(),
  productionVariants: z.array(z.object({ variantName: z.string(), model: ServedModel, weight: z.number() })),
  shadowVariants: z.array(z.object({ variantName: z.string(), model: ServedModel, samplingPercentage: z.number() })),
  captureUri: z.string().optional(),
  tags: z.record(z.string(), z.string()),
});

export const VARIANT_ROLES = ['production', 'canary', 'shadow'] as const;

/** Which catalog version a variant serves. */
export const ServedVariant = z.object({
  variantName: z.string(),
  role: z.enum(VARIANT_ROLES),
  modelId: z.string(),
  version: z.number().int(),
  /** Production/canary: relative weight; shadow: sampling percentage. */
  weight: z.number(),
});
export type ServedVariant = z.infer<typeof ServedVariant>;

export const CanaryPlan = z.object({
  variantName: z.string(),
  /** Percent of traffic the canary gets at each step; the last step reaching 100 promotes it. */
  steps: z.array(z.number()),
  stepIndex: z.number().int(),
  stepStartedAt: z.string(),
  bakeSeconds: z.number(),
  maxErrorRate: z.number(),
  maxLatencyMs: z.number(),
  minRequests: z.number().int(),
  /** The variants the canary is weighed against, as they served before it. */
  baseline: z.array(ServedVariant),
});
export type CanaryPlan = z.infer<typeof CanaryPlan>;

export const DEPLOYMENT_STATUSES = ['deploying', 'live', 'failed', 'superseded', 'rolled-back', 'undeployed'] as const;
export type DeploymentStatus = (typeof DEPLOYMENT_STATUSES)[number];

export const DeploymentSchema = z.object({
  deploymentId: z.string(),
  endpointName: z.string(),
  /** The name the control plane knows: `<tenantId>-<endpointName>`. */
  servedName: z.string(),
  status: z.enum(DEPLOYMENT_STATUSES),
  reason: z.string().optional(),
  variants: z.array(ServedVariant),
  canary: CanaryPlan.optional(),
  /** Percent of scoring requests whose inputs and outputs are captured to the tenant's storage. */
  capturePercent: z.number(),
  config: EndpointConfigRecord,
  previousDeploymentId: z.string().optional(),
  executionId: z.string().optional(),
  description: z.string().optional(),
  createdAt: z.string(),
  createdBy: z.string(),
  updatedAt: z.string(),
  liveAt: z.string().optional(),
  endedAt: z.string().optional(),
  revision: z.number().int(),
});
export type Deployment = z.infer<typeof DeploymentSchema>;

export const EndpointRecordSchema = z.object({
  endpointName: z.string(),
  servedName: z.string(),
  status: z.enum(['creating', 'in-service', 'deleted']),
  liveDeploymentId: z.string().optional(),
  pendingDeploymentId: z.string().optional(),
  /** Deployments that were live before the current one, oldest first: what rollback returns to. */
  history: z.array(z.string()),
  createdAt: z.string(),
  updatedAt: z.string(),
  revision: z.number().int(),
});
export type EndpointRecord = z.infer<typeof EndpointRecordSchema>;

export function endpointKey(endpointName: string) {
  return { partition: ['ENDPOINT', endpointName], sort: 'ENDPOINT' };
}

export function deploymentKey(endpointName: string, deploymentId: string) {
  return { partition: ['ENDPOINT', endpointName], sort: `DEPLOYMENT#${deploymentId}` };
}

export function endpointWrite(record: EndpointRecord, expect: 'new' | { revision: number }): ScopedWrite {
  return {
    kind: 'put',
    key: endpointKey(record.endpointName),
    indexes: { gsi1: { partition: ['ENDPOINTS'], sort: record.endpointName } },
    item: { entity: 'endpoint', ...record },
    expect,
  };
}

export function deploymentWrite(d: Deployment, expect: 'new' | { revision: number }): ScopedWrite {
  return {
    kind: 'put',
    key: deploymentKey(d.endpointName, d.deploymentId),
    indexes: { gsi2: { partition: ['DEPLOYMENTS'], sort: `${d.createdAt}#${d.deploymentId}` } },
    item: { entity: 'deployment', ...d },
    expect,
  };
}

/** The lineage back-reference of one served variant (core/catalog/lineage.ts `versionDeployments`). */
export function servedVersionWrite(d: Deployment, v: ServedVariant, status: DeploymentStatus, at: string): ScopedWrite {
  return {
    kind: 'put',
    key: { partition: ['MODEL', v.modelId], sort: `D#${pad(v.version)}#${d.deploymentId}#${v.variantName}` },
    item: {
      entity: 'served-version',
      deploymentId: d.deploymentId,
      endpointName: d.endpointName,
      variantName: v.variantName,
      role: v.role,
      weight: v.weight,
      status,
      since: d.liveAt ?? at,
      ...(status === 'live' ? {} : { until: at }),
    },
    expect: 'any',
  };
}

export async function loadEndpoint(table: MetadataTable, endpointName: string): Promise<EndpointRecord | undefined> {
  const item = await table.get<EndpointRecord & { entity?: string }>(endpointKey(endpointName), { consistent: true });
  return item ? strip(item) : undefined;
}

export async function requireEndpoint(table: MetadataTable, endpointName: string): Promise<EndpointRecord> {
  const record = await loadEndpoint(table, endpointName);
  if (!record || record.status === 'deleted') throw new NotFound('endpoint', endpointName);
  return record;
}

export async function loadDeployment(table: MetadataTable, endpointName: string, deploymentId: string): Promise<Deployment> {
  const item = await table.get<Deployment & { entity?: string }>(deploymentKey(endpointName, deploymentId), { consistent: true });
  if (!item) throw new NotFound('deployment', deploymentId);
  return strip(item);
}

export async function listEndpointDeployments(table: MetadataTable, endpointName: string, limit = 50): Promise<Deployment[]> {
  const page = await table.query<Deployment & { entity?: string }>({
    partition: ['ENDPOINT', endpointName],
    sortBeginsWith: 'DEPLOYMENT#',
    descending: true,
    limit,
  });
  return page.items.map(strip);
}

export async function listEndpoints(table: MetadataTable, page: { limit: number; cursor?: string }) {
  const result = await table.query<EndpointRecord & { entity?: string }>({ index: 'gsi1', partition: ['ENDPOINTS'], limit: page.limit, cursor: page.cursor });
  return { items: result.items.map(strip), cursor: result.cursor };
}

function strip<T extends { entity?: string }>(item: T): Omit<T, 'entity'> & T {
  const { entity: _e, ...rest } = item;
  return rest as T;
}
