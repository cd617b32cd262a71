import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import type { Schemas } from '../api/client';
import { unwrap } from '../api/problem';
import { CursorList } from '../components/cursor-list';
import { EmptyState, PageHeader } from '../components/ui';
import { MODEL_FILTER_FIELDS, type ModelFilterField, modelSearchQuery } from '../lib/query-keys';
import { labelOf } from '../lib/schema-form';
import { useApi } from '../session/session';

const MODEL_TYPES = ['ml', 'rules', 'scorecard'];

export function ModelsPage() {
  const api = useApi();
  const [params, setParams] = useSearchParams();
  const namePrefix = params.get('q') ?? '';
  const field = (params.get('by') as ModelFilterField | null) ?? undefined;
  const value = params.get('value') ?? '';
  const [draft, setDraft] = useState({ namePrefix, field: field ?? 'projectId', value });
  const projects = useQuery({ queryKey: ['projects-all'], queryFn: async () => unwrap(await api.GET('/projects', { params: { query: { limit: 100 } } })) });
  const query = modelSearchQuery({ namePrefix, field, value });
  return (
    <>
      <PageHeader
        title="Models"
        subtitle="Every model registered in your business unit."
        actions={
          <Link className="button primary" to="/models/new">
            Register a model
          </Link>
        }
      />
      <form
        className="filters"
        role="search"
        aria-label="Search models"
        onSubmit={(e) => {
          e.preventDefault();
          const next = new URLSearchParams();
          if (draft.namePrefix) next.set('q', draft.namePrefix);
          if (draft.value) {
            next.set('by', draft.field);
            next.set('value', draft.value);
          }
          setParams(next);
        }}
      >
        <div className="field">
          <label htmlFor="model-prefix">Name starts with</label>
          <input id="model-prefix" value={draft.namePrefix} onChange={(e) => setDraft({ ...draft, namePrefix: e.target.value })} />
        </div>
        <div className="field">
          <label htmlFor="model-filter-field">And filter by</label>
          <select id="model-filter-field" value={draft.field} onChange={(e) => setDraft({ ...draft, field: e.target.value as ModelFilterField, value: '' })}>
            {MODEL_FILTER_FIELDS.map((f) => (
              <option key={f} value={f}>
                {f === 'projectId' ? 'Project' : labelOf(f)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="model-filter-value">Value</label>
          {draft.field === 'projectId' ? (
            <select id="model-filter-value" value={draft.value} onChange={(e) => setDraft({ ...draft, value: e.target.value })}>
              <option value="">Any project</option>
              {projects.data?.items.map((p) => (
                <option key={p.projectId} value={p.projectId}>
                  {p.name}
                </option>
              ))}
            </select>
          ) : draft.field === 'type' ? (
            <select id="model-filter-value" value={draft.value} onChange={(e) => setDraft({ ...draft, value: e.target.value })}>
              <option value="">Any type</option>
              {MODEL_TYPES.map((t) => (
                <option key={t}>{t}</option>
              ))}
            </select>
          ) : (
            <input id="model-filter-value" value={draft.value} onChange={(e) => setDraft({ ...draft, value: e.target.value })} />
          )}
        </div>
        <button type="submit">Search</button>
      </form>
      <CursorList<Schemas['ModelSummary']>
        label="Models"
        queryKey={['models', query]}
        fetchPage={async (cursor) => unwrap(await api.GET('/models', { params: { query: { ...query, limit: 100, ...(cursor ? { cursor } : {}) } } }))}
        rowKey={(m) => m.modelId}
        renderRow={(m) => (
          <Link className="row-link" to={`/models/${m.modelId}`}>
            <span className="row-title">{m.name}</span>
            <span className="row-meta">
              {m.type} · {m.framework} · owner {m.owner} · {m.description ?? 'no description'}
              {m.tags.length ? ` · ${m.tags.join(', ')}` : ''}
            </span>
          </Link>
        )}
        empty={
          Object.keys(query).length ? (
            <EmptyState title="No model matches">Loosen the search: a shorter name prefix, or another filter.</EmptyState>
          ) : (
            <EmptyState title="No models yet" action={{ to: '/models/new', label: 'Register a model' }}>
              Register a model in a project, then train versions of it from a dataset with a pipeline.
            </EmptyState>
          )
        }
      />
    </>
  );
}
