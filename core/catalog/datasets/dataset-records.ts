import { z } from 'zod';
import type { MetadataTable, ScopedWrite } from '../../ports/metadata-store';
import { Conflict, NotFound } from '../../errors';
import { facetValue, nameKey, pad } from '../identifiers';
import { COLUMN_TYPES } from './cell-types';
import { QUANTILES } from './column-profile';
import { DATASET_FORMATS } from './dataset-profiler';

export const DatasetSchema = z.object({
  datasetId: z.string(),
  name: z.string(),
  description: z.string().optional(),
  tags: z.array(z.string()),
  format: z.enum(DATASET_FORMATS),
  /** Highest registered version; 0 before the first. */
  latestVersion: z.number().int().min(0),
  versionCount: z.number().int().min(0),
  createdAt: z.string(),
  createdBy: z.string(),
  updatedAt: z.string(),
  revision: z.number().int(),
});
export type Dataset = z.infer<typeof DatasetSchema>;

export const ColumnSchemaSchema = z.object({
  name: z.string(),
  type: z.enum(COLUMN_TYPES),
  categorical: z.boolean(),
  nullable: z.boolean(),
});

const HistogramSchema = z.object({ edges: z.array(z.number()), counts: z.array(z.number().int()) });

export const ColumnProfileSchema = ColumnSchemaSchema.extend({
  count: z.number().int(),
  missing: z.number().int(),
  distinct: z.number().int().optional(),
  min: z.union([z.number(), z.string()]).optional(),
  max: z.union([z.number(), z.string()]).optional(),
  mean: z.number().optional(),
  std: z.number().optional(),
  quantiles: z.object(Object.fromEntries(Object.keys(QUANTILES).map((k) => [k, z.number()])) as Record<keyof typeof QUANTILES, z.ZodNumber>).optional(),
  quantilesEstimated: z.boolean().optional(),
  histogram: HistogramSchema.optional(),
  topCategories: z.array(z.object({ value: z.string(), count: z.number().int() })).optional(),
  otherCount: z.number().int().optional(),
});

/** The profile document stored next to a version's data (`profile.json`), validated when read back. */
export const DatasetProfileSchema = z.object({
  rowCount: z.number().int(),
  columns: z.array(ColumnProfileSchema),
  reservoirCapacity: z.number().int(),
  quantilesEstimated: z.boolean(),
});

export const DatasetSourceSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('upload'), uploadId: z.string() }),
  z.object({ kind: z.literal('object'), key: z.string() }),
]);

/**
 * A version's life: registered `pending` (the request only checks what is
 * cheap: the object exists, its size); the profile-dataset pipeline
 * (state-machines/profile-dataset.asl.json) streams it, hashes and profiles
 * it, and makes it `ready`, or `failed` with the reason. Only a ready
 * version can be used (training, batch scoring, evaluation).
 */
export const DATASET_VERSION_STATUSES = ['pending', 'ready', 'failed'] as const;
export type DatasetVersionStatus = (typeof DATASET_VERSION_STATUSES)[number];

/** A version as stored, in any status; versions written before statuses existed are ready. */
export const DatasetVersionRecordSchema = z.object({
  datasetId: z.string(),
  datasetName: z.string(),
  version: z.number().int().positive(),
  format: z.enum(DATASET_FORMATS),
  description: z.string().optional(),
  status: z.enum(DATASET_VERSION_STATUSES).default('ready'),
  /** Why a version failed (the malformed line, the mismatching digest, …). */
  statusReason: z.string().optional(),
  /** Tenant-relative key of the immutable data file (ready). */
  key: z.string().optional(),
  /** Tenant-relative key of the profile document (ready). */
  profileKey: z.string().optional(),
  sizeBytes: z.number().int().positive(),
  sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
  rowCount: z.number().int().optional(),
  columnCount: z.number().int().optional(),
  schema: z.array(ColumnSchemaSchema).optional(),
  targetColumn: z.string().optional(),
  protectedAttributes: z.array(z.string()),
  source: DatasetSourceSchema,
  /** While pending: the object the pipeline profiles, and the SHA-256 it was declared with. */
  sourceKey: z.string().optional(),
  expectedSha256: z.string().optional(),
  createdAt: z.string(),
  createdBy: z.string(),
  /** When it became ready or failed. */
  settledAt: z.string().optional(),
  /** Optimistic lock: the pipeline moves a version once. */
  revision: z.number().int().default(1),
});
export type DatasetVersionRecord = z.infer<typeof DatasetVersionRecordSchema>;

