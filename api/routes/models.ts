import { z } from '@hono/zod-openapi';
import { CreateModelInput, createModel, getModel, ModelSearchInput, searchModels, UpdateModelInput, updateModel } from '../../core/catalog/model-catalog';
import { setAlias } from '../../core/catalog/version-catalog';
import { ModelOut, ModelParam, ModelSummaryOut } from '../schemas/catalog';
import { body, json, PageQuery, pageOf, problems } from '../schemas/common';
import type { RouteDeps } from './route-deps';

/** Models: registration, search, and champion/challenger aliases. */
export function modelRoutes({ app, guards }: RouteDeps): void {
  app.openapi(
    guards.tenantRoute('catalog:write', {
      method: 'post',
      path: '/models',
      tags: ['catalog'],
      summary: 'Register a model in a project, with its input/output schema',
      request: body(CreateModelInput),
      responses: { 201: json(ModelOut, 'created'), ...problems(400, 401, 403, 404, 409, 429) },
    }),
    async (c) => c.json(await createModel(c.get('scope'), c.req.valid('json')), 201),
  );

  app.openapi(
    guards.tenantRoute('catalog:read', {
      method: 'get',
      path: '/models',
      tags: ['catalog'],
      summary: 'Search models by name prefix and one of project, type, framework, owner or tag; sorted by name',
      request: { query: PageQuery.extend(ModelSearchInput.shape) },
      responses: { 200: json(pageOf(ModelSummaryOut, 'ModelPage'), 'models'), ...problems(400, 401, 403) },
    }),
    async (c) => {
      const { limit, cursor, ...search } = c.req.valid('query');
      const page = await searchModels(c.get('scope'), search, { limit, cursor });
      return c.json({ items: page.items, next: page.cursor }, 200);
    },
  );

  app.openapi(
    guards.tenantRoute('catalog:read', {
      method: 'get',
      path: '/models/{modelId}',
      tags: ['catalog'],
      summary: 'One model with its schema and aliases',
      request: { params: ModelParam },
      responses: { 200: json(ModelOut, 'model'), ...problems(400, 401, 403, 404) },
    }),
    async (c) => c.json(await getModel(c.get('scope'), c.req.valid('param').modelId), 200),
  );

  app.openapi(
    guards.tenantRoute('catalog:write', {
      method: 'patch',
      path: '/models/{modelId}',
      tags: ['catalog'],
      summary: 'Change description, owner or tags',
      request: { params: ModelParam, ...body(UpdateModelInput) },
      responses: { 200: json(ModelOut, 'updated'), ...problems(400, 401, 403, 404, 412) },
    }),
    async (c) => c.json(await updateModel(c.get('scope'), c.req.valid('param').modelId, c.req.valid('json')), 200),
  );

  // The champion serves production, so moving it is a deployer's call; naming a challenger is the data scientist's.
  for (const [alias, permission] of [
    ['champion', 'deployments:manage'],
    ['challenger', 'catalog:write'],
  ] as const) {
    app.openapi(
      guards.tenantRoute(permission, {
        method: 'put',
        path: `/models/{modelId}/aliases/${alias}`,
        tags: ['catalog'],
        summary: `Point the ${alias} alias at a version (null clears it)`,
        request: { params: ModelParam, ...body(z.object({ version: z.number().int().min(1).nullable() })) },
        responses: { 200: json(ModelOut, 'aliases updated'), ...problems(400, 401, 403, 404, 409, 412) },
      }),
      async (c) => c.json(await setAlias(c.get('scope'), c.req.valid('param').modelId, alias, c.req.valid('json').version), 200),
    );
  }
}
