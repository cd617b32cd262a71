import { z } from 'zod';
import type { Page } from '../../ports/metadata-store';
import { auditWrite } from '../../audit/audit-event';
import { Conflict } from '../../errors';
import type { TenantScope } from '../../tenancy/tenant-scope';
import { NameSchema, nameKey, newCatalogId, TagsSchema } from '../identifiers';
import { type Dataset, DatasetSchema, datasetNameGuard, datasetWrite, loadDataset } from './dataset-records';
import { DATASET_FORMATS } from './dataset-profiler';

export const CreateDatasetInput = z.object({
  name: NameSchema,
  description: z.string().trim().max(2000).optional(),
  tags: TagsSchema,
  format: z.enum(DATASET_FORMATS),
});

export const DatasetListInput = z.object({
  namePrefix: z.string().trim().max(100).optional(),
});

/**
 * Creates an empty dataset; versions are registered into it. The name is
 * unique in the tenant, compared case-insensitively (a guard item in the same
 * transaction makes the check race-free).
 */
export async function createDataset(scope: TenantScope, input: z.infer<typeof CreateDatasetInput>): Promise<Dataset> {
  const now = scope.now();
  const dataset: Dataset = {
    datasetId: newCatalogId(now),
    name: input.name,
    description: input.description,
    tags: input.tags,
    format: input.format,
    latestVersion: 0,
    versionCount: 0,
    createdAt: now.toISOString(),
    createdBy: scope.meta.actor,
    updatedAt: now.toISOString(),
    revision: 1,
  };
  try {
    await scope.table.transact([
      { kind: 'put', key: datasetNameGuard(dataset.name), item: { entity: 'dataset-name', datasetId: dataset.datasetId }, expect: 'new' },
      datasetWrite(dataset, 'new'),
      auditWrite(scope.meta, 'dataset.created', { type: 'dataset', id: dataset.datasetId }, { after: dataset }, now).write,
    ]);
  } catch (error) {
    if (error instanceof Conflict) throw new Conflict(`a dataset named '${input.name}' already exists`, { cause: error });
    throw error;
  }
  return dataset;
}

export function getDataset(scope: TenantScope, datasetId: string): Promise<Dataset> {
  return loadDataset(scope.table, datasetId);
}

/** The tenant's datasets by name (case-insensitive order), optionally those whose name starts with a prefix. */
export async function listDatasets(
  scope: TenantScope,
  input: z.infer<typeof DatasetListInput>,
  page: { limit: number; cursor?: string },
): Promise<Page<Dataset>> {
  const result = await scope.table.query({
    index: 'gsi1',
    partition: ['DATASETS'],
    sortBeginsWith: input.namePrefix ? nameKey(input.namePrefix) : undefined,
    limit: page.limit,
    cursor: page.cursor,
  });
  return { items: result.items.map((item) => DatasetSchema.parse(item)), cursor: result.cursor };
}
