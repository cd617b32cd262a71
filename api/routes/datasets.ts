import { named } from '../schemas/named';
import { z } from '@hono/zod-openapi';
import { DatasetProfileSchema, DatasetSchema, DatasetVersionRecordSchema } from '../../core/catalog/datasets/dataset-records';
import {
  datasetDownloadUrl,
  DatasetUploadInput,
  datasetUploadUrl,
  getDatasetVersionDetail,
  listDatasetVersions,
  RegisterDatasetVersionInput,
  registerDatasetVersion,
} from '../../core/catalog/datasets/dataset-versions';
import { CreateDatasetInput, createDataset, DatasetListInput, getDataset, listDatasets } from '../../core/catalog/datasets/datasets';
import { body, json, PageQuery, pageOf, problems } from '../schemas/common';
import type { RouteDeps } from './route-deps';

const DatasetOut = named(DatasetSchema, 'Dataset');
// `status`: pending (being hashed and profiled by the profile-dataset pipeline) → ready | failed (`statusReason`); hash, schema and profile once ready.
const DatasetVersionOut = named(DatasetVersionRecordSchema.omit({ sourceKey: true, expectedSha256: true, revision: true }), 'DatasetVersion');
const DatasetVersionDetailOut = named(
  DatasetVersionRecordSchema.omit({ sourceKey: true, expectedSha256: true, revision: true }).extend({
    profile: named(DatasetProfileSchema, 'DatasetProfile').optional(),
  }),
  'DatasetVersionDetail',
);
const DatasetUploadUrlOut = z
  .object({
    uploadId: z.string(),
    url: z.string().openapi({ description: 'PUT the file here within 15 minutes, with the given headers' }),
    method: z.literal('PUT'),
    headers: z.record(z.string(), z.string()),
    key: z.string(),
    expiresAt: z.string(),
  })
  .openapi('DatasetUploadUrl');
const DatasetDownloadOut = z
  .object({ url: z.string(), expiresAt: z.string(), sha256: z.string(), sizeBytes: z.number().int(), format: DatasetSchema.shape.format })
  .openapi('DatasetDownloadUrl');

const DatasetParam = z.object({
  datasetId: z
    .string()
    .regex(/^[0-9a-hjkmnp-tv-z]{26}$/, 'not a catalog id')
    .openapi({ param: { name: 'datasetId', in: 'path' } }),
});
const DatasetVersionParam = DatasetParam.extend({
  version: z.coerce
    .number()
    .int()
    .min(1)
    .max(99_999_999)
    .openapi({ param: { name: 'version', in: 'path' }, type: 'integer' }),
});

