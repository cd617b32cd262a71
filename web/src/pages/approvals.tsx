import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import type { Schemas } from '../api/client';
import { unwrap } from '../api/problem';
import { ProblemMessage } from '../components/problem-message';
import { EmptyState, formatDate, Loading, PageHeader } from '../components/ui';
import { useApi } from '../session/session';

type InboxItem = Schemas['ApprovalInboxItem'];

/**
 * What waits for a decision (GET /approvals/inbox): each version with its policy's
 * gates passed or failed and why, approvals in and needed, and — when the signed-in
 * person may not decide — the API's own reasons (segregation of duties, roles).
 */
export function ApprovalsPage() {
  const api = useApi();
  const me = useQuery({ queryKey: ['me'], queryFn: async () => unwrap(await api.GET('/me')) });
  const canDecide = me.data?.roles.includes('approver');
  const inbox = useInfiniteQuery({
    queryKey: ['approvals-inbox'],
    initialPageParam: undefined as string | undefined,
    queryFn: async ({ pageParam }) =>
      unwrap(await api.GET('/approvals/inbox', { params: { query: { limit: 50, ...(pageParam ? { cursor: pageParam } : {}) } } })),
    getNextPageParam: (last) => last.next,
  });
  const items = inbox.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <>
      <PageHeader
        title="Approvals"
        subtitle={
          canDecide
            ? 'Versions waiting for a decision, oldest first. Open one to check its evaluation and decide with a reason.'
            : 'Versions waiting for a decision. Your roles let you follow them, not decide.'
        }
      />
      {inbox.isPending ? (
        <Loading what="the approval inbox" />
      ) : inbox.isError ? (
        <ProblemMessage error={inbox.error} title="Could not load the approval inbox" />
      ) : items.length === 0 ? (
        <EmptyState title="Nothing waits for approval">When a pipeline run's policy asks for a person, the version appears here.</EmptyState>
      ) : (
        <div className="card">
          {/* Rows differ in height (gates, reasons) and an inbox is short: a plain list, paged by a button. */}
          <ul className="plain-list" aria-label="Approval inbox">
            {items.map((v) => (
              <li key={`${v.modelId}/${v.version}`}>
                <InboxRow item={v} />
              </li>
            ))}
          </ul>
          {inbox.hasNextPage ? (
            <button type="button" onClick={() => void inbox.fetchNextPage()} disabled={inbox.isFetchingNextPage}>
              {inbox.isFetchingNextPage ? 'Loading…' : 'Show more'}
            </button>
          ) : null}
        </div>
      )}
    </>
  );
}

export function InboxRow({ item }: { item: InboxItem }) {
  const failed = item.gates.results.filter((g) => g.outcome !== 'passed');
  return (
    <div className="inbox-row">
      <Link className="row-link" to={`/models/${item.modelId}/versions/${item.version}`}>
        <span className="row-title">
          {item.modelName} v{item.version}
        </span>
        <span className="row-meta">
          Registered {formatDate(item.registeredAt)} by {item.registeredBy} · approvals {item.approvals.given} of {item.approvals.required} ·{' '}
          {item.policy.scope} policy rev. {item.policy.revision} · gates{' '}
          {item.gates.verdict === 'pass' ? `all ${item.gates.results.length} passed` : `${failed.length} of ${item.gates.results.length} not passed`}
        </span>
      </Link>
      {item.gates.results.length > 0 ? (
        <ul className="gates" aria-label={`Gates of ${item.modelName} v${item.version}`}>
          {item.gates.results.map((g) => (
            <li key={g.expression} className={`gate ${g.outcome}`}>
              <span aria-hidden="true">{g.outcome === 'passed' ? '✓' : g.outcome === 'failed' ? '✗' : '?'}</span> <code>{g.expression}</code> — {g.outcome}:{' '}
              {g.reason}
            </li>
          ))}
        </ul>
      ) : null}
      {item.canApprove ? null : (
        <div className="cannot">
          <strong>Why you cannot approve:</strong>
          <ul>
            {item.cannotApproveBecause.map((r) => (
              <li key={r}>{r}</li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