/** A ready version: hashed, profiled, filed under its content key. */
export const DatasetVersionSchema = DatasetVersionRecordSchema.extend({
  status: z.literal('ready').default('ready'),
  key: z.string(),
  profileKey: z.string(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  rowCount: z.number().int(),
  columnCount: z.number().int(),
  schema: z.array(ColumnSchemaSchema),
});
export type DatasetVersion = z.infer<typeof DatasetVersionSchema>;

/** An issued upload URL, remembered until registration (or expiry) so that registration checks what was declared. */
export const DatasetUploadSchema = z.object({
  datasetId: z.string(),
  uploadId: z.string(),
  format: z.enum(DATASET_FORMATS),
  sizeBytes: z.number().int(),
  sha256: z.string(),
  key: z.string(),
  issuedAt: z.string(),
  issuedBy: z.string(),
  /** Epoch seconds; DynamoDB's TTL removes the record some time after. */
  expiresAt: z.number().int(),
});
export type DatasetUpload = z.infer<typeof DatasetUploadSchema>;

export const datasetKey = (datasetId: string) => ({ partition: ['DATASET', datasetId], sort: 'META' });
export const datasetNameGuard = (name: string) => ({ partition: ['DATASETNAME', facetValue(nameKey(name))], sort: 'META' });
export const datasetVersionKey = (datasetId: string, version: number) => ({ partition: ['DATASET', datasetId], sort: `V#${pad(version)}` });
export const datasetUploadKey = (datasetId: string, uploadId: string) => ({ partition: ['DATASET', datasetId], sort: `U#${uploadId}` });
/**
 * The version-number counter of a dataset, apart from the dataset item: a
 * number is taken before the data is copied to its immutable key, so two
 * concurrent registrations can never write the same `versions/<n>/` object.
 */
export const datasetSequenceKey = (datasetId: string) => ({ partition: ['DATASET', datasetId], sort: 'SEQ' });

export const DATA_EXTENSIONS = { csv: 'csv', jsonl: 'jsonl', parquet: 'parquet' } as const;
export const CONTENT_TYPES = { csv: 'text/csv', jsonl: 'application/x-ndjson', parquet: 'application/vnd.apache.parquet' } as const;

/** Where an upload lands (the tenant's staging area, core/ports/object-store.ts), until registration files it under its content key. */
export const stagingKey = (datasetId: string, uploadId: string) => `staging/datasets/${datasetId}/${uploadId}`;
export const versionPrefix = (datasetId: string, version: number) => `datasets/${datasetId}/versions/${version}/`;

export function datasetWrite(dataset: Dataset, expect: 'new' | { revision: number }): ScopedWrite {
  return {
    kind: 'put',
    key: datasetKey(dataset.datasetId),
    indexes: { gsi1: { partition: ['DATASETS'], sort: `${nameKey(dataset.name)}#${dataset.datasetId}` } },
    item: { entity: 'dataset', ...dataset },
    expect,
  };
}

export function datasetVersionWrite(version: DatasetVersionRecord, expect: 'new' | { revision: number } = 'new'): ScopedWrite {
  return { kind: 'put', key: datasetVersionKey(version.datasetId, version.version), item: { entity: 'dataset-version', ...version }, expect };
}

export async function loadDataset(table: MetadataTable, datasetId: string): Promise<Dataset> {
  const item = await table.get(datasetKey(datasetId));
  if (!item) throw new NotFound('dataset', datasetId);
  return DatasetSchema.parse(item);
}

/** A version in any status (the catalog's own views, the profiling pipeline). */
export async function loadDatasetVersionRecord(
  table: MetadataTable,
  datasetId: string,
  version: number,
  options: { consistent?: boolean } = {},
): Promise<DatasetVersionRecord> {
  const item = await table.get(datasetVersionKey(datasetId, version), options);
  if (!item) throw new NotFound('dataset version', `${datasetId}/${version}`);
  return DatasetVersionRecordSchema.parse(item);
}

/**
 * A version to use (train on, score, evaluate): ready, or a Conflict (409)
 * that says why not yet or not at all.
 */
export async function loadDatasetVersion(table: MetadataTable, datasetId: string, version: number): Promise<DatasetVersion> {
  const record = await loadDatasetVersionRecord(table, datasetId, version);
  if (record.status === 'pending') {
    throw new Conflict(`dataset ${datasetId} version ${version} is pending: its hash and profile are still being computed; use it once its status is ready`);
  }
  if (record.status === 'failed') {
    throw new Conflict(`dataset ${datasetId} version ${version} failed profiling and cannot be used: ${record.statusReason ?? 'no reason recorded'}`);
  }
  return DatasetVersionSchema.parse(record);
}
