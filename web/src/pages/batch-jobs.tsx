import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import type { Schemas } from '../api/client';
import { unwrap } from '../api/problem';
import { ProblemMessage } from '../components/problem-message';
import { ConfirmDialog } from '../components/confirm-dialog';
import { EmptyState, formatDate, Loading, PageHeader, StatusBadge } from '../components/ui';
import { scheduleChanges } from '../lib/batch-job-view';
import { batchProgress } from '../lib/deployment-forms';
import { useApi } from '../session/session';

type JobInput = Schemas['BatchJob']['input'];
type Schedule = Schemas['Schedule'];

/** Batch scoring: jobs with their progress, schedules with their next run, and forms to start either. */
export function BatchJobsPage() {
  const api = useApi();
  const jobs = useQuery({
    queryKey: ['batch-jobs'],
    queryFn: async () => unwrap(await api.GET('/batch-jobs', { params: { query: { limit: 50 } } })),
    // Running jobs move on by themselves: follow them while any is not finished.
    refetchInterval: (q) => (q.state.data?.items.some((j) => j.status === 'queued' || j.status === 'running') ? 3000 : false),
  });
  // The same query the job forms pick datasets from (cached once): inputs are shown by dataset name.
  const datasets = useQuery({
    queryKey: ['datasets', 'batch-picker'],
    queryFn: async () => unwrap(await api.GET('/datasets', { params: { query: { limit: 100 } } })),
  });
  const datasetNames = Object.fromEntries((datasets.data?.items ?? []).map((d) => [d.datasetId, d.name]));
  const schedules = useQuery({ queryKey: ['schedules'], queryFn: async () => unwrap(await api.GET('/schedules', { params: { query: { limit: 50 } } })) });
  return (
    <>
      <PageHeader
        title="Batch jobs & schedules"
        subtitle="Score a whole dataset version or storage prefix with an approved version, now or on a schedule."
        actions={<Link to="/deployments">Back to deployments</Link>}
      />
      <JobForm />
      <section className="card" aria-labelledby="jobs-title">
        <h2 id="jobs-title">Jobs, newest first</h2>
        {jobs.isPending ? (
          <Loading what="batch jobs" />
        ) : jobs.isError ? (
          <ProblemMessage error={jobs.error} />
        ) : jobs.data.items.length === 0 ? (
          <EmptyState title="No batch job yet">Start one above, or create a schedule below.</EmptyState>
        ) : (
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Job</th>
                <th scope="col">Status</th>
                <th scope="col">Model version</th>
                <th scope="col">Input</th>
                <th scope="col">Progress</th>
                <th scope="col">Rows in / out / rejected</th>
              </tr>
            </thead>
            <tbody>
              {jobs.data.items.map((j) => {
                const p = batchProgress(j.totals, j.partitionsTotal);
                return (
                  <tr key={j.jobId}>
                    <td>
                      <Link to={`/batch-jobs/${j.jobId}`} aria-label={`Job ${j.jobId}`}>
                        <code>{j.jobId}</code>
                      </Link>
                      <br />
                      <span className="hint">{formatDate(j.createdAt)}</span>
                    </td>
                    <td>
                      <StatusBadge status={j.status} />
                      {j.error ? <span className="hint"> {j.error}</span> : null}
                    </td>
                    <td>
                      <Link to={`/models/${j.model.modelId}/versions/${j.model.version}`}>v{j.model.version}</Link>
                    </td>
                    <td>{describeInput(j.input, datasetNames)}</td>
                    <td>
                      <progress max={p.total || 1} value={p.done} aria-label={`Partitions done of job ${j.jobId}`} /> {p.label}
                    </td>
                    <td>{j.totals ? `${j.totals.rowsIn} / ${j.totals.rowsOut} / ${j.totals.rowsRejected}` : '—'}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </section>
      <ScheduleForm />
      <section className="card" aria-labelledby="schedules-title">
        <h2 id="schedules-title">Schedules</h2>
        {schedules.isPending ? (
          <Loading what="schedules" />
        ) : schedules.isError ? (
          <ProblemMessage error={schedules.error} />
        ) : schedules.data.items.length === 0 ? (
          <p className="hint">No schedule yet.</p>
        ) : (
          <table className="table">
            <caption>Schedules and their next run</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">When</th>
                <th scope="col">Model version</th>
                <th scope="col">Input</th>
                <th scope="col">Next run</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {schedules.data.items.map((s) => (
                <ScheduleRow key={s.scheduleId} schedule={s} datasetNames={datasetNames} />
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}

function describeInput(input: JobInput, datasetNames: Record<string, string>): string {
  return input.kind === 'dataset' ? `${datasetNames[input.datasetId] ?? `dataset ${input.datasetId}`} v${input.version}` : `folder ${input.prefix}`;
}

/** The fields a job and a schedule share: which version scores which rows. */
function useJobFields(prefix: string, initialTarget = '') {
  const api = useApi();
  const versions = useQuery({
    queryKey: ['versions', 'deployable'],
    queryFn: async () => {
      const [approved, deployed] = await Promise.all([
        api.GET('/versions', { params: { query: { status: 'approved', limit: 100 } } }).then(unwrap),
        api.GET('/versions', { params: { query: { status: 'deployed', limit: 100 } } }).then(unwrap),
      ]);
      return [...approved.items, ...deployed.items];
    },
  });
  const datasets = useQuery({
    queryKey: ['datasets', 'batch-picker'],
    queryFn: async () => unwrap(await api.GET('/datasets', { params: { query: { limit: 100 } } })),
  });
  const [model, setModel] = useState(initialTarget);
  const [datasetId, setDatasetId] = useState('');
  const [datasetVersion, setDatasetVersion] = useState('1');
  const body = () => {
    const [modelId = '', version = '0'] = model.split('|');
    return { model: { modelId, version: Number(version) }, input: { kind: 'dataset' as const, datasetId, version: Number(datasetVersion) } };
  };
  const targetField = (
    <div className="field">
      <label htmlFor={`${prefix}-model`}>Approved version</label>
      <select id={`${prefix}-model`} value={model} onChange={(e) => setModel(e.target.value)} required>
        <option value="">Pick a version…</option>
        {versions.data?.map((v) => (
          <option key={`${v.modelId}|${v.version}`} value={`${v.modelId}|${v.version}`}>
            {v.modelName} v{v.version} ({v.status})
          </option>
        ))}
      </select>
    </div>
  );
  const fields = (
    <>
      {targetField}
      <div className="field">
        <label htmlFor={`${prefix}-dataset`}>Dataset</label>
        <select id={`${prefix}-dataset`} value={datasetId} onChange={(e) => setDatasetId(e.target.value)} required>
          <option value="">Pick a dataset…</option>
          {datasets.data?.items.map((d) => (
            <option key={d.datasetId} value={d.datasetId}>
              {d.name}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${prefix}-dataset-version`}>Dataset version</label>
        <input id={`${prefix}-dataset-version`} inputMode="numeric" value={datasetVersion} onChange={(e) => setDatasetVersion(e.target.value)} required />
      </div>
    </>
  );
  return { fields, targetField, body };
}

function JobForm() {
  const api = useApi();
  const queryClient = useQueryClient();
  const job = useJobFields('job');
  const start = useMutation({
    mutationFn: async () => unwrap(await api.POST('/batch-jobs', { body: job.body() })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['batch-jobs'] }),
  });
  return (
    <form
      className="card"
      aria-labelledby="new-job-title"
      onSubmit={(e) => {
        e.preventDefault();
        start.mutate();
      }}
    >
      <h2 id="new-job-title">Start a batch job</h2>
      <div className="form-grid">{job.fields}</div>
      <ProblemMessage error={start.error} title="The job was not started" />
      <div className="actions">
        <button type="submit" className="primary" disabled={start.isPending}>
          {start.isPending ? 'Starting…' : 'Start job'}
        </button>
        <span role="status" className="hint">
          {start.data ? (
            <>
              Job {start.data.jobId} queued. <Link to={`/batch-jobs/${start.data.jobId}`}>Follow its progress</Link>
            </>
          ) : (
            ''
          )}
        </span>
      </div>
    </form>
  );
}

function ScheduleForm() {
  const api = useApi();
  const queryClient = useQueryClient();
  const job = useJobFields('schedule');
  const [name, setName] = useState('');
  const [expression, setExpression] = useState('cron(0 2 * * ? *)');
  const [timeZone, setTimeZone] = useState('UTC');
  const create = useMutation({
    mutationFn: async () => unwrap(await api.POST('/schedules', { body: { name, expression, timeZone, job: job.body() } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['schedules'] }),
  });
  return (
    <form
      className="card"
      aria-labelledby="new-schedule-title"
      onSubmit={(e) => {
        e.preventDefault();
        create.mutate();
      }}
    >
      <h2 id="new-schedule-title">Schedule batch scoring</h2>
      <div className="form-grid">
        <div className="field">
          <label htmlFor="schedule-name">Name</label>
          <input id="schedule-name" value={name} onChange={(e) => setName(e.target.value)} required />
        </div>
        <div className="field">
          <label htmlFor="schedule-expression">When</label>
          <input
            id="schedule-expression"
            value={expression}
            onChange={(e) => setExpression(e.target.value)}
            required
            aria-describedby="schedule-expression-hint"
          />
          <small id="schedule-expression-hint" className="hint">
            EventBridge Scheduler syntax: <code>cron(0 2 * * ? *)</code>, <code>rate(1 hour)</code> or <code>at(2026-12-31T23:00:00)</code>.
          </small>
        </div>
        <div className="field">
          <label htmlFor="schedule-tz">Time zone</label>
          <input id="schedule-tz" value={timeZone} onChange={(e) => setTimeZone(e.target.value)} />
        </div>
        {job.fields}
      </div>
      <ProblemMessage error={create.error} title="The schedule was not created" />
      <div className="actions">
        <button type="submit" className="primary" disabled={create.isPending}>
          {create.isPending ? 'Creating…' : 'Create schedule'}
        </button>
      </div>
    </form>
  );
}

/**
 * One schedule: enable or disable it in one click, edit its expression, zone and
 * target in place, or delete it after confirming. Each change sends the revision
 * it was read at, so a concurrent change is refused (412) rather than lost.
 */
function ScheduleRow({ schedule: s, datasetNames }: { schedule: Schedule; datasetNames: Record<string, string> }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['schedules'] });
  const toggle = useMutation({
    mutationFn: async () =>
      unwrap(
        await api.PATCH('/schedules/{scheduleId}', {
          params: { path: { scheduleId: s.scheduleId } },
          body: { enabled: !s.enabled, expectedRevision: s.revision },
        }),
      ),
    onSuccess: refresh,
  });
  const remove = useMutation({
    mutationFn: async () =>
      unwrap(await api.DELETE('/schedules/{scheduleId}', { params: { path: { scheduleId: s.scheduleId }, query: { expectedRevision: s.revision } } })),
    onSuccess: async () => {
      setConfirmDelete(false);
      await refresh();
    },
  });
  return (
    <>
      <tr>
        <td>
          {s.name} {s.enabled ? null : <StatusBadge status="disabled" />}
        </td>
        <td>
          <code>{s.expression}</code> ({s.timeZone})
        </td>
        <td>
          <Link to={`/models/${s.job.model.modelId}/versions/${s.job.model.version}`}>v{s.job.model.version}</Link>
        </td>
        <td>{describeInput(s.job.input, datasetNames)}</td>
        <td>{s.enabled ? formatDate(s.nextFireAt) : 'never (disabled)'}</td>
        <td>
          <span className="actions">
            <button type="button" onClick={() => setEditing(!editing)} aria-expanded={editing} aria-label={`Edit ${s.name}`}>
              Edit
            </button>
            <button type="button" onClick={() => toggle.mutate()} disabled={toggle.isPending} aria-label={`${s.enabled ? 'Disable' : 'Enable'} ${s.name}`}>
              {s.enabled ? 'Disable' : 'Enable'}
            </button>
            <button type="button" className="danger" onClick={() => setConfirmDelete(true)} aria-label={`Delete ${s.name}`}>
              Delete
            </button>
          </span>
          <ProblemMessage error={toggle.error} title={`${s.name} was not ${s.enabled ? 'disabled' : 'enabled'}`} />
          {confirmDelete ? (
            <ConfirmDialog
              title={`Delete schedule ${s.name}?`}
              confirmLabel="Delete"
              busy={remove.isPending}
              error={remove.error}
              onConfirm={() => remove.mutate()}
              onClose={() => {
                setConfirmDelete(false);
                remove.reset();
              }}
            >
              <p>It stops firing at once. The jobs it started stay, with their outputs.</p>
            </ConfirmDialog>
          ) : null}
        </td>
      </tr>
      {editing ? (
        <tr>
          <td colSpan={6}>
            <ScheduleEditForm schedule={s} onDone={() => setEditing(false)} />
          </td>
        </tr>
      ) : null}
    </>
  );
}

function ScheduleEditForm({ schedule: s, onDone }: { schedule: Schedule; onDone: () => void }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const prefix = `edit-${s.scheduleId}`;
  const job = useJobFields(prefix, `${s.job.model.modelId}|${s.job.model.version}`);
  const [expression, setExpression] = useState(s.expression);
  const [timeZone, setTimeZone] = useState(s.timeZone);
  const [description, setDescription] = useState(s.description ?? '');
  const [unchanged, setUnchanged] = useState(false);
  const save = useMutation({
    mutationFn: async (body: Record<string, unknown>) =>
      unwrap(await api.PATCH('/schedules/{scheduleId}', { params: { path: { scheduleId: s.scheduleId } }, body })),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['schedules'] });
      onDone();
    },
  });
  return (
    <form
      aria-label={`Edit schedule ${s.name}`}
      onSubmit={(e) => {
        e.preventDefault();
        const target = job.body().model;
        const changes = scheduleChanges(s, { expression, timeZone, description, target: target.modelId ? `${target.modelId}|${target.version}` : '' });
        setUnchanged(!changes);
        if (changes) save.mutate(changes);
      }}
    >
      <div className="form-grid">
        <div className="field">
          <label htmlFor={`${prefix}-expression`}>When</label>
          <input
            id={`${prefix}-expression`}
            value={expression}
            onChange={(e) => setExpression(e.target.value)}
            required
            aria-describedby={`${prefix}-expression-hint`}
          />
          <small id={`${prefix}-expression-hint`} className="hint">
            <code>cron(…)</code> or <code>rate(…)</code>, EventBridge Scheduler syntax.
          </small>
        </div>
        <div className="field">
          <label htmlFor={`${prefix}-tz`}>Time zone</label>
          <input id={`${prefix}-tz`} value={timeZone} onChange={(e) => setTimeZone(e.target.value)} required />
        </div>
        <div className="field">
          <label htmlFor={`${prefix}-description`}>Description</label>
          <input id={`${prefix}-description`} value={description} onChange={(e) => setDescription(e.target.value)} />
        </div>
        {job.targetField}
      </div>
      <ProblemMessage error={save.error} title="The schedule was not changed" />
      <div className="actions">
        <button type="submit" className="primary" disabled={save.isPending}>
          {save.isPending ? 'Saving…' : 'Save changes'}
        </button>
        <button type="button" onClick={onDone}>
          Cancel
        </button>
        <span role="status" className="hint">
          {unchanged ? 'Nothing changed.' : ''}
        </span>
      </div>
    </form>
  );
}
