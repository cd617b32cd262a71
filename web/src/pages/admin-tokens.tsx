import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { Schemas } from '../api/client';
import { unwrap } from '../api/problem';
import { CursorList } from '../components/cursor-list';
import { ProblemMessage } from '../components/problem-message';
import { CopyButton, EmptyState, formatDate, PageHeader } from '../components/ui';
import { useApi } from '../session/session';

const TOKEN_ROLES = ['data-scientist', 'approver', 'deployer', 'viewer'] as const;

export function TokensPage() {
  const api = useApi();
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [roles, setRoles] = useState<(typeof TOKEN_ROLES)[number][]>(['data-scientist']);
  const [days, setDays] = useState('90');
  const [created, setCreated] = useState<Schemas['CreatedCiToken']>();
  const create = useMutation({
    mutationFn: async () => unwrap(await api.POST('/tokens', { body: { name, roles, expiresInDays: Number(days) } })),
    onSuccess: (res) => {
      setCreated(res);
      setName('');
      return queryClient.invalidateQueries({ queryKey: ['tokens'] });
    },
  });
  const revoke = useMutation({
    mutationFn: async (tokenId: string) => unwrap(await api.DELETE('/tokens/{tokenId}', { params: { path: { tokenId } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['tokens'] }),
  });
  return (
    <>
      <PageHeader title="CI tokens" subtitle="Credentials for pipelines and scripts. The secret is shown once, when the token is created." />
      <form
        className="card form-grid"
        aria-labelledby="token-title"
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate();
        }}
      >
        <h2 id="token-title" className="span-2">
          Create a token
        </h2>
        <div className="field">
          <label htmlFor="token-name">Name</label>
          <input id="token-name" value={name} onChange={(e) => setName(e.target.value)} required aria-describedby="token-name-hint" />
          <small id="token-name-hint" className="hint">
            Say where it is used, e.g. “nightly retrain in GitLab”.
          </small>
        </div>
        <div className="field">
          <label htmlFor="token-days">Expires after (days)</label>
          <input id="token-days" type="number" min={1} max={365} value={days} onChange={(e) => setDays(e.target.value)} required />
        </div>
        <fieldset className="field span-2">
          <legend>Roles</legend>
          {TOKEN_ROLES.map((role) => (
            <label key={role} className="checkbox-inline">
              <input
                type="checkbox"
                checked={roles.includes(role)}
                onChange={(e) => setRoles(e.target.checked ? [...roles, role] : roles.filter((r) => r !== role))}
              />{' '}
              {role}
            </label>
          ))}
        </fieldset>
        <div className="span-2">
          <ProblemMessage error={create.error} title="The token was not created" />
          <button type="submit" className="primary" disabled={create.isPending || roles.length === 0}>
            Create token
          </button>
        </div>
      </form>
      {created ? (
        <section className="callout" aria-labelledby="secret-title">
          <h2 id="secret-title">Token “{created.token.name}” created</h2>
          <p>Copy the secret now and store it in your CI's secret store. It is not shown again.</p>
          <p className="secret">
            <code data-testid="token-secret">{created.secret}</code> <CopyButton value={created.secret} label="Copy secret" />
          </p>
          <button type="button" onClick={() => setCreated(undefined)}>
            I have stored it
          </button>
        </section>
      ) : null}
      <ProblemMessage error={revoke.error} title="The token was not revoked" />
      <CursorList<Schemas['CiToken']>
        label="CI tokens"
        queryKey={['tokens']}
        fetchPage={async (cursor) => unwrap(await api.GET('/tokens', { params: { query: { limit: 100, ...(cursor ? { cursor } : {}) } } }))}
        rowKey={(t) => t.tokenId}
        rowHeight={60}
        renderRow={(t) => (
          <div className="row-split">
            <div>
              <span className="row-title">{t.name}</span>
              <span className="row-meta">
                {t.roles.join(', ')} · expires {formatDate(t.expiresAt)} · {t.lastUsedAt ? `last used ${formatDate(t.lastUsedAt)}` : 'never used'}
                {t.revokedAt ? ` · revoked ${formatDate(t.revokedAt)}` : ''}
              </span>
            </div>
            {t.revokedAt ? null : (
              <button type="button" className="danger" onClick={() => revoke.mutate(t.tokenId)} aria-label={`Revoke ${t.name}`}>
                Revoke
              </button>
            )}
          </div>
        )}
        empty={<EmptyState title="No tokens yet">Create one above for your CI pipeline.</EmptyState>}
      />
    </>
  );
}
