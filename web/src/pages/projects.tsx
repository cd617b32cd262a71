import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import type { Schemas } from '../api/client';
import { unwrap } from '../api/problem';
import { CursorList } from '../components/cursor-list';
import { ProblemMessage } from '../components/problem-message';
import { EmptyState, PageHeader } from '../components/ui';
import { useApi } from '../session/session';

export function ProjectsPage() {
  const api = useApi();
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const create = useMutation({
    mutationFn: async () => unwrap(await api.POST('/projects', { body: { name, ...(description ? { description } : {}) } })),
    onSuccess: () => {
      setName('');
      setDescription('');
      return queryClient.invalidateQueries({ queryKey: ['projects'] }).then(() => queryClient.invalidateQueries({ queryKey: ['projects-all'] }));
    },
  });
  return (
    <>
      <PageHeader title="Projects" subtitle="Projects group the models of one business problem." />
      <form
        className="inline-form card"
        aria-label="Create a project"
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate();
        }}
      >
        <div className="field">
          <label htmlFor="project-name">New project name</label>
          <input
            id="project-name"
            value={name}
            onChange={(e) => setName(e.target.value)}
            required
            pattern="[A-Za-z0-9][A-Za-z0-9._\-]*"
            aria-describedby="project-name-hint"
          />
          <small id="project-name-hint" className="hint">
            Letters, digits, dot, dash or underscore.
          </small>
        </div>
        <div className="field grow">
          <label htmlFor="project-description">Description</label>
          <input id="project-description" value={description} onChange={(e) => setDescription(e.target.value)} />
        </div>
        <button type="submit" className="primary" disabled={create.isPending}>
          Create project
        </button>
        <ProblemMessage error={create.error} title="Could not create the project" />
      </form>
      <CursorList<Schemas['Project']>
        label="Projects"
        queryKey={['projects']}
        fetchPage={async (cursor) => unwrap(await api.GET('/projects', { params: { query: { limit: 100, ...(cursor ? { cursor } : {}) } } }))}
        rowKey={(p) => p.projectId}
        renderRow={(p) => (
          <Link className="row-link" to={`/models?by=projectId&value=${p.projectId}`}>
            <span className="row-title">{p.name}</span>
            <span className="row-meta">
              owner {p.owner}
              {p.description ? ` · ${p.description}` : ''}
            </span>
          </Link>
        )}
        empty={<EmptyState title="No projects yet">Create the first project above; models are registered inside a project.</EmptyState>}
      />
    </>
  );
}
