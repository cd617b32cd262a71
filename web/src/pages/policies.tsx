import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { Schemas } from '../api/client';
import { ApiProblem, unwrap } from '../api/problem';
import { ProblemMessage } from '../components/problem-message';
import { formatDate, Loading, PageHeader } from '../components/ui';
import { type ApprovalPolicy, draftOf, POLICY_ROLES, type PolicyDraft, type PolicyFieldKey, policyFieldErrors, policyOf } from '../lib/policy-form';
import { useApi } from '../session/session';

type Governing = Schemas['GoverningPolicy'];

/** Tenant administrators: the tenant's approval policy, per-project overrides, and the revisions of each. */
export function PoliciesPage() {
  const api = useApi();
  const queryClient = useQueryClient();
  const tenant = useQuery({ queryKey: ['policy', 'tenant'], queryFn: async () => unwrap(await api.GET('/policies/tenant')) });
  const projects = useQuery({
    queryKey: ['projects', 'policy-picker'],
    queryFn: async () => unwrap(await api.GET('/projects', { params: { query: { limit: 100 } } })),
  });
  const [projectId, setProjectId] = useState('');
  const save = useMutation({
    mutationFn: async ({ policy, expectedRevision }: { policy: ApprovalPolicy; expectedRevision: number }) =>
      unwrap(await api.PUT('/policies/tenant', { params: { query: { expectedRevision } }, body: policy })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['policy'] }),
  });
  return (
    <>
      <PageHeader
        title="Approval policy"
        subtitle="What a version needs before it is approved: metric gates, how many approvals from which roles, and who may deploy. A project can override the tenant's policy."
      />
      {tenant.isPending ? (
        <Loading what="the tenant policy" />
      ) : tenant.isError ? (
        <ProblemMessage error={tenant.error} />
      ) : (
        <PolicyEditor
          key={`tenant-${tenant.data.ref.revision}`}
          idPrefix="tenant"
          title={`Tenant policy (${tenant.data.ref.scope === 'default' ? 'platform default, never edited' : `revision ${tenant.data.ref.revision}`})`}
          governing={tenant.data}
          saving={save.isPending}
          error={save.error}
          saved={save.isSuccess}
          onSave={(policy) => save.mutate({ policy, expectedRevision: tenant.data.ref.scope === 'tenant' ? tenant.data.ref.revision : 0 })}
        />
      )}
      <Revisions scope="tenant" />
      <section className="card" aria-labelledby="project-policy-title">
        <h2 id="project-policy-title">Project override</h2>
        <div className="field">
          <label htmlFor="policy-project">Project</label>
          <select id="policy-project" value={projectId} onChange={(e) => setProjectId(e.target.value)}>
            <option value="">Pick a project…</option>
            {projects.data?.items.map((p) => (
              <option key={p.projectId} value={p.projectId}>
                {p.name}
              </option>
            ))}
          </select>
        </div>
        {projects.isError ? <ProblemMessage error={projects.error} /> : null}
        {projectId ? <ProjectPolicy projectId={projectId} /> : null}
      </section>
    </>
  );
}

