import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { unwrap } from '../api/problem';
import { ProblemMessage } from '../components/problem-message';
import { EmptyState, PageHeader } from '../components/ui';
import { ioSchemaFromColumns } from '../lib/io-schema';
import { useApi } from '../session/session';

/**
 * Registers a model. Its input schema is taken from a dataset version's columns (all
 * but the target), so nobody types thirty feature names by hand.
 */
export function NewModelPage() {
  const api = useApi();

  const navigate = useNavigate();
  const projects = useQuery({ queryKey: ['projects-all'], queryFn: async () => unwrap(await api.GET('/projects', { params: { query: { limit: 100 } } })) });
  const datasets = useQuery({ queryKey: ['datasets-all'], queryFn: async () => unwrap(await api.GET('/datasets', { params: { query: { limit: 100 } } })) });
  const [form, setForm] = useState({
    projectId: '',
    name: '',
    type: 'ml' as 'ml' | 'rules' | 'scorecard',
    framework: 'steward-built-in',
    owner: '',
    tags: '',
    description: '',
    datasetId: '',
    target: '',
  });
  const dataset = datasets.data?.items.find((d) => d.datasetId === form.datasetId);
  const columns = useQuery({
    queryKey: ['dataset-version', form.datasetId, dataset?.latestVersion],
    enabled: !!dataset && dataset.latestVersion > 0,
    queryFn: async () =>
      unwrap(await api.GET('/datasets/{datasetId}/versions/{version}', { params: { path: { datasetId: form.datasetId, version: dataset!.latestVersion } } })),
  });
  const create = useMutation({
    mutationFn: async () => {
      const schema = ioSchemaFromColumns(columns.data?.schema ?? [], form.target);
      const model = unwrap(
        await api.POST('/models', {
          body: {
            projectId: form.projectId,
            name: form.name,
            type: form.type,
            framework: form.framework,
            owner: form.owner || undefined,
            description: form.description || undefined,
            tags: form.tags
              .split(',')
              .map((t) => t.trim())
              .filter(Boolean),
            schema: schema,
          },
        }),
      );
      void navigate(`/models/${model.modelId}`);
    },
  });
  const set = (key: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [key]: e.target.value });
  if (projects.data && projects.data.items.length === 0) {
    return (
      <>
        <PageHeader title="Register a model" />
        <EmptyState title="Create a project first" action={{ to: '/projects', label: 'Create a project' }}>
          Models live in projects.
        </EmptyState>
      </>
    );
  }
  return (
    <>
      <PageHeader title="Register a model" subtitle="Name it, say what it is, and take its inputs from a dataset." />
      <form
        className="card form-grid"
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate();
        }}
      >
        <div className="field">
          <label htmlFor="m-project">Project</label>
          <select id="m-project" value={form.projectId} onChange={set('projectId')} required>
            <option value="">Choose a project</option>
            {projects.data?.items.map((p) => (
              <option key={p.projectId} value={p.projectId}>
                {p.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="m-name">Model name</label>
          <input id="m-name" value={form.name} onChange={set('name')} required pattern="[A-Za-z0-9][A-Za-z0-9._\-]*" />
        </div>
        <div className="field">
          <label htmlFor="m-type">Type</label>
          <select id="m-type" value={form.type} onChange={set('type')}>
            <option value="ml">ml</option>
            <option value="rules">rules</option>
            <option value="scorecard">scorecard</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="m-framework">Framework</label>
          <input id="m-framework" value={form.framework} onChange={set('framework')} required />
        </div>
        <div className="field">
          <label htmlFor="m-owner">Owner</label>
          <input id="m-owner" value={form.owner} onChange={set('owner')} aria-describedby="m-owner-hint" />
          <small id="m-owner-hint" className="hint">
            Leave empty to own it yourself.
          </small>
        </div>
        <div className="field">
          <label htmlFor="m-tags">Tags</label>
          <input id="m-tags" value={form.tags} onChange={set('tags')} aria-describedby="m-tags-hint" />
          <small id="m-tags-hint" className="hint">
            Comma separated.
          </small>
        </div>
        <div className="field span-2">
          <label htmlFor="m-description">Description</label>
          <textarea id="m-description" value={form.description} onChange={set('description')} rows={2} />
        </div>
        <div className="field">
          <label htmlFor="m-dataset">Inputs from dataset</label>
          <select id="m-dataset" value={form.datasetId} onChange={(e) => setForm({ ...form, datasetId: e.target.value, target: '' })} required>
            <option value="">Choose a dataset</option>
            {datasets.data?.items
              .filter((d) => d.latestVersion > 0)
              .map((d) => (
                <option key={d.datasetId} value={d.datasetId}>
                  {d.name} (v{d.latestVersion})
                </option>
              ))}
          </select>
          {datasets.data?.items.length === 0 ? (
            <small className="hint">
              No datasets yet: <Link to="/datasets">upload one</Link> first.
            </small>
          ) : null}
        </div>
        <div className="field">
          <label htmlFor="m-target">Target column (the model predicts it)</label>
          <select id="m-target" value={form.target} onChange={set('target')} required disabled={!columns.data}>
            <option value="">Choose the target</option>
            {(columns.data?.schema ?? []).map((c) => (
              <option key={c.name}>{c.name}</option>
            ))}
          </select>
        </div>
        {columns.data && form.target ? (
          <p className="hint span-2">
            Inputs: {(columns.data.schema ?? []).length - 1} columns (
            {(columns.data.schema ?? [])
              .filter((c) => c.name !== form.target)
              .slice(0, 5)
              .map((c) => c.name)
              .join(', ')}
            …). Outputs: probability and label.
          </p>
        ) : null}
        <div className="span-2">
          <ProblemMessage error={create.error} title="Could not register the model" />
          <button type="submit" className="primary" disabled={create.isPending}>
            Register model
          </button>
        </div>
      </form>
    </>
  );
}
