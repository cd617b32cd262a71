import { z } from '@hono/zod-openapi';
import { publicTenant, TENANT_STATUSES } from '../../core/tenancy/tenant';
import {
  approveTenant,
  changeTenantStatus,
  deleteTenant,
  listTenants,
  requestTenant,
  SignUpInput,
  StatusChangeInput,
  tenantOverview,
} from '../../core/tenancy/tenant-lifecycle';
import { TENANT_ID_PATTERN } from '../../core/storage/keys';
import { InvitationSchema, QuotasSchema, TenantInfoSchema, UsageSchema } from '../schemas/identity';
import { body, json, PageQuery, pageOf, problems } from '../schemas/common';
import type { RouteDeps } from './route-deps';

const TenantIdParam = z.object({
  tenantId: z
    .string()
    .regex(TENANT_ID_PATTERN, 'not a tenant id')
    .openapi({ param: { name: 'tenantId', in: 'path' } }),
});
const OverviewSchema = z.object({ tenant: TenantInfoSchema, quotas: QuotasSchema, usage: UsageSchema }).openapi('TenantOverview');

/** Sign-up (public), the caller's own tenant, and platform administration of tenants. */
export function tenantRoutes({ app, platform, guards, identity }: RouteDeps): void {
  app.openapi(
    guards.publicRoute({
      method: 'post',
      path: '/signup',
      tags: ['tenants'],
      summary: 'Request a tenant for a business unit; a platform administrator approves it',
      request: body(SignUpInput),
      responses: {
        202: json(z.object({ tenantId: z.string(), status: z.literal('requested') }), 'request recorded; the address gets a mail'),
        ...problems(400, 429),
      },
    }),
    async (c) => {
      const tenant = await requestTenant(platform, identity, c.req.valid('json'), c.get('meta'));
      return c.json({ tenantId: tenant.tenantId, status: 'requested' as const }, 202);
    },
  );

  app.openapi(
    guards.tenantRoute('tenant:read', {
      method: 'get',
      path: '/tenant',
      tags: ['tenants'],
      summary: 'The caller’s tenant: plan, quotas and usage',
      responses: { 200: json(OverviewSchema, 'overview'), ...problems(401, 403) },
    }),
    async (c) => c.json(await tenantOverview(platform, c.get('scope').tenantId), 200),
  );

  app.openapi(
    guards.platformRoute('platform:tenants:read', {
      method: 'get',
      path: '/platform/tenants',
      tags: ['platform'],
      summary: 'List tenants (metadata only), newest first',
      request: { query: PageQuery.extend({ status: z.enum(TENANT_STATUSES).optional() }) },
      responses: { 200: json(pageOf(TenantInfoSchema, 'TenantPage'), 'tenants'), ...problems(400, 401, 403) },
    }),
    async (c) => {
      const { limit, cursor, status } = c.req.valid('query');
      const page = await listTenants(platform, { limit, cursor, status });
      return c.json({ items: page.items.map(publicTenant), next: page.cursor }, 200);
    },
  );

  app.openapi(
    guards.platformRoute('platform:tenants:read', {
      method: 'get',
      path: '/platform/tenants/{tenantId}',
      tags: ['platform'],
      summary: 'One tenant with its quotas and usage counters (no tenant data)',
      request: { params: TenantIdParam },
      responses: { 200: json(OverviewSchema, 'tenant'), ...problems(400, 401, 403, 404) },
    }),
    async (c) => c.json(await tenantOverview(platform, c.req.valid('param').tenantId), 200),
  );

  app.openapi(
    guards.platformRoute('platform:tenants:manage', {
      method: 'post',
      path: '/platform/tenants/{tenantId}/approve',
      tags: ['platform'],
      summary: 'Approve a requested tenant and invite its first tenant admin (the invitation is mailed to them)',
      request: { params: TenantIdParam },
      responses: { 200: json(z.object({ tenant: TenantInfoSchema, invitation: InvitationSchema }), 'approved'), ...problems(400, 401, 403, 404, 409) },
    }),
    async (c) => {
      const { tenant, invitation } = await approveTenant(platform, identity, c.req.valid('param').tenantId, c.get('meta'));
      return c.json({ tenant: publicTenant(tenant), invitation }, 200);
    },
  );

  for (const [action, to] of [
    ['suspend', 'suspended'],
    ['resume', 'active'],
  ] as const) {
    app.openapi(
      guards.platformRoute('platform:tenants:manage', {
        method: 'post',
        path: `/platform/tenants/{tenantId}/${action}`,
        tags: ['platform'],
        summary: action === 'suspend' ? 'Suspend a tenant: every request refused, data kept' : 'Resume a suspended tenant',
        request: { params: TenantIdParam, ...body(StatusChangeInput) },
        responses: { 200: json(TenantInfoSchema, 'new state'), ...problems(400, 401, 403, 404, 409) },
      }),
      async (c) =>
        c.json(publicTenant(await changeTenantStatus(platform, identity, c.req.valid('param').tenantId, to, c.req.valid('json').reason, c.get('meta'))), 200),
    );
  }

  app.openapi(
    guards.platformRoute('platform:tenants:manage', {
      method: 'delete',
      path: '/platform/tenants/{tenantId}',
      tags: ['platform'],
      summary: 'Delete a tenant: data and artifacts purged, audit trail kept',
      request: { params: TenantIdParam, ...body(StatusChangeInput) },
      responses: {
        200: json(z.object({ tenant: TenantInfoSchema, itemsRemoved: z.number(), objectsRemoved: z.number() }), 'deleted'),
        ...problems(400, 401, 403, 404, 409),
      },
    }),
    async (c) => {
      const result = await deleteTenant(platform, identity, c.req.valid('param').tenantId, c.req.valid('json').reason, c.get('meta'));
      return c.json({ ...result, tenant: publicTenant(result.tenant) }, 200);
    },
  );
}
