import { z } from '@hono/zod-openapi';
import { RecordEvaluationInput, recordEvaluation, EvaluationSchema, listEvaluations } from '../../core/catalog/evaluations';
import { datasetUsage, versionDeployments, versionLineage } from '../../core/catalog/lineage';
import { gatherReport, renderHtml, renderMarkdown } from '../../core/catalog/model-report';
import { getVersion } from '../../core/catalog/version-catalog';
import { getDataset } from '../../core/catalog/datasets/datasets';
import { VersionParam } from '../schemas/catalog';
import { body, json, PageQuery, pageOf, problems } from '../schemas/common';
import type { RouteDeps } from './route-deps';

const NodeOut = z.object({ id: z.string(), kind: z.string(), label: z.string(), attributes: z.record(z.string(), z.any()) });
const GraphOut = z
  .object({ root: z.string(), nodes: z.array(NodeOut), edges: z.array(z.object({ from: z.string(), to: z.string(), relation: z.string() })) })
  .openapi('LineageGraph');
const UsageOut = z
  .object({
    datasetId: z.string(),
    datasetVersion: z.number(),
    role: z.string(),
    modelId: z.string(),
    modelName: z.string(),
    version: z.number(),
    createdAt: z.string(),
  })
  .openapi('DatasetUsage');
const EvaluationOut = EvaluationSchema.openapi('Evaluation');
const DatasetParam = z.object({
  datasetId: z
    .string()
    .regex(/^[0-9a-hjkmnp-tv-z]{26}$/, 'not a dataset id')
    .openapi({ param: { name: 'datasetId', in: 'path' } }),
});

/** Evaluations, lineage (both directions) and the auditor's model report. */
export function lineageRoutes({ app, guards }: RouteDeps): void {
  app.openapi(
    guards.tenantRoute('catalog:write', {
      method: 'post',
      path: '/models/{modelId}/versions/{version}/evaluations',
      tags: ['versions'],
      summary: 'Record an evaluation (metrics on a held-out dataset); every evaluation is kept',
      request: { params: VersionParam, ...body(RecordEvaluationInput) },
      responses: { 201: json(EvaluationOut, 'recorded'), ...problems(400, 401, 403, 404, 409) },
    }),
    async (c) => {
      const { modelId, version } = c.req.valid('param');
      return c.json(await recordEvaluation(c.get('scope'), modelId, version, c.req.valid('json')), 201);
    },
  );

  app.openapi(
    guards.tenantRoute('catalog:read', {
      method: 'get',
      path: '/models/{modelId}/versions/{version}/evaluations',
      tags: ['versions'],
      summary: 'All evaluations of a version, oldest first',
      request: { params: VersionParam },
      responses: { 200: json(z.object({ items: z.array(EvaluationOut) }), 'evaluations'), ...problems(400, 401, 403, 404) },
    }),
    async (c) => {
      const { modelId, version } = c.req.valid('param');
      await getVersion(c.get('scope'), modelId, version);
      return c.json({ items: await listEvaluations(c.get('scope'), modelId, version) }, 200);
    },
  );

  app.openapi(
    guards.tenantRoute('catalog:read', {
      method: 'get',
      path: '/models/{modelId}/versions/{version}/lineage',
      tags: ['lineage'],
      summary: 'Lineage graph: datasets → run → version → evaluations → approvals → deployments',
      request: { params: VersionParam },
      responses: { 200: json(GraphOut, 'graph'), ...problems(400, 401, 403, 404) },
    }),
    async (c) => {
      const { modelId, version } = c.req.valid('param');
      return c.json(await versionLineage(c.get('scope'), modelId, version), 200);
    },
  );

  app.openapi(
    guards.tenantRoute('catalog:read', {
      method: 'get',
      path: '/models/{modelId}/versions/{version}/deployments',
      tags: ['lineage'],
      summary: 'Deployments serving this version',
      request: { params: VersionParam },
      responses: { 200: json(z.object({ items: z.array(z.record(z.string(), z.any())) }), 'deployments'), ...problems(400, 401, 403, 404) },
    }),
    async (c) => {
      const { modelId, version } = c.req.valid('param');
      await getVersion(c.get('scope'), modelId, version);
      return c.json({ items: await versionDeployments(c.get('scope'), modelId, version) }, 200);
    },
  );

  app.openapi(
    guards.tenantRoute('catalog:read', {
      method: 'get',
      path: '/datasets/{datasetId}/used-by',
      tags: ['lineage'],
      summary: 'Model versions that used this dataset (optionally one dataset version)',
      request: { params: DatasetParam, query: PageQuery.extend({ datasetVersion: z.coerce.number().int().min(1).optional() }) },
      responses: { 200: json(pageOf(UsageOut, 'DatasetUsagePage'), 'usage'), ...problems(400, 401, 403, 404) },
    }),
    async (c) => {
      const { limit, cursor, datasetVersion } = c.req.valid('query');
      await getDataset(c.get('scope'), c.req.valid('param').datasetId);
      const page = await datasetUsage(c.get('scope'), c.req.valid('param').datasetId, { limit, cursor, datasetVersion });
      return c.json({ items: page.items, next: page.cursor }, 200);
    },
  );

  app.openapi(
    guards.tenantRoute('catalog:read', {
      method: 'get',
      path: '/models/{modelId}/versions/{version}/report',
      tags: ['lineage'],
      summary: 'Model report for audit: description, schemas, lineage, evaluations, approvals, deployments, history',
      request: { params: VersionParam, query: z.object({ format: z.enum(['html', 'markdown']).default('html') }) },
      responses: {
        200: { description: 'the report', content: { 'text/html': { schema: z.string() }, 'text/markdown': { schema: z.string() } } },
        ...problems(400, 401, 403, 404),
      },
    }),
    async (c) => {
      const { modelId, version } = c.req.valid('param');
      const data = await gatherReport(c.get('scope'), modelId, version);
      const markdown = c.req.valid('query').format === 'markdown';
      const name = `${data.model.name}-v${version}-report.${markdown ? 'md' : 'html'}`;
      return c.body(markdown ? renderMarkdown(data) : renderHtml(data), 200, {
        'content-type': markdown ? 'text/markdown; charset=utf-8' : 'text/html; charset=utf-8',
        'content-disposition': `inline; filename="${name}"`,
      });
    },
  );
}
