import { approvalsInbox } from '../../core/governance/approvals-inbox';
import { CompareQuery, compareVersions } from '../../core/governance/version-comparison';
import { ModelParam } from '../schemas/catalog';
import { json, PageQuery, pageOf, problems } from '../schemas/common';
import { ComparisonOut, InboxItemOut } from '../schemas/governance';
import type { RouteDeps } from './route-deps';

/** The approvals inbox, and the side-by-side comparison of a model's versions approvers decide with. */
export function approvalRoutes({ app, guards }: RouteDeps): void {
  app.openapi(
    guards.tenantRoute('approvals:decide', {
      method: 'get',
      path: '/approvals/inbox',
      tags: ['approvals'],
      summary:
        'Versions awaiting approval, oldest first: policy, approvals in and needed, gates passed or failed (and why), and whether you may approve — with the reasons if not',
      request: { query: PageQuery },
      responses: { 200: json(pageOf(InboxItemOut, 'ApprovalInboxPage'), 'inbox'), ...problems(400, 401, 403) },
    }),
    async (c) => {
      const page = await approvalsInbox(c.get('scope'), c.req.valid('query'));
      return c.json({ items: page.items, next: page.cursor }, 200);
    },
  );

  app.openapi(
    guards.tenantRoute('catalog:read', {
      method: 'get',
      path: '/models/{modelId}/compare',
      tags: ['approvals'],
      summary: 'Versions side by side (`versions=1,2,3`; default the latest five): metrics, deltas against the champion, curve data for overlay',
      request: { params: ModelParam, query: CompareQuery },
      responses: { 200: json(ComparisonOut, 'comparison'), ...problems(400, 401, 403, 404) },
    }),
    async (c) => c.json(await compareVersions(c.get('scope'), c.req.valid('param').modelId, c.req.valid('query')), 200),
  );
}
