import { z } from '@hono/zod-openapi';
import { BatchJobDownload, BatchJobFileName, BatchJobPartitionView, batchJobDownloadUrl, listBatchJobPartitions } from '../../core/batch/batch-job-downloads';
import { BatchJobParam } from '../schemas/batch';
import { json, PageQuery, pageOf, problems } from '../schemas/common';
import { named } from '../schemas/named';
import type { RouteDeps } from './route-deps';

const PartitionOut = named(BatchJobPartitionView, 'BatchJobPartition');
const DownloadOut = named(BatchJobDownload, 'BatchJobDownload');

/**
 * What a job page shows beyond the job's counts: its partitions as they are
 * scored (for progress per partition while it runs) and download links to its
 * files (the rejected-row report, the manifest, the statistics, each part).
 */
export function batchJobFileRoutes({ app, guards }: RouteDeps): void {
  app.openapi(
    guards.tenantRoute('batch:read', {
      method: 'get',
      path: '/batch-jobs/{jobId}/partitions',
      tags: ['batch'],
      summary: 'The job’s partitions scored so far, in order, with their row counts and files',
      request: { params: BatchJobParam, query: PageQuery },
      responses: { 200: json(pageOf(PartitionOut, 'BatchJobPartitionPage'), 'partitions'), ...problems(400, 401, 403, 404) },
    }),
    async (c) => {
      const { limit, cursor } = c.req.valid('query');
      const page = await listBatchJobPartitions(c.get('scope'), c.req.valid('param').jobId, { limit, cursor });
      return c.json({ items: page.items, next: page.cursor }, 200);
    },
  );

  app.openapi(
    guards.tenantRoute('batch:read', {
      method: 'get',
      path: '/batch-jobs/{jobId}/download',
      tags: ['batch'],
      summary: 'A presigned GET URL (15 minutes) for one of the job’s files, e.g. `rejected.csv`; 404 while it is not written',
      request: { params: BatchJobParam, query: z.object({ file: BatchJobFileName }) },
      responses: { 200: json(DownloadOut, 'download URL'), ...problems(400, 401, 403, 404) },
    }),
    async (c) => c.json(await batchJobDownloadUrl(c.get('scope'), c.req.valid('param').jobId, c.req.valid('query').file), 200),
  );
}
