import { BatchJobListInput, BatchJobRequest, getBatchJob, listBatchJobs, submitBatchJob } from '../../core/batch/batch-jobs';
import { BatchJobDetailOut, BatchJobOut, BatchJobParam } from '../schemas/batch';
import { body, json, PageQuery, pageOf, problems } from '../schemas/common';
import type { RouteDeps } from './route-deps';

/**
 * Batch jobs: score a dataset version or every CSV under a storage prefix
 * with an approved model version, into the tenant's objects, through the
 * batch-score pipeline. A bad reference (unknown or unapproved version,
 * unknown dataset version) is a 400 naming the field, with nothing written.
 */
export function batchJobRoutes({ app, guards, platform }: RouteDeps): void {
  app.openapi(
    guards.tenantRoute('batch:run', {
      method: 'post',
      path: '/batch-jobs',
      tags: ['batch'],
      summary: 'Start a batch job; 202 with the job, then follow GET /batch-jobs/{jobId} for progress',
      request: body(BatchJobRequest),
      responses: { 202: json(BatchJobOut, 'queued'), ...problems(400, 401, 403, 409, 429) },
    }),
    async (c) => {
      const job = await submitBatchJob(c.get('scope'), platform.pipelines, c.req.valid('json'));
      c.header('location', `/batch-jobs/${job.jobId}`);
      return c.json(job, 202);
    },
  );

  app.openapi(
    guards.tenantRoute('batch:read', {
      method: 'get',
      path: '/batch-jobs',
      tags: ['batch'],
      summary: 'The tenant’s batch jobs, newest first; filter by model version',
      request: { query: PageQuery.extend(BatchJobListInput.shape) },
      responses: { 200: json(pageOf(BatchJobOut, 'BatchJobPage'), 'jobs'), ...problems(400, 401, 403) },
    }),
    async (c) => {
      const { limit, cursor, ...filter } = c.req.valid('query');
      const page = await listBatchJobs(c.get('scope'), filter, { limit, cursor });
      return c.json({ items: page.items, next: page.cursor }, 200);
    },
  );

  app.openapi(
    guards.tenantRoute('batch:read', {
      method: 'get',
      path: '/batch-jobs/{jobId}',
      tags: ['batch'],
      summary: 'One job: status, progress (partitions done of total, rows in/out/rejected), outputs and lineage',
      request: { params: BatchJobParam },
      responses: { 200: json(BatchJobDetailOut, 'job'), ...problems(400, 401, 403, 404) },
    }),
    async (c) => c.json(await getBatchJob(c.get('scope'), c.req.valid('param').jobId), 200),
  );
}
