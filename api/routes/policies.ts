import { z } from '@hono/zod-openapi';
import { policyRevisions, projectPolicy, removeProjectPolicy, setProjectPolicy, setTenantPolicy, tenantPolicy } from '../../core/governance/policy-store';
import { ProjectParam } from '../schemas/catalog';
import { body, json, PageQuery, pageOf, problems } from '../schemas/common';
import { ApprovalPolicyIn, GoverningPolicyOut, PolicyRevisionOut, PolicyWriteQuery, ProjectPolicyOut } from '../schemas/governance';
import type { RouteDeps } from './route-deps';

/**
 * Approval policies: the tenant's, and per-project overrides. Anyone who
 * reads the catalog may read the rules that govern it; only tenant admins
 * (`policy:manage`) change them or read their history. The body is checked
 * whole by the domain (unknown fields, gate expressions, roles that could
 * never approve): nothing is stored unless all of it is valid.
 */
export function policyRoutes({ app, guards }: RouteDeps): void {
  app.openapi(
    guards.tenantRoute('catalog:read', {
      method: 'get',
      path: '/policies/tenant',
      tags: ['policies'],
      summary: 'The tenant’s approval policy (revision 0: the built-in default, until an admin sets one)',
      responses: { 200: json(GoverningPolicyOut, 'policy'), ...problems(401, 403) },
    }),
    async (c) => c.json(await tenantPolicy(c.get('scope')), 200),
  );

  app.openapi(
    guards.tenantRoute('policy:manage', {
      method: 'put',
      path: '/policies/tenant',
      tags: ['policies'],
      summary: 'Set the tenant’s approval policy (a new revision, audited)',
      request: { query: PolicyWriteQuery, ...body(ApprovalPolicyIn) },
      responses: { 200: json(GoverningPolicyOut, 'the new revision'), ...problems(400, 401, 403, 409, 412) },
    }),
    async (c) => {
      // The raw body, so the domain's strict check sees fields the route schema would drop.
      const raw: unknown = await c.req.json();
      return c.json(await setTenantPolicy(c.get('scope'), raw, c.req.valid('query')), 200);
    },
  );

  app.openapi(
    guards.tenantRoute('policy:manage', {
      method: 'get',
      path: '/policies/tenant/revisions',
      tags: ['policies'],
      summary: 'Every revision of the tenant’s policy, newest first',
      request: { query: PageQuery },
      responses: { 200: json(pageOf(PolicyRevisionOut, 'PolicyRevisionPage'), 'revisions'), ...problems(400, 401, 403) },
    }),
    async (c) => {
      const page = await policyRevisions(c.get('scope'), { scope: 'tenant' }, c.req.valid('query'));
      return c.json({ items: page.items, next: page.cursor }, 200);
    },
  );

  app.openapi(
    guards.tenantRoute('catalog:read', {
      method: 'get',
      path: '/projects/{projectId}/policy',
      tags: ['policies'],
      summary: 'The policy governing a project’s models: its override, or the tenant’s',
      request: { params: ProjectParam },
      responses: { 200: json(ProjectPolicyOut, 'policy'), ...problems(400, 401, 403, 404) },
    }),
    async (c) => c.json(await projectPolicy(c.get('scope'), c.req.valid('param').projectId), 200),
  );

  app.openapi(
    guards.tenantRoute('policy:manage', {
      method: 'put',
      path: '/projects/{projectId}/policy',
      tags: ['policies'],
      summary: 'Override the tenant’s policy for one project (a new revision, audited)',
      request: { params: ProjectParam, query: PolicyWriteQuery, ...body(ApprovalPolicyIn) },
      responses: { 200: json(GoverningPolicyOut, 'the new revision'), ...problems(400, 401, 403, 404, 409, 412) },
    }),
    async (c) => {
      const raw: unknown = await c.req.json();
      return c.json(await setProjectPolicy(c.get('scope'), c.req.valid('param').projectId, raw, c.req.valid('query')), 200);
    },
  );

  app.openapi(
    guards.tenantRoute('policy:manage', {
      method: 'delete',
      path: '/projects/{projectId}/policy',
      tags: ['policies'],
      summary: 'Remove a project’s override: the tenant’s policy governs it again (a project without one is left as it is)',
      request: { params: ProjectParam },
      responses: {
        200: json(z.object({ removed: z.boolean(), governing: GoverningPolicyOut }), 'what governs the project now'),
        ...problems(400, 401, 403, 404, 412),
      },
    }),
    async (c) => c.json(await removeProjectPolicy(c.get('scope'), c.req.valid('param').projectId), 200),
  );

  app.openapi(
    guards.tenantRoute('policy:manage', {
      method: 'get',
      path: '/projects/{projectId}/policy/revisions',
      tags: ['policies'],
      summary: 'Every revision of a project’s override, newest first',
      request: { params: ProjectParam, query: PageQuery },
      responses: { 200: json(pageOf(PolicyRevisionOut, 'ProjectPolicyRevisionPage'), 'revisions'), ...problems(400, 401, 403, 404) },
    }),
    async (c) => {
      const page = await policyRevisions(c.get('scope'), { scope: 'project', projectId: c.req.valid('param').projectId }, c.req.valid('query'));
      return c.json({ items: page.items, next: page.cursor }, 200);
    },
  );
}
