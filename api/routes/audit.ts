import { z } from '@hono/zod-openapi';
import { sealAndVerify } from '../../core/audit/audit-chain';
import { EXPORT_MEDIA_TYPES, exportAuditTrail } from '../../core/audit/audit-export';
import { AuditFilterSchema, listAuditEvents } from '../../core/audit/audit-trail';
import { json, PageQuery, pageOf, problems } from '../schemas/common';
import type { RouteDeps } from './route-deps';

const HASH = z.string().regex(/^[0-9a-f]{64}$/);

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
    seq: z.number().int().optional().openapi({ description: 'position in the tenant’s hash chain; absent until sealed (normally within seconds)' }),
    prevHash: HASH.optional().openapi({ description: 'hash of the event at seq − 1 (seq 1: the tenant’s genesis hash)' }),
    hash: HASH.optional().openapi({ description: 'sha256(prevHash + canonical JSON of the event without prevHash and hash), hex' }),
  })
  .openapi('AuditEvent');

const ChainHeadSchema = z.object({ seq: z.number().int(), hash: HASH }).openapi('AuditChainHead');

export const ChainReportSchema = z
  .object({
    ok: z.boolean(),
    checked: z.number().int().openapi({ description: 'events whose hash and link were recomputed' }),
    from: z.number().int(),
    through: z.number().int().openapi({ description: 'last seq checked' }),
    complete: z.boolean().openapi({ description: 'the check reached the chain head' }),
    head: ChainHeadSchema,
    unsealed: z.number().int().openapi({ description: 'events written but not yet linked, not covered by this check' }),
    firstBrokenSeq: z.number().int().optional(),
    eventId: z.string().optional(),
    reason: z.enum(['content-altered', 'link-broken', 'sequence-gap', 'event-missing']).optional(),
    detail: z.string().optional(),
  })
  .openapi('AuditChainReport');

const VerifyQuery = z.object({
  from: z.coerce.number().int().min(1).optional().openapi({ description: 'first seq to check (default 1)' }),
  limit: z.coerce.number().int().min(1).max(1_000_000).default(100_000).openapi({ description: 'check at most this many events' }),
});

const ExportQuery = AuditFilterSchema.extend({
  format: z.enum(['jsonl', 'csv']).default('jsonl').openapi({ description: '`jsonl`: one canonical-JSON event per line (re-verifiable); `csv`: flattened' }),
});

const text = z.string();

/** The tenant's append-only audit trail: read, export, verify. Nothing here changes an event. */
export function auditRoutes({ app, guards, platform }: RouteDeps): void {
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

  app.openapi(
    guards.tenantRoute('audit:read', {
      method: 'get',
      path: '/audit/export',
      tags: ['audit'],
      summary: 'Every matching audit event, oldest first, as a JSON Lines or CSV download',
      description:
        'Pending events are sealed first, so each line carries `seq`, `prevHash` and `hash`. ' +
        'To re-verify offline: sort the JSON Lines by `seq`; for each, `hash` must equal sha256(prevHash + canonical JSON (RFC 8785) of the line without `prevHash` and `hash`), ' +
        'and `prevHash` the previous line’s `hash` (seq 1: sha256("steward-audit-chain:v1:" + tenantId)); the last `seq`/`hash` must match the `x-steward-audit-head-*` headers.',
      request: { query: ExportQuery },
      responses: {
        200: {
          description: 'the export, streamed',
          headers: {
            'content-disposition': { description: '`attachment; filename="audit-<tenant>-<time>.<format>"`', schema: { type: 'string' } },
            'x-steward-audit-head-seq': { description: 'seq of the chain head when the export started', schema: { type: 'string' } },
            'x-steward-audit-head-hash': { description: 'hash of the chain head when the export started', schema: { type: 'string' } },
          },
          content: {
            'application/x-ndjson': { schema: text.openapi({ description: 'one AuditEvent (canonical JSON) per line' }) },
            'text/csv': {
              schema: text.openapi({
                description:
                  'header row, then eventId,seq,at,action,actor,targetType,targetId,requestId,sourceIp,tokenId,before,after,prevHash,hash; before/after as JSON',
              }),
            },
          },
        },
        ...problems(400, 401, 403),
      },
    }),
    async (c) => {
      const { format, ...filter } = c.req.valid('query');
      const exported = await exportAuditTrail(c.get('scope').table, filter, format, { now: platform.now() });
      const headers: Record<string, string> = {
        'content-type': EXPORT_MEDIA_TYPES[format],
        'content-disposition': `attachment; filename="${exported.filename}"`,
        'cache-control': 'no-store',
      };
      if (exported.head) {
        headers['x-steward-audit-head-seq'] = String(exported.head.seq);
        headers['x-steward-audit-head-hash'] = exported.head.hash;
      }
      return c.body(exported.body, 200, headers);
    },
  );

  app.openapi(
    guards.tenantRoute('audit:read', {
      method: 'get',
      path: '/audit/verify',
      tags: ['audit'],
      summary: 'Seal pending events, then recompute the tenant’s hash chain and report the first break',
      request: { query: VerifyQuery },
      responses: { 200: json(ChainReportSchema, 'the verification report (ok: false names the first broken seq and why)'), ...problems(400, 401, 403) },
    }),
    async (c) => {
      const { from, limit } = c.req.valid('query');
      const report = await sealAndVerify(c.get('scope').table, { from, limit });
      return c.json(report, 200);
    },
  );
}
