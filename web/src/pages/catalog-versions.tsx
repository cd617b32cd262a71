import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import type { Schemas } from '../api/client';
import { unwrap } from '../api/problem';
import { CursorList } from '../components/cursor-list';
import { EmptyState, formatDate, PageHeader, StatusBadge } from '../components/ui';
import { useApi } from '../session/session';

type Status = Schemas['ModelVersion']['status'];
export const VERSION_STATUSES: readonly Status[] = [
  'registered',
  'training',
  'trained',
  'evaluating',
  'evaluated',
  'pending-approval',
  'approved',
  'rejected',
  'deployed',
  'retired',
  'failed',
];

/** Versions across the tenant: smooth at 100,000 rows (virtualized, paged by cursor). */
export function VersionsPage() {
  const api = useApi();
  const [params, setParams] = useSearchParams();
  const current = {
    namePrefix: params.get('q') ?? '',
    status: params.get('status') ?? '',
    stage: params.get('stage') ?? '',
    projectId: params.get('project') ?? '',
  };
  const [draft, setDraft] = useState(current);
  const projects = useQuery({ queryKey: ['projects-all'], queryFn: async () => unwrap(await api.GET('/projects', { params: { query: { limit: 100 } } })) });
  const query = {
    ...(current.namePrefix ? { namePrefix: current.namePrefix } : {}),
    ...(current.status ? { status: current.status as Status } : {}),
    ...(current.stage ? { stage: current.stage as 'champion' | 'challenger' } : {}),
    ...(current.projectId ? { projectId: current.projectId } : {}),
  };
  return (
    <>
      <PageHeader title="Versions" subtitle="Every model version, by model name. Filter by status, stage or project." />
      <form
        className="filters"
        role="search"
        aria-label="Search versions"
        onSubmit={(e) => {
          e.preventDefault();
          const next = new URLSearchParams();
          if (draft.namePrefix) next.set('q', draft.namePrefix);
          if (draft.status) next.set('status', draft.status);
          if (draft.stage) next.set('stage', draft.stage);
          if (draft.projectId) next.set('project', draft.projectId);
          setParams(next);
        }}
      >
        <div className="field">
          <label htmlFor="version-prefix">Model name starts with</label>
          <input id="version-prefix" value={draft.namePrefix} onChange={(e) => setDraft({ ...draft, namePrefix: e.target.value })} />
        </div>
        <div className="field">
          <label htmlFor="version-status">Status</label>
          <select id="version-status" value={draft.status} onChange={(e) => setDraft({ ...draft, status: e.target.value })}>
            <option value="">Any status</option>
            {VERSION_STATUSES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="version-stage">Stage</label>
          <select id="version-stage" value={draft.stage} onChange={(e) => setDraft({ ...draft, stage: e.target.value })}>
            <option value="">Any stage</option>
            <option value="champion">champion</option>
            <option value="challenger">challenger</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="version-project">Project</label>
          <select id="version-project" value={draft.projectId} onChange={(e) => setDraft({ ...draft, projectId: e.target.value })}>
            <option value="">Any project</option>
            {projects.data?.items.map((p) => (
              <option key={p.projectId} value={p.projectId}>
                {p.name}
              </option>
            ))}
          </select>
        </div>
        <button type="submit">Search</button>
      </form>
      <CursorList<Schemas['ModelVersion']>
        label="Versions"
        queryKey={['versions', query]}
        fetchPage={async (cursor) => unwrap(await api.GET('/versions', { params: { query: { ...query, limit: 100, ...(cursor ? { cursor } : {}) } } }))}
        rowKey={(v) => `${v.modelId}/${v.version}`}
        renderRow={(v) => <VersionRow version={v} />}
        empty={
          Object.keys(query).length ? (
            <EmptyState title="No version matches">Clear a filter or shorten the name prefix.</EmptyState>
          ) : (
            <EmptyState title="No versions yet" action={{ to: '/pipelines', label: 'Train a model' }}>
              Versions appear when a pipeline trains a model, or when one is imported with its artifact.
            </EmptyState>
          )
        }
      />
    </>
  );
}

export function VersionRow({ version: v }: { version: Schemas['ModelVersion'] }) {
  return (
    <Link className="row-link" to={`/models/${v.modelId}/versions/${v.version}`}>
      <span className="row-title">
        {v.modelName} v{v.version} {v.stage ? <span className="badge info">{v.stage}</span> : null}
      </span>
      <span className="row-meta">
        <StatusBadge status={v.status} /> {v.source} · {formatDate(v.createdAt)} · by {v.createdBy}
      </span>
    </Link>
  );
}
