import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { Schemas } from '../api/client';
import { unwrap } from '../api/problem';
import { CursorList } from '../components/cursor-list';
import { ProblemMessage } from '../components/problem-message';
import { EmptyState, PageHeader, StatusBadge } from '../components/ui';
import { useApi } from '../session/session';

type Role = Schemas['Role'];
const ROLES: readonly { role: Role; what: string }[] = [
  { role: 'tenant-admin', what: 'users, tokens, audit' },
  { role: 'data-scientist', what: 'datasets, models, training runs' },
  { role: 'approver', what: 'approve or reject versions' },
  { role: 'deployer', what: 'deploy and roll back' },
  { role: 'viewer', what: 'read everything, including the audit log (auditors)' },
];

export function UsersPage() {
  const api = useApi();
  const queryClient = useQueryClient();
  const [email, setEmail] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [roles, setRoles] = useState<Role[]>(['data-scientist']);
  const [invited, setInvited] = useState<{ email: string }>();
  const invite = useMutation({
    mutationFn: async () => unwrap(await api.POST('/users', { body: { email, roles, ...(displayName ? { displayName } : {}) } })),
    onSuccess: (res) => {
      setInvited({ email: res.user.email });
      setEmail('');
      setDisplayName('');
      return queryClient.invalidateQueries({ queryKey: ['users'] });
    },
  });
  const [editing, setEditing] = useState<{ user: Schemas['User']; roles: Role[] }>();
  const saveRoles = useMutation({
    mutationFn: async () => unwrap(await api.PATCH('/users/{userId}', { params: { path: { userId: editing!.user.userId } }, body: { roles: editing!.roles } })),
    onSuccess: () => {
      setEditing(undefined);
      return queryClient.invalidateQueries({ queryKey: ['users'] });
    },
  });
  const change = useMutation({
    mutationFn: async ({ userId, action }: { userId: string; action: 'disable' | 'enable' }) =>
      action === 'disable'
        ? unwrap(await api.POST('/users/{userId}/disable', { params: { path: { userId } } }))
        : unwrap(await api.POST('/users/{userId}/enable', { params: { path: { userId } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['users'] }),
  });
  return (
    <>
      <PageHeader title="Users" subtitle="Who works in your business unit, and what each may do." />
      <form
        className="card form-grid"
        aria-labelledby="invite-title"
        onSubmit={(e) => {
          e.preventDefault();
          invite.mutate();
        }}
      >
        <h2 id="invite-title" className="span-2">
          Invite someone
        </h2>
        <div className="field">
          <label htmlFor="invite-email">Email</label>
          <input id="invite-email" type="email" value={email} onChange={(e) => setEmail(e.target.value)} required />
        </div>
        <div className="field">
          <label htmlFor="invite-name">Display name (optional)</label>
          <input id="invite-name" value={displayName} onChange={(e) => setDisplayName(e.target.value)} />
        </div>
        <fieldset className="field span-2">
          <legend>Roles</legend>
          {ROLES.map(({ role, what }) => (
            <label key={role} className="checkbox-inline">
              <input
                type="checkbox"
                checked={roles.includes(role)}
                onChange={(e) => setRoles(e.target.checked ? [...roles, role] : roles.filter((r) => r !== role))}
              />{' '}
              {role} <span className="hint">({what})</span>
            </label>
          ))}
        </fieldset>
        <div className="span-2">
          <ProblemMessage error={invite.error} title="The invitation was not sent" />
          <button type="submit" className="primary" disabled={invite.isPending || roles.length === 0}>
            Invite
          </button>
        </div>
      </form>
      {invited ? (
        <section className="callout" aria-labelledby="invited-user">
          <h2 id="invited-user">{invited.email} is invited</h2>
          <p>An invitation was mailed to them.</p>
          <button type="button" onClick={() => setInvited(undefined)}>
            Done
          </button>
        </section>
      ) : null}
      {editing ? (
        <form
          className="card"
          aria-labelledby="edit-roles-title"
          onSubmit={(e) => {
            e.preventDefault();
            saveRoles.mutate();
          }}
        >
          <h2 id="edit-roles-title">Roles of {editing.user.email}</h2>
          <fieldset className="field">
            <legend className="visually-hidden">Roles</legend>
            {ROLES.map(({ role, what }) => (
              <label key={role} className="checkbox-inline">
                <input
                  type="checkbox"
                  checked={editing.roles.includes(role)}
                  onChange={(e) => setEditing({ ...editing, roles: e.target.checked ? [...editing.roles, role] : editing.roles.filter((r) => r !== role) })}
                />{' '}
                {role} <span className="hint">({what})</span>
              </label>
            ))}
          </fieldset>
          <ProblemMessage error={saveRoles.error} title="The roles were not changed" />
          <div className="actions">
            <button type="submit" className="primary" disabled={saveRoles.isPending || editing.roles.length === 0}>
              Save roles
            </button>
            <button type="button" onClick={() => setEditing(undefined)}>
              Cancel
            </button>
          </div>
        </form>
      ) : null}
      <ProblemMessage error={change.error} title="The change was not made" />
      <CursorList<Schemas['User']>
        label="Users"
        queryKey={['users']}
        fetchPage={async (cursor) => unwrap(await api.GET('/users', { params: { query: { limit: 100, ...(cursor ? { cursor } : {}) } } }))}
        rowKey={(u) => u.userId}
        rowHeight={60}
        renderRow={(u) => (
          <div className="row-split">
            <div>
              <span className="row-title">
                {u.displayName ?? u.email} <StatusBadge status={u.status} />
              </span>
              <span className="row-meta">
                {u.email} · {u.roles.join(', ')}
              </span>
            </div>
            <div className="actions">
              <button type="button" onClick={() => setEditing({ user: u, roles: [...u.roles] })} aria-label={`Change roles of ${u.email}`}>
                Roles…
              </button>
              {u.status === 'disabled' ? (
                <button type="button" onClick={() => change.mutate({ userId: u.userId, action: 'enable' })} aria-label={`Enable ${u.email}`}>
                  Enable
                </button>
              ) : (
                <button
                  type="button"
                  className="danger"
                  onClick={() => change.mutate({ userId: u.userId, action: 'disable' })}
                  aria-label={`Disable ${u.email}`}
                >
                  Disable
                </button>
              )}
            </div>
          </div>
        )}
        empty={<EmptyState title="No users yet">Invite your first colleague above.</EmptyState>}
      />
    </>
  );
}
