import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { unwrap } from '../api/problem';
import { ProblemMessage } from '../components/problem-message';
import { Definition, formatDate, Loading, PageHeader, StatusBadge } from '../components/ui';
import { useApi } from '../session/session';

/** The version a run produced, if its output names one. */
function producedVersion(output: unknown): { modelId: string; version: number } | undefined {
  const seen = new Set<unknown>();
  const visit = (value: unknown): { modelId: string; version: number } | undefined => {
    if (!value || typeof value !== 'object' || seen.has(value)) return undefined;
    seen.add(value);
    const v = value as Record<string, unknown>;
    if (typeof v.modelId === 'string' && typeof v.version === 'number') return { modelId: v.modelId, version: v.version };
    for (const child of Object.values(v)) {
      const found = visit(child);
      if (found) return found;
    }
    return undefined;
  };
  return visit(output);
}

/** One run, followed state by state: polled every second while it runs. */
export function ExecutionPage() {
  const { executionId = '' } = useParams();
  const api = useApi();
  const execution = useQuery({
    queryKey: ['execution', executionId],
    queryFn: async () => unwrap(await api.GET('/executions/{executionId}', { params: { path: { executionId } } })),
    refetchInterval: (q) => (q.state.data?.status === 'RUNNING' || !q.state.data ? 1000 : false),
  });
  if (execution.isPending) return <Loading what="the run" />;
  if (execution.isError) return <ProblemMessage error={execution.error} title="Could not load the run" />;
  const e = execution.data;
  const produced = producedVersion(e.output);
  return (
    <>
      <p className="breadcrumbs">
        <Link to="/pipelines">Pipelines</Link> / run {executionId}
      </p>
      <PageHeader
        title={
          <>
            {e.pipeline} run <StatusBadge status={e.status} />
          </>
        }
        subtitle={e.status === 'RUNNING' ? `Now at ${e.currentState ?? 'start'}; this page follows it.` : undefined}
        actions={
          produced ? (
            <Link className="button primary" to={`/models/${produced.modelId}/versions/${produced.version}`}>
              Open version {produced.version}
            </Link>
          ) : undefined
        }
      />
      {e.status === 'FAILED' || e.status === 'ABORTED' ? (
        <div className="problem" role="alert">
          <strong>
            The run {e.status === 'FAILED' ? 'failed' : 'was stopped'}
            {e.error ? `: ${e.error}` : ''}
          </strong>
          {e.cause ? <p>{e.cause}</p> : null}
          <p className="hint">Fix the cause (often the dataset or the parameters), then start a new run from the template.</p>
        </div>
      ) : null}
      <section className="card" aria-labelledby="run-about">
        <h2 id="run-about">Run</h2>
        <Definition
          items={[
            ['Started', `${formatDate(e.startedAt)} by ${e.actor}`],
            ['Stopped', formatDate(e.stoppedAt)],
            ['Duration', e.durationMs !== undefined ? `${(e.durationMs / 1000).toFixed(1)} s` : '—'],
            ['Name', e.name],
          ]}
        />
      </section>
      <section className="card" aria-labelledby="run-states">
        <h2 id="run-states">Progress</h2>
        <ol className="steps" aria-live="polite">
          {e.states.map((s) => (
            <li key={`${s.name}-${s.enteredAt}`} className={`step ${s.status}`}>
              <span className="step-name">{s.name}</span> <StatusBadge status={s.status} />
              <span className="hint">
                {s.durationMs !== undefined ? ` ${s.durationMs} ms` : ' running…'}
                {s.attempts > 1 ? ` · ${s.attempts} attempts` : ''}
              </span>
              {s.error ? (
                <div className="error-text">
                  {s.error}
                  {s.cause ? `: ${s.cause}` : ''}
                </div>
              ) : null}
            </li>
          ))}
        </ol>
      </section>
    </>
  );
}
