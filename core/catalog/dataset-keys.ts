import { pad } from './identifiers';

/** Where a dataset version lives in the tenant table; shared by datasets and by lineage checks. */
export function datasetVersionKey(datasetId: string, version: number) {
  return { partition: ['DATASET', datasetId], sort: `V#${pad(version)}` };
}
