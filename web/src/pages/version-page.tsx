import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { ApiProblem, unwrap } from '../api/problem';
import {
  CalibrationChart,
  ConfusionHeatmap,
  FairnessTable,
  FeatureImportanceChart,
  MetricsOverTime,
  PrecisionRecallChart,
  RocChart,
} from '../components/evaluation-charts';
import { LineageGraph, useLineageNames } from '../components/lineage-graph';
import { labelLineage } from '../lib/lineage-labels';
import { ProblemMessage } from '../components/problem-message';
import { Definition, formatDate, Loading, PageHeader, StatusBadge } from '../components/ui';
import { approvalBlockers } from '../lib/approval-blockers';
import { confusionOf } from '../lib/evaluation-charts';
import { API_BASE, useApi, useSession } from '../session/session';

export function VersionPage() {
  const { modelId = '', version: versionText = '' } = useParams();
  const version = Number(versionText);
  const api = useApi();
  const path = { modelId, version };
  const v = useQuery({
    queryKey: ['version', modelId, version],
    queryFn: async () => unwrap(await api.GET('/models/{modelId}/versions/{version}', { params: { path } })),
  });
  const model = useQuery({ queryKey: ['model', modelId], queryFn: async () => unwrap(await api.GET('/models/{modelId}', { params: { path: { modelId } } })) });
  if (v.isPending) return <Loading what="the version" />;
  if (v.isError) return <ProblemMessage error={v.error} title="Could not load the version" />;
  const data = v.data;
  return (
    <>
      <p className="breadcrumbs">
        <Link to="/models">Models</Link> / <Link to={`/models/${modelId}`}>{data.modelName}</Link> / v{version}
      </p>
      <PageHeader
        title={
          <>
            {data.modelName} v{version} <StatusBadge status={data.status} /> {data.stage ? <span className="badge info">{data.stage}</span> : null}
          </>
        }
        subtitle={data.statusReason ?? data.description}
        actions={
          <>
            <StageButton modelId={modelId} version={version} stage={data.stage} />
            <VersionDownloads modelId={modelId} version={version} verified={data.artifact.state === 'verified'} />
          </>
        }
      />
      {model.data ? (
        <DecisionPanel
          modelId={modelId}
          version={version}
          status={data.status}
          createdBy={data.createdBy}
          startedBy={data.lineage.startedBy}
          owner={model.data.owner}
          revision={data.revision}
        />
      ) : null}
      <div className="grid-2">
        <section className="card" aria-labelledby="training-title">
          <h2 id="training-title">Training</h2>
          <TrainingDetails lineage={data.lineage} source={data.source} createdAt={data.createdAt} createdBy={data.createdBy} />
        </section>
        <section className="card" aria-labelledby="artifact-title">
          <h2 id="artifact-title">Artifact</h2>
          <Definition
            items={[
              ['Format', data.artifact.format],
              ['State', <StatusBadge key="s" status={data.artifact.state} />],
              ['Size', `${(data.artifact.size / 1024).toFixed(1)} KiB`],
              [
                'SHA-256',
                <code key="h" className="hash">
                  {data.artifact.sha256}
                </code>,
              ],
              ['Verified', formatDate(data.artifact.verifiedAt)],
            ]}
          />
        </section>
      </div>
      <Evaluations modelId={modelId} version={version} />
      <section className="card" aria-labelledby="lineage-title-h">
        <h2 id="lineage-title-h">Lineage</h2>
        <Lineage modelId={modelId} version={version} />
      </section>
      <StatusHistory modelId={modelId} version={version} />
    </>
  );
}

