import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import type { Schemas } from '../api/client';
import { unwrap } from '../api/problem';
import { CursorList } from '../components/cursor-list';
import { ProblemMessage } from '../components/problem-message';
import { EmptyState, formatDate, Loading, PageHeader } from '../components/ui';
import { auditFilterProblems, auditQuery, type AuditFilter } from '../lib/audit-filter';
import { API_BASE, useApi, useSession } from '../session/session';

/** The tenant's audit log: filter, check the hash chain, export for an auditor. */
export function AuditPage() {
  const api = useApi();
  const { session } = useSession();
  const [draft, setDraft] = useState<AuditFilter>({ targetType: '', targetId: '', actor: '', from: '', to: '' });
  const [filter, setFilter] = useState<AuditFilter>(draft);
  const [exportError, setExportError] = useState<unknown>();
  const [problems, setProblems] = useState<ReturnType<typeof auditFilterProblems>>({});
  const query = auditQuery(filter);
  const verify = useQuery({ queryKey: ['audit-verify'], queryFn: async () => unwrap(await api.GET('/audit/verify')) });
  const set = (key: keyof AuditFilter) => (e: { target: { value: string } }) => setDraft({ ...draft, [key]: e.target.value });
  return (
    <>
      <PageHeader
        title="Audit log"
        subtitle="Every change in your business unit, who made it, and a hash chain that shows nothing was altered."
        actions={
          <>
            {(['csv', 'jsonl'] as const).map((format) => (
              <button
                key={format}
                type="button"
                onClick={async () => {
                  setExportError(undefined);
                  // A download needs the bearer credential: fetch it, then hand the browser a file.
                  const params = new URLSearchParams({ ...query, format });
                  const res = await fetch(`${API_BASE}/audit/export?${params}`, { headers: { authorization: `Bearer ${session?.token ?? ''}` } });
                  if (!res.ok) return setExportError(new Error(`The export failed (HTTP ${res.status}). Try again, or narrow the filters.`));
                  const link = document.createElement('a');
                  link.href = URL.createObjectURL(await res.blob());
                  link.download = `audit-${new Date().toISOString().slice(0, 10)}.${format}`;
                  link.click();
                  URL.revokeObjectURL(link.href);
                }}
              >
                Export {format.toUpperCase()}
              </button>
            ))}
          </>
        }
      />
      <ProblemMessage error={exportError} />
      <section className="card chain" aria-labelledby="chain-title">
        <h2 id="chain-title">Chain verification</h2>
        {verify.isPending ? (
          <Loading what="the verification" />
        ) : verify.isError ? (
          <ProblemMessage error={verify.error} />
        ) : verify.data.ok ? (
          <p className="good-text" data-testid="chain-status">
            ✓ Chain verified: {verify.data.checked} events checked through #{verify.data.through}
            {verify.data.complete ? ', up to the head' : ''}
            {verify.data.unsealed ? `; ${verify.data.unsealed} newer events not yet sealed` : ''}.
          </p>
        ) : (
          <p className="error-text" data-testid="chain-status" role="alert">
            ✗ Chain broken at event #{verify.data.firstBrokenSeq} ({verify.data.reason}): {verify.data.detail}. Export the log and contact the platform team.
          </p>
        )}
        <button type="button" onClick={() => verify.refetch()} disabled={verify.isFetching}>
          Verify again
        </button>
      </section>
      <form
        className="filters"
        role="search"
        aria-label="Filter audit events"
        onSubmit={(e) => {
          e.preventDefault();
          const found = auditFilterProblems(draft);
          setProblems(found);
          if (Object.keys(found).length === 0) setFilter(draft);
        }}
      >
        <div className="field">
          <label htmlFor="audit-target-type">Target type</label>
          <input
            id="audit-target-type"
            value={draft.targetType}
            onChange={set('targetType')}
            placeholder="e.g. version, user, token"
            aria-invalid={!!problems.targetType}
            aria-describedby={problems.targetType ? 'audit-target-type-error' : undefined}
          />
          {problems.targetType ? (
            <small id="audit-target-type-error" className="hint error-text">
              {problems.targetType}
            </small>
          ) : null}
        </div>
        <div className="field">
          <label htmlFor="audit-target-id">Target id</label>
          <input
            id="audit-target-id"
            value={draft.targetId}
            onChange={set('targetId')}
            aria-invalid={!!problems.targetId}
            aria-describedby={problems.targetId ? 'audit-target-id-error' : undefined}
          />
          {problems.targetId ? (
            <small id="audit-target-id-error" className="hint error-text">
              {problems.targetId}
            </small>
          ) : null}
        </div>
        <div className="field">
          <label htmlFor="audit-actor">Actor</label>
          <input
            id="audit-actor"
            value={draft.actor}
            onChange={set('actor')}
            placeholder="e.g. user:…"
            aria-invalid={!!problems.actor}
            aria-describedby={problems.actor ? 'audit-actor-error' : undefined}
          />
          {problems.actor ? (
            <small id="audit-actor-error" className="hint error-text">
              {problems.actor}
            </small>
          ) : null}
        </div>
        <div className="field">
          <label htmlFor="audit-from">From</label>
          <input id="audit-from" type="datetime-local" value={draft.from} onChange={set('from')} />
        </div>
        <div className="field">
          <label htmlFor="audit-to">To</label>
          <input
            id="audit-to"
            type="datetime-local"
            value={draft.to}
            onChange={set('to')}
            aria-invalid={!!problems.to}
            aria-describedby={problems.to ? 'audit-to-error' : undefined}
          />
          {problems.to ? (
            <small id="audit-to-error" className="hint error-text">
              {problems.to}
            </small>
          ) : null}
        </div>
        <button type="submit">Filter</button>
      </form>
      <CursorList<Schemas['AuditEvent']>
        label="Audit events"
        queryKey={['audit', query]}
        rowHeight={64}
        fetchPage={async (cursor) => unwrap(await api.GET('/audit/events', { params: { query: { ...query, limit: 100, ...(cursor ? { cursor } : {}) } } }))}
        rowKey={(e) => e.eventId}
        renderRow={(e) => (
          <div>
            <span className="row-title">
              {e.action}{' '}
              <span className="hint">
                on {e.target.type} {e.target.id}
              </span>
            </span>
            <span className="row-meta">
              {formatDate(e.at)} · {e.actor}
              {e.seq !== undefined ? ` · #${e.seq}` : ' · not sealed yet'} · request {e.requestId}
            </span>
          </div>
        )}
        empty={<EmptyState title="No event matches">Clear a filter, or widen the time range.</EmptyState>}
      />
    </>
  );
}
