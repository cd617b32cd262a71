import { z } from '@hono/zod-openapi';
import { AuditFilterSchema, listAuditEvents } from '../../core/audit/audit-trail';
import { json, PageQuery, pageOf, problems } from '../schemas/common';
import type { RouteDeps } from './route-deps';

export const AuditEventSchema = z
  .object({
    eventId: z.string(),
    at: z.string(),
    action: z.string(),
    actor: z.string(),
    target: z.object({ type: z.string(), id: z.string() }),
    before: z.any().optional(),
    after: z.any().optional(),
    requestId: z.string(),
    sourceIp: z.string().optional(),
    tokenId: z.string().optional(),
  })
  .openapi('AuditEvent');

/** The tenant's append-only audit trail. */
export function auditRoutes({ app, guards }: RouteDeps): void {
  app.openapi(
    guards.tenantRoute('audit:read', {
      method: 'get',
      path: '/audit/events',
      tags: ['audit'],
      summary: 'Audit events, newest first; filter by target, actor and time',
      request: { query: PageQuery.extend(AuditFilterSchema.shape) },
      responses: { 200: json(pageOf(AuditEventSchema, 'AuditEventPage'), 'events'), ...problems(400, 401, 403) },
    }),
    async (c) => {
      const { limit, cursor, ...filter } = c.req.valid('query');
      const page = await listAuditEvents(c.get('scope'), filter, { limit, cursor });
      return c.json({ items: page.items, next: page.cursor }, 200);
    },
  );
}