function TrainingDetails({
  lineage,
  source,
  createdAt,
  createdBy,
}: {
  lineage: {
    datasets?: { datasetId: string; version: number; role: string }[];
    hyperparameters?: Record<string, unknown>;
    executionId?: string;
    codeRevision?: string;
    startedBy?: string;
  };
  source: string;
  createdAt: string;
  createdBy: string;
}) {
  const api = useApi();
  const execution = useQuery({
    queryKey: ['execution', lineage.executionId],
    enabled: !!lineage.executionId,
    queryFn: async () => unwrap(await api.GET('/executions/{executionId}', { params: { path: { executionId: lineage.executionId! } } })),
    retry: false,
  });
  const hyper = Object.entries(lineage.hyperparameters ?? {});
  return (
    <Definition
      items={[
        ['Source', source],
        ['Registered', `${formatDate(createdAt)} by ${createdBy}`],
        [
          'Datasets',
          lineage.datasets?.length ? (
            <ul className="plain">
              {lineage.datasets.map((d) => (
                <li key={`${d.datasetId}/${d.version}`}>
                  <Link to={`/datasets/${d.datasetId}/versions/${d.version}`}>
                    {d.datasetId} v{d.version}
                  </Link>{' '}
                  ({d.role})
                </li>
              ))}
            </ul>
          ) : (
            '—'
          ),
        ],
        ['Parameters', hyper.length ? hyper.map(([k, val]) => `${k} = ${String(val)}`).join(', ') : '—'],
        ['Pipeline run', lineage.executionId ? <Link to={`/executions/${lineage.executionId}`}>{lineage.executionId}</Link> : '—'],
        ['Duration', execution.data?.durationMs !== undefined ? `${(execution.data.durationMs / 1000).toFixed(1)} s` : '—'],
        ['Resources', lineage.executionId ? 'built-in trainer, in the platform (no instance)' : '—'],
        ['Code revision', lineage.codeRevision ?? '—'],
        ['Started by', lineage.startedBy ?? '—'],
      ]}
    />
  );
}