/** Datasets: registered, immutable versions of tabular files in tenant storage, with schema and statistical profile. */
export function datasetRoutes({ app, guards, platform }: RouteDeps): void {
  app.openapi(
    guards.tenantRoute('catalog:write', {
      method: 'post',
      path: '/datasets',
      tags: ['datasets'],
      summary: 'Create a dataset (name unique in the tenant, case-insensitive); versions are registered into it',
      request: body(CreateDatasetInput),
      responses: { 201: json(DatasetOut, 'created'), ...problems(400, 401, 403, 409) },
    }),
    async (c) => c.json(await createDataset(c.get('scope'), c.req.valid('json')), 201),
  );

  app.openapi(
    guards.tenantRoute('catalog:read', {
      method: 'get',
      path: '/datasets',
      tags: ['datasets'],
      summary: 'List datasets by name',
      request: { query: PageQuery.extend(DatasetListInput.shape) },
      responses: { 200: json(pageOf(DatasetOut, 'DatasetPage'), 'datasets'), ...problems(400, 401, 403) },
    }),
    async (c) => {
      const { limit, cursor, ...filter } = c.req.valid('query');
      const page = await listDatasets(c.get('scope'), filter, { limit, cursor });
      return c.json({ items: page.items, next: page.cursor }, 200);
    },
  );

  app.openapi(
    guards.tenantRoute('catalog:read', {
      method: 'get',
      path: '/datasets/{datasetId}',
      tags: ['datasets'],
      summary: 'One dataset',
      request: { params: DatasetParam },
      responses: { 200: json(DatasetOut, 'dataset'), ...problems(400, 401, 403, 404) },
    }),
    async (c) => c.json(await getDataset(c.get('scope'), c.req.valid('param').datasetId), 200),
  );

  app.openapi(
    guards.tenantRoute('artifacts:write', {
      method: 'post',
      path: '/datasets/{datasetId}/versions/upload-url',
      tags: ['datasets'],
      summary: 'A presigned PUT URL (15 minutes) for the next version’s file; at most 1 GiB',
      request: { params: DatasetParam, ...body(DatasetUploadInput) },
      responses: { 201: json(DatasetUploadUrlOut, 'upload URL'), ...problems(400, 401, 403, 404, 413, 429) },
    }),
    async (c) => c.json(await datasetUploadUrl(c.get('scope'), c.req.valid('param').datasetId, c.req.valid('json')), 201),
  );

  app.openapi(
    guards.tenantRoute('catalog:write', {
      method: 'post',
      path: '/datasets/{datasetId}/versions',
      tags: ['datasets'],
      summary: 'Register the next version from an upload (uploadId) or an object in your storage (sourceKey): 202, pending until hashed and profiled',
      description:
        'The request checks what is cheap: the upload matches its declaration, the object exists, is at most 1 GiB and has the declared size; then the version is recorded `pending` and the profile-dataset pipeline streams the file, ' +
        'checks the declared SHA-256 and parses it (CSV with a header row, JSON Lines, or Parquet). Follow `Location` (GET the version): it becomes `ready` with its hash, schema and profile, or `failed` with `statusReason` (the malformed line and column, the mismatching digest, a named column missing); a failed upload is deleted, upload again. ' +
        'A pending or failed version cannot be used (training, batch scoring, evaluation answer 409). ' +
        'The profile gives per column: count, missing, min/max/mean/std, quantiles p01–p99, a 20-bin histogram and top categories. ' +
        'Quantiles are exact up to 100,000 values per column and estimated from a uniform sample of 100,000 beyond; histogram counts are always exact.',
      request: { params: DatasetParam, ...body(RegisterDatasetVersionInput) },
      responses: { 202: json(DatasetVersionOut, 'registered, pending'), ...problems(400, 401, 403, 404, 409, 413, 429) },
    }),
    async (c) => {
      const {
        sourceKey: _key,
        expectedSha256: _sha,
        revision: _revision,
        ...version
      } = await registerDatasetVersion(c.get('scope'), platform.pipelines, c.req.valid('param').datasetId, c.req.valid('json'));
      c.header('location', `/datasets/${version.datasetId}/versions/${version.version}`);
      return c.json(version, 202);
    },
  );

  app.openapi(
    guards.tenantRoute('catalog:read', {
      method: 'get',
      path: '/datasets/{datasetId}/versions',
      tags: ['datasets'],
      summary: 'A dataset’s versions, newest first',
      request: { params: DatasetParam, query: PageQuery },
      responses: { 200: json(pageOf(DatasetVersionOut, 'DatasetVersionPage'), 'versions'), ...problems(400, 401, 403, 404) },
    }),
    async (c) => {
      const page = await listDatasetVersions(c.get('scope'), c.req.valid('param').datasetId, c.req.valid('query'));
      return c.json({ items: page.items, next: page.cursor }, 200);
    },
  );

  app.openapi(
    guards.tenantRoute('catalog:read', {
      method: 'get',
      path: '/datasets/{datasetId}/versions/{version}',
      tags: ['datasets'],
      summary: 'One version: its status; once ready, its hash, schema and statistical profile',
      request: { params: DatasetVersionParam },
      responses: { 200: json(DatasetVersionDetailOut, 'version'), ...problems(400, 401, 403, 404) },
    }),
    async (c) => {
      const { datasetId, version } = c.req.valid('param');
      return c.json(publicVersion(await getDatasetVersionDetail(c.get('scope'), datasetId, version)), 200);
    },
  );

  app.openapi(
    guards.tenantRoute('catalog:read', {
      method: 'get',
      path: '/datasets/{datasetId}/versions/{version}/download',
      tags: ['datasets'],
      summary: 'A presigned GET URL (15 minutes) for one version’s file',
      request: { params: DatasetVersionParam },
      responses: { 200: json(DatasetDownloadOut, 'download URL'), ...problems(400, 401, 403, 404) },
    }),
    async (c) => {
      const { datasetId, version } = c.req.valid('param');
      return c.json(await datasetDownloadUrl(c.get('scope'), datasetId, version), 200);
    },
  );
}

/** A version as the API shows it: without the pipeline's bookkeeping (source key, declared digest, lock counter). */
function publicVersion<T extends { sourceKey?: string; expectedSha256?: string; revision: number }>(
  version: T,
): Omit<T, 'sourceKey' | 'expectedSha256' | 'revision'> {
  const { sourceKey: _key, expectedSha256: _sha, revision: _revision, ...shown } = version;
  return shown;
}
