import { z } from 'zod';
import type { MetadataTable, ScopedWrite } from '../../ports/metadata-store';
import { NotFound } from '../../errors';
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

export const DatasetVersionSchema = z.object({
  datasetId: z.string(),
  datasetName: z.string(),
  version: z.number().int().positive(),
  format: z.enum(DATASET_FORMATS),
  description: z.string().optional(),
  /** Tenant-relative key of the immutable data file. */
  key: z.string(),
  /** Tenant-relative key of the profile document. */
  profileKey: z.string(),
  sizeBytes: z.number().int().positive(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  rowCount: z.number().int(),
  columnCount: z.number().int(),
  schema: z.array(ColumnSchemaSchema),
  targetColumn: z.string().optional(),
  protectedAttributes: z.array(z.string()),
  source: DatasetSourceSchema,
  createdAt: z.string(),
  createdBy: z.string(),
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

export function datasetVersionWrite(version: DatasetVersion): ScopedWrite {
  return { kind: 'put', key: datasetVersionKey(version.datasetId, version.version), item: { entity: 'dataset-version', ...version }, expect: 'new' };
}

export async function loadDataset(table: MetadataTable, datasetId: string): Promise<Dataset> {
  const item = await table.get(datasetKey(datasetId));
  if (!item) throw new NotFound('dataset', datasetId);
  return DatasetSchema.parse(item);
}

export async function loadDatasetVersion(table: MetadataTable, datasetId: string, version: number): Promise<DatasetVersion> {
  const item = await table.get(datasetVersionKey(datasetId, version));
  if (!item) throw new NotFound('dataset version', `${datasetId}/${version}`);
  return DatasetVersionSchema.parse(item);
}