function Evaluations({ modelId, version }: { modelId: string; version: number }) {
  const api = useApi();
  const evaluations = useQuery({
    queryKey: ['evaluations', modelId, version],
    queryFn: async () => unwrap(await api.GET('/models/{modelId}/versions/{version}/evaluations', { params: { path: { modelId, version } } })),
  });
  return (
    <section className="card" aria-labelledby="evaluation-title">
      <h2 id="evaluation-title">Evaluation</h2>
      {evaluations.isPending ? (
        <Loading what="evaluations" />
      ) : evaluations.isError ? (
        <ProblemMessage error={evaluations.error} />
      ) : evaluations.data.items.length === 0 ? (
        <p>No evaluation yet. A train-evaluate run evaluates each version it trains on a hold-out set.</p>
      ) : (
        (() => {
          const items = evaluations.data.items;
          // The charts draw the newest evaluation the platform computed details for; a later one recorded by hand has only numbers.
          const latest = [...items].reverse().find((e) => e.details) ?? items[items.length - 1];
          const details = latest.details;
          const confusion = details?.confusion ?? confusionOf(latest);
          return (
            <>
              <table className="table compact">
                <caption>Latest evaluation, {formatDate(latest.createdAt)}</caption>
                <thead>
                  <tr>
                    {Object.keys(latest.metrics).map((m) => (
                      <th key={m} scope="col">
                        {m}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  <tr>
                    {Object.entries(latest.metrics).map(([m, value]) => (
                      <td key={m}>{value.toFixed(4)}</td>
                    ))}
                  </tr>
                </tbody>
              </table>
              <div className="grid-2">
                <RocChart confusion={confusion} auc={latest.metrics.auc} curve={details?.rocCurve} />
                {confusion ? <ConfusionHeatmap confusion={confusion} /> : <p className="hint">No confusion matrix for this evaluation.</p>}
                <PrecisionRecallChart
                  curve={details?.precisionRecallCurve}
                  averagePrecision={latest.metrics.averagePrecision ?? latest.metrics.average_precision}
                />
                <CalibrationChart calibration={details?.calibration} />
              </div>
              {details?.featureImportance ? (
                <>
                  <h3>Feature importance</h3>
                  <FeatureImportanceChart importance={details.featureImportance} />
                </>
              ) : null}
              {details?.fairness?.length ? (
                <>
                  <h3>Fairness</h3>
                  <FairnessTable fairness={details.fairness} />
                </>
              ) : null}
              {details?.skipped?.length ? (
                <ul className="hint" aria-label="Sections not computed">
                  {details.skipped.map((s) => (
                    <li key={s.section}>
                      No {s.section}: {s.reason}
                    </li>
                  ))}
                </ul>
              ) : null}
              <h3>Metrics over time</h3>
              <MetricsOverTime evaluations={items} />
              {latest.notes ? <p className="hint">{latest.notes}</p> : null}
            </>
          );
        })()
      )}
    </section>
  );
}

function Lineage({ modelId, version }: { modelId: string; version: number }) {
  const api = useApi();
  const lineage = useQuery({
    queryKey: ['lineage', modelId, version],
    queryFn: async () => unwrap(await api.GET('/models/{modelId}/versions/{version}/lineage', { params: { path: { modelId, version } } })),
  });
  const names = useLineageNames(lineage.data?.nodes);
  if (lineage.isPending) return <Loading what="lineage" />;
  if (lineage.isError) return <ProblemMessage error={lineage.error} />;
  return <LineageGraph graph={labelLineage(lineage.data, names)} />;
}

/** Roles whose permissions include audit:read (core/access/permissions.ts). */
const AUDIT_READERS = ['tenant-admin', 'approver', 'viewer'];

function StatusHistory({ modelId, version }: { modelId: string; version: number }) {
  const api = useApi();
  const me = useQuery({ queryKey: ['me'], queryFn: async () => unwrap(await api.GET('/me')) });
  const mayRead = me.data?.roles.some((r) => AUDIT_READERS.includes(r));
  const history = useQuery({
    queryKey: ['version-history', modelId, version],
    // Asked only of those allowed to read it: a refused request is noise in the browser console.
    enabled: mayRead === true,
    retry: false,
    queryFn: async () =>
      unwrap(await api.GET('/audit/events', { params: { query: { targetType: 'version', targetId: `${modelId}-${version}`, limit: 100 } } })),
  });
  return (
    <section className="card" aria-labelledby="history-title">
      <h2 id="history-title">Status history</h2>
      {mayRead === false ? (
        <p className="hint">
          The history comes from the audit log, which your roles cannot read; the current status and its reason are shown at the top. The model report includes
          the history for those who can read it.
        </p>
      ) : history.isPending ? (
        <Loading what="history" />
      ) : history.isError ? (
        history.error instanceof ApiProblem && history.error.problem.status === 403 ? (
          <p className="hint">The history comes from the audit log, which your roles cannot read. The model report (above) includes it for those who can.</p>
        ) : (
          <ProblemMessage error={history.error} />
        )
      ) : (
        <ol className="timeline">
          {[...history.data.items].reverse().map((e) => {
            const after = e.after as { status?: string; statusReason?: string } | undefined;
            return (
              <li key={e.eventId}>
                <time dateTime={e.at}>{formatDate(e.at)}</time> <strong>{e.action}</strong>
                {after?.status ? (
                  <>
                    {' '}
                    → <StatusBadge status={after.status} />
                  </>
                ) : null}{' '}
                by {e.actor}
                {after?.statusReason ? <div className="hint">{after.statusReason}</div> : null}
              </li>
            );
          })}
        </ol>
      )}
    </section>
  );
}

function DecisionPanel(props: { modelId: string; version: number; status: string; createdBy: string; startedBy?: string; owner: string; revision: number }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const me = useQuery({ queryKey: ['me'], queryFn: async () => unwrap(await api.GET('/me')) });
  const [reason, setReason] = useState('');
  const decide = useMutation({
    mutationFn: async (decision: 'approve' | 'reject') =>
      unwrap(
        await api.POST('/models/{modelId}/versions/{version}/decision', {
          params: { path: { modelId: props.modelId, version: props.version } },
          body: { decision, reason, expectedRevision: props.revision },
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries(),
  });
  if (!me.data) return null;
  if (props.status !== 'pending-approval' && !decide.data) return null;
  const blockers = approvalBlockers({
    roles: me.data.roles,
    actor: `${me.data.kind}:${me.data.id}`,
    status: props.status,
    createdBy: props.createdBy,
    startedBy: props.startedBy,
    modelOwner: props.owner,
  });
  return (
    <section className="card decision" aria-labelledby="decision-title">
      <h2 id="decision-title">Approval</h2>
      {decide.data ? (
        <p role="status">
          You {decide.data.approval.decision === 'approve' ? 'approved' : 'rejected'} this version: {decide.data.approval.reason}
        </p>
      ) : blockers.length ? (
        <div className="notice" role="note">
          <strong>You cannot decide on this version.</strong>
          <ul>
            {blockers.map((b) => (
              <li key={b}>{b}</li>
            ))}
          </ul>
        </div>
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            const submitter = e.nativeEvent.submitter as HTMLButtonElement | null;
            decide.mutate(submitter?.value === 'reject' ? 'reject' : 'approve');
          }}
        >
          <p>This version waits for an approver. Check the evaluation and lineage below, then decide with a reason.</p>
          <div className="field">
            <label htmlFor="decision-reason">Reason</label>
            <textarea id="decision-reason" value={reason} onChange={(e) => setReason(e.target.value)} minLength={3} required rows={2} />
          </div>
          <ProblemMessage error={decide.error} title="The decision was not recorded" />
          <div className="actions">
            <button type="submit" className="primary" value="approve" disabled={decide.isPending}>
              Approve
            </button>
            <button type="submit" className="danger" value="reject" disabled={decide.isPending}>
              Reject
            </button>
          </div>
        </form>
      )}
    </section>
  );
}

function VersionDownloads({ modelId, version, verified }: { modelId: string; version: number; verified: boolean }) {
  const api = useApi();
  const { session } = useSession();
  const [error, setError] = useState<unknown>();
  return (
    <>
      <button
        type="button"
        disabled={!verified}
        title={verified ? undefined : 'The artifact is not verified yet'}
        onClick={async () => {
          setError(undefined);
          try {
            const { url } = unwrap(await api.GET('/models/{modelId}/versions/{version}/artifact', { params: { path: { modelId, version } } }));
            window.location.assign(url);
          } catch (err) {
            setError(err);
          }
        }}
      >
        Download artifact
      </button>
      <button
        type="button"
        onClick={async () => {
          setError(undefined);
          // The report needs the bearer credential, so it is fetched and opened as a document of its own.
          const res = await fetch(`${API_BASE}/models/${modelId}/versions/${version}/report?format=html`, {
            headers: { authorization: `Bearer ${session?.token ?? ''}` },
          });
          if (!res.ok) return setError(new Error(`The report could not be built (HTTP ${res.status}).`));
          const blob = new Blob([await res.text()], { type: 'text/html' });
          window.open(URL.createObjectURL(blob), '_blank', 'noopener');
        }}
      >
        Model report
      </button>
      {error ? <ProblemMessage error={error} /> : null}
    </>
  );
}

/** Marks (or unmarks) the version as the model's challenger; the champion follows deployments. */
function StageButton({ modelId, version, stage }: { modelId: string; version: number; stage?: string }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const me = useQuery({ queryKey: ['me'], queryFn: async () => unwrap(await api.GET('/me')) });
  const set = useMutation({
    mutationFn: async (next: number | null) =>
      unwrap(await api.PUT('/models/{modelId}/aliases/challenger', { params: { path: { modelId } }, body: { version: next } })),
    onSuccess: () => queryClient.invalidateQueries(),
  });
  if (stage === 'champion' || !me.data?.roles.some((r) => r === 'data-scientist')) return null;
  return (
    <>
      <button type="button" onClick={() => set.mutate(stage === 'challenger' ? null : version)} disabled={set.isPending}>
        {stage === 'challenger' ? 'Remove challenger' : 'Make challenger'}
      </button>
      {set.error ? <ProblemMessage error={set.error} title="The stage was not changed" /> : null}
    </>
  );
}