function ProjectPolicy({ projectId }: { projectId: string }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const policy = useQuery({
    queryKey: ['policy', 'project', projectId],
    queryFn: async () => unwrap(await api.GET('/projects/{projectId}/policy', { params: { path: { projectId } } })),
  });
  const save = useMutation({
    mutationFn: async ({ body, expectedRevision }: { body: ApprovalPolicy; expectedRevision: number }) =>
      unwrap(await api.PUT('/projects/{projectId}/policy', { params: { path: { projectId }, query: { expectedRevision } }, body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['policy'] }),
  });
  const remove = useMutation({
    mutationFn: async () => unwrap(await api.DELETE('/projects/{projectId}/policy', { params: { path: { projectId } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['policy'] }),
  });
  if (policy.isPending) return <Loading what="the project policy" />;
  if (policy.isError) return <ProblemMessage error={policy.error} />;
  const { governing, override } = policy.data;
  return (
    <>
      <p>
        {override
          ? `This project overrides the tenant policy (revision ${override.ref.revision}).`
          : `No override: the ${governing.ref.scope} policy (revision ${governing.ref.revision}) governs this project. Saving below creates an override.`}
      </p>
      <PolicyEditor
        key={`project-${projectId}-${override?.ref.revision ?? 0}`}
        idPrefix="project"
        title="Override"
        governing={override ?? governing}
        saving={save.isPending}
        error={save.error}
        saved={save.isSuccess}
        onSave={(body) => save.mutate({ body, expectedRevision: override?.ref.revision ?? 0 })}
      />
      {override ? (
        <div className="actions">
          <button type="button" className="danger" onClick={() => remove.mutate()} disabled={remove.isPending}>
            Remove the override (the tenant policy applies again)
          </button>
        </div>
      ) : null}
      <ProblemMessage error={remove.error} />
      <Revisions scope="project" projectId={projectId} />
    </>
  );
}

function FieldErrors({ id, messages }: { id: string; messages?: string[] }) {
  if (!messages?.length) return null;
  return (
    <small id={id} className="field-error">
      {messages.join(' · ')}
    </small>
  );
}

function PolicyEditor(props: {
  idPrefix: string;
  title: string;
  governing: Governing;
  saving: boolean;
  error: unknown;
  saved: boolean;
  onSave: (policy: ApprovalPolicy) => void;
}) {
  const [draft, setDraft] = useState<PolicyDraft>(() => draftOf(props.governing.policy));
  const problem = props.error instanceof ApiProblem ? props.error.problem : undefined;
  const errors = policyFieldErrors(problem?.invalidFields);
  const id = (k: PolicyFieldKey) => `${props.idPrefix}-${k}`;
  const err = (k: PolicyFieldKey) => (errors[k]?.length ? `${id(k)}-error` : undefined);
  const set = (patch: Partial<PolicyDraft>) => setDraft({ ...draft, ...patch });
  return (
    <form
      className="card"
      aria-label={props.title}
      onSubmit={(e) => {
        e.preventDefault();
        props.onSave(policyOf(draft));
      }}
    >
      <h2>{props.title}</h2>
      {props.governing.updatedAt ? (
        <p className="hint">
          Last changed {formatDate(props.governing.updatedAt)} by {props.governing.updatedBy}.
        </p>
      ) : null}
      <div className="field">
        <label htmlFor={id('gates')}>Gates, one expression per line</label>
        <textarea
          id={id('gates')}
          rows={4}
          value={draft.gates}
          onChange={(e) => set({ gates: e.target.value })}
          aria-invalid={!!err('gates') || undefined}
          aria-describedby={`${id('gates')}-hint ${err('gates') ?? ''}`.trim()}
        />
        <small id={`${id('gates')}-hint`} className="hint">
          E.g. <code>auc &gt;= 0.8</code> or <code>f1 &gt; 0.7 and accuracy &gt;= 0.9</code>. Every gate must pass before anyone can approve.
        </small>
        <FieldErrors id={`${id('gates')}-error`} messages={errors.gates} />
      </div>
      <div className="form-grid">
        <div className="field">
          <label htmlFor={id('approvalsCount')}>Approvals needed</label>
          <input
            id={id('approvalsCount')}
            inputMode="numeric"
            value={draft.approvalsCount}
            onChange={(e) => set({ approvalsCount: e.target.value })}
            aria-invalid={!!err('approvalsCount') || undefined}
            aria-describedby={err('approvalsCount')}
          />
          <FieldErrors id={`${id('approvalsCount')}-error`} messages={errors.approvalsCount} />
        </div>
        <fieldset className="field" aria-describedby={err('roles')}>
          <legend>Roles that may approve</legend>
          <div className="checkbox-row">
            {POLICY_ROLES.map((role) => (
              <label key={role} className="checkbox">
                <input
                  type="checkbox"
                  checked={draft.roles.includes(role)}
                  onChange={(e) => set({ roles: e.target.checked ? [...draft.roles, role] : draft.roles.filter((r) => r !== role) })}
                />{' '}
                {role}
              </label>
            ))}
          </div>
          <FieldErrors id={`${id('roles')}-error`} messages={errors.roles} />
        </fieldset>
        <fieldset className="field" aria-describedby={err('evaluationSources')}>
          <legend>Evaluations the gates read</legend>
          <div className="checkbox-row">
            {(['platform', 'person'] as const).map((source) => (
              <label key={source} className="checkbox">
                <input
                  type="checkbox"
                  checked={draft.evaluationSources.includes(source)}
                  onChange={(e) =>
                    set({ evaluationSources: e.target.checked ? [...draft.evaluationSources, source] : draft.evaluationSources.filter((s) => s !== source) })
                  }
                />{' '}
                {source === 'platform' ? 'computed by the platform' : 'recorded by a person'}
              </label>
            ))}
          </div>
          <FieldErrors id={`${id('evaluationSources')}-error`} messages={errors.evaluationSources} />
        </fieldset>
      </div>
      <div className="field checkbox">
        <input
          id={id('autoApprove')}
          type="checkbox"
          checked={draft.autoApprove}
          onChange={(e) => set({ autoApprove: e.target.checked })}
          aria-describedby={`${id('autoApprove')}-hint`}
        />
        <label htmlFor={id('autoApprove')}>Approve automatically when every gate passes</label>
        <small id={`${id('autoApprove')}-hint`} className="hint">
          No person decides; the decision is recorded as the platform's.
        </small>
        <FieldErrors id={`${id('autoApprove')}-error`} messages={errors.autoApprove} />
      </div>
      <div className="field checkbox">
        <input
          id={id('approverCannotDeploy')}
          type="checkbox"
          checked={draft.approverCannotDeploy}
          onChange={(e) => set({ approverCannotDeploy: e.target.checked })}
        />
        <label htmlFor={id('approverCannotDeploy')}>Whoever approved a version may not deploy it (segregation of duties)</label>
        <FieldErrors id={`${id('approverCannotDeploy')}-error`} messages={errors.approverCannotDeploy} />
      </div>
      {problem && !problem.invalidFields?.length ? <ProblemMessage error={props.error} title="The policy was not saved" /> : null}
      {errors.other?.length ? <FieldErrors id={`${props.idPrefix}-other-error`} messages={errors.other} /> : null}
      {problem?.invalidFields?.length ? (
        <p className="field-error" role="alert">
          The policy was not saved: correct the fields marked above.
        </p>
      ) : null}
      {!problem && props.error ? <ProblemMessage error={props.error} /> : null}
      <div className="actions">
        <button type="submit" className="primary" disabled={props.saving}>
          {props.saving ? 'Saving…' : 'Save policy'}
        </button>
        <span role="status" className="hint">
          {props.saved && !props.error ? 'Saved.' : ''}
        </span>
      </div>
    </form>
  );
}

function Revisions({ scope, projectId }: { scope: 'tenant' | 'project'; projectId?: string }) {
  const api = useApi();
  const revisions = useQuery({
    queryKey: ['policy', 'revisions', scope, projectId],
    queryFn: async () =>
      scope === 'tenant'
        ? unwrap(await api.GET('/policies/tenant/revisions', { params: { query: { limit: 20 } } }))
        : unwrap(await api.GET('/projects/{projectId}/policy/revisions', { params: { path: { projectId: projectId! }, query: { limit: 20 } } })),
  });
  const title = scope === 'tenant' ? 'Tenant policy revisions' : 'Override revisions';
  return (
    <details className="card">
      <summary>{title}</summary>
      {revisions.isPending ? (
        <Loading what="revisions" />
      ) : revisions.isError ? (
        <ProblemMessage error={revisions.error} />
      ) : revisions.data.items.length === 0 ? (
        <p className="hint">No revision yet.</p>
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Revision</th>
              <th scope="col">Changed</th>
              <th scope="col">Gates</th>
              <th scope="col">Approvals</th>
              <th scope="col">Auto-approve</th>
            </tr>
          </thead>
          <tbody>
            {revisions.data.items.map((r) => (
              <tr key={r.ref.revision}>
                <td>
                  {r.ref.revision}
                  {r.active ? ' (active)' : ''}
                </td>
                <td>
                  {formatDate(r.updatedAt)} {r.updatedBy ? `by ${r.updatedBy}` : ''}
                </td>
                <td>{r.policy.gates.length ? r.policy.gates.map((g) => <code key={g}>{g} </code>) : 'none'}</td>
                <td>
                  {r.policy.approvals.count} from {r.policy.approvals.roles.join(', ')}
                </td>
                <td>{r.policy.autoApprove ? 'yes' : 'no'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </details>
  );
}
