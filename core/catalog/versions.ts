import { z } from 'zod';
import type { MetadataTable, ScopedWrite } from '../ports/metadata-store';
import { NotFound } from '../errors';
import { nameKey, pad } from './identifiers';
import type { ModelAlias } from './models';
import { VERSION_STATUSES } from './version-status';

export const ARTIFACT_FORMATS = ['onnx', 'rules', 'scorecard', 'sagemaker-container'] as const;
export type ArtifactFormat = (typeof ARTIFACT_FORMATS)[number];

export const ArtifactSchema = z.object({
  format: z.enum(ARTIFACT_FORMATS),
  /** Tenant-relative object key. */
  key: z.string(),
  /** Declared at registration, verified at finalize. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  size: z.number().int().positive(),
  state: z.enum(['awaiting-upload', 'verified']),
  verifiedAt: z.string().optional(),
  summary: z.record(z.string(), z.unknown()).optional(),
});

export const LineageSchema = z.object({
  datasets: z.array(z.object({ datasetId: z.string(), version: z.number().int(), role: z.enum(['training', 'validation', 'evaluation']) })).default([]),
  codeRevision: z.string().optional(),
  hyperparameters: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
  executionId: z.string().optional(),
  /** Who started the pipeline run that produced the version (segregation of duties looks here). */
  startedBy: z.string().optional(),
  parentVersion: z.number().int().optional(),
});
export type Lineage = z.infer<typeof LineageSchema>;

export const VersionSchema = z.object({
  modelId: z.string(),
  modelName: z.string(),
  projectId: z.string(),
  version: z.number().int(),
  status: z.enum(VERSION_STATUSES),
  source: z.enum(['trained', 'imported']),
  description: z.string().optional(),
  artifact: ArtifactSchema,
  lineage: LineageSchema,
  stage: z.enum(['champion', 'challenger']).optional(),
  statusReason: z.string().optional(),
  createdAt: z.string(),
  createdBy: z.string(),
  updatedAt: z.string(),
  revision: z.number().int(),
});
export type ModelVersion = z.infer<typeof VersionSchema>;

export function versionKey(modelId: string, version: number) {
  return { partition: ['MODEL', modelId], sort: `V#${pad(version)}` };
}

/** The model's highest version number (0 before the first): its last version key, one Query of one item. */
export async function latestVersionNumber(table: MetadataTable, modelId: string): Promise<number> {
  const page = await table.query<{ version: number }>({ partition: ['MODEL', modelId], sortBeginsWith: 'V#', descending: true, limit: 1, consistent: true });
  return page.items[0]?.version ?? 0;
}

const listSort = (v: Pick<ModelVersion, 'modelName' | 'version'>) => `${nameKey(v.modelName)}#${pad(v.version)}`;

/**
 * A version with its listing indexes: by status, by project, all versions
 * (each sorted by model name then number, so a name prefix is a key
 * condition), and — sparse — by stage for champions and challengers.
 */
export function versionWrite(v: ModelVersion, expect: 'new' | { revision: number }): ScopedWrite {
  const sort = listSort(v);
  return {
    kind: 'put',
    key: versionKey(v.modelId, v.version),
    indexes: {
      gsi1: { partition: ['VERSIONS', 'status', v.status], sort },
      gsi2: { partition: ['VERSIONS', 'project', v.projectId], sort },
      gsi3: { partition: ['VERSIONS', 'all'], sort },
      ...(v.stage ? { gsi4: { partition: ['VERSIONS', 'stage', v.stage], sort } } : {}),
    },
    item: { entity: 'version', ...v },
    expect,
  };
}

export async function loadVersion(table: MetadataTable, modelId: string, version: number): Promise<ModelVersion> {
  const item = await table.get(versionKey(modelId, version));
  if (!item) throw new NotFound('version', `${modelId}/${version}`);
  return VersionSchema.parse(item);
}

export type VersionStageFilter = ModelAlias;
