import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { Schemas } from '../api/client';
import { unwrap } from '../api/problem';
import { ProblemMessage } from '../components/problem-message';
import { EmptyState, formatDate, Loading, PageHeader, StatusBadge } from '../components/ui';
import { useApi } from '../session/session';

type TenantStatus = Schemas['Tenant']['status'];
const FILTERS: readonly (TenantStatus | 'all')[] = ['requested', 'active', 'suspended', 'all'];

/** The platform administrator's queue: approve requested tenants, suspend and resume active ones. */
export function PlatformTenantsPage() {
  const api = useApi();
  const queryClient = useQueryClient();
  const [filter, setFilter] = useState<TenantStatus | 'all'>('requested');
  const [pending, setPending] = useState<{ tenant: Schemas['Tenant']; action: 'suspend' | 'resume'; reason: string }>();
  const [invited, setInvited] = useState<{ tenant: Schemas['Tenant'] }>();
  const tenants = useQuery({
    queryKey: ['platform-tenants', filter],
    queryFn: async () => unwrap(await api.GET('/platform/tenants', { params: { query: { limit: 100, ...(filter === 'all' ? {} : { status: filter }) } } })),
  });
  const act = useMutation({
    mutationFn: async ({ tenantId, action, reason = '' }: { tenantId: string; action: 'approve' | 'suspend' | 'resume'; reason?: string }) => {
      const params = { params: { path: { tenantId } } };
      if (action === 'approve') {
        const res = unwrap(await api.POST('/platform/tenants/{tenantId}/approve', params));
        setInvited({ tenant: res.tenant });
        return;
      }
      if (action === 'suspend') unwrap(await api.POST('/platform/tenants/{tenantId}/suspend', { ...params, body: { reason } }));
      else unwrap(await api.POST('/platform/tenants/{tenantId}/resume', { ...params, body: { reason } }));
    },
    onSuccess: () => {
      setPending(undefined);
      return queryClient.invalidateQueries({ queryKey: ['platform-tenants'] });
    },
  });
  return (
    <>
      <PageHeader title="Tenants" subtitle="Business units on the platform. Approving a request invites its administrator." />
      {invited ? (
        <section className="callout" aria-labelledby="invited-title">
          <h2 id="invited-title">{invited.tenant.name} is approved</h2>
          <p>An invitation was mailed to {invited.tenant.adminEmail}.</p>
          <button type="button" onClick={() => setInvited(undefined)}>
            Done
          </button>
        </section>
      ) : null}
      <div className="toolbar" role="group" aria-label="Show tenants">
        {FILTERS.map((f) => (
          <button key={f} type="button" aria-pressed={filter === f} onClick={() => setFilter(f)}>
            {f === 'all' ? 'All' : f.charAt(0).toUpperCase() + f.slice(1)}
          </button>
        ))}
      </div>
      {pending ? (
        <form
          className="card inline-form"
          aria-labelledby="pending-title"
          onSubmit={(e) => {
            e.preventDefault();
            act.mutate({ tenantId: pending.tenant.tenantId, action: pending.action, reason: pending.reason });
          }}
        >
          <h2 id="pending-title" className="span-2">
            {pending.action === 'suspend'
              ? `Suspend ${pending.tenant.name}: every request of its users is refused until resumed`
              : `Resume ${pending.tenant.name}`}
          </h2>
          <div className="field grow">
            <label htmlFor="pending-reason">Reason (recorded in the audit trail)</label>
            <input
              id="pending-reason"
              value={pending.reason}
              onChange={(e) => setPending({ ...pending, reason: e.target.value })}
              required
              minLength={3}
              autoFocus
            />
          </div>
          <button type="submit" className={pending.action === 'suspend' ? 'danger' : 'primary'} disabled={act.isPending}>
            {pending.action === 'suspend' ? 'Suspend' : 'Resume'}
          </button>
          <button type="button" onClick={() => setPending(undefined)}>
            Cancel
          </button>
        </form>
      ) : null}
      <ProblemMessage error={act.error} title="The action failed" />
      {tenants.isPending ? (
        <Loading what="tenants" />
      ) : tenants.isError ? (
        <ProblemMessage error={tenants.error} title="Could not load tenants" />
      ) : tenants.data.items.length === 0 ? (
        <EmptyState title={filter === 'requested' ? 'No requests waiting' : `No ${filter === 'all' ? '' : filter} tenants`}>
          {filter === 'requested' ? 'New business units request a tenant at the sign-up page; their requests appear here.' : 'Pick another filter above.'}
        </EmptyState>
      ) : (
        <table className="table">
          <caption className="visually-hidden">Tenants ({filter})</caption>
          <thead>
            <tr>
              <th scope="col">Business unit</th>
              <th scope="col">Administrator</th>
              <th scope="col">Plan</th>
              <th scope="col">Status</th>
              <th scope="col">Requested</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {tenants.data.items.map((t) => (
              <tr key={t.tenantId}>
                <td>
                  {t.name}
                  <div className="hint">
                    <code>{t.tenantId}</code>
                  </div>
                </td>
                <td>{t.adminEmail}</td>
                <td>{t.plan}</td>
                <td>
                  <StatusBadge status={t.status} />
                </td>
                <td>{formatDate(t.createdAt)}</td>
                <td className="row-actions">
                  {t.status === 'requested' ? (
                    <button
                      type="button"
                      className="primary"
                      disabled={act.isPending}
                      onClick={() => act.mutate({ tenantId: t.tenantId, action: 'approve' })}
                      aria-label={`Approve ${t.name}`}
                    >
                      Approve
                    </button>
                  ) : null}
                  {t.status === 'active' ? (
                    <button
                      type="button"
                      className="danger"
                      disabled={act.isPending}
                      onClick={() => setPending({ tenant: t, action: 'suspend', reason: '' })}
                      aria-label={`Suspend ${t.name}`}
                    >
                      Suspend
                    </button>
                  ) : null}
                  {t.status === 'suspended' ? (
                    <button
                      type="button"
                      disabled={act.isPending}
                      onClick={() => setPending({ tenant: t, action: 'resume', reason: '' })}
                      aria-label={`Resume ${t.name}`}
                    >
                      Resume
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
