import { z } from '@hono/zod-openapi';
import { CreateProjectInput, createProject, getProject, listProjects, UpdateProjectInput, updateProject } from '../../core/catalog/projects';
import { ProjectOut, ProjectParam } from '../schemas/catalog';
import { body, json, PageQuery, pageOf, problems } from '../schemas/common';
import type { RouteDeps } from './route-deps';

/** Projects (use cases) group models. */
export function projectRoutes({ app, guards }: RouteDeps): void {
  app.openapi(
    guards.tenantRoute('catalog:write', {
      method: 'post',
      path: '/projects',
      tags: ['catalog'],
      summary: 'Create a project (name unique in the tenant)',
      request: body(CreateProjectInput),
      responses: { 201: json(ProjectOut, 'created'), ...problems(400, 401, 403, 409) },
    }),
    async (c) => c.json(await createProject(c.get('scope'), c.req.valid('json')), 201),
  );

  app.openapi(
    guards.tenantRoute('catalog:read', {
      method: 'get',
      path: '/projects',
      tags: ['catalog'],
      summary: 'List projects by name',
      request: { query: PageQuery.extend({ namePrefix: z.string().max(100).optional() }) },
      responses: { 200: json(pageOf(ProjectOut, 'ProjectPage'), 'projects'), ...problems(400, 401, 403) },
    }),
    async (c) => {
      const page = await listProjects(c.get('scope'), c.req.valid('query'));
      return c.json({ items: page.items, next: page.cursor }, 200);
    },
  );

  app.openapi(
    guards.tenantRoute('catalog:read', {
      method: 'get',
      path: '/projects/{projectId}',
      tags: ['catalog'],
      summary: 'One project',
      request: { params: ProjectParam },
      responses: { 200: json(ProjectOut, 'project'), ...problems(400, 401, 403, 404) },
    }),
    async (c) => c.json(await getProject(c.get('scope'), c.req.valid('param').projectId), 200),
  );

  app.openapi(
    guards.tenantRoute('catalog:write', {
      method: 'patch',
      path: '/projects/{projectId}',
      tags: ['catalog'],
      summary: 'Change description, owner, repository or tags',
      request: { params: ProjectParam, ...body(UpdateProjectInput) },
      responses: { 200: json(ProjectOut, 'updated'), ...problems(400, 401, 403, 404, 412) },
    }),
    async (c) => c.json(await updateProject(c.get('scope'), c.req.valid('param').projectId, c.req.valid('json')), 200),
  );
}
