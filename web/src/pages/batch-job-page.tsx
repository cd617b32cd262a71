import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Link, useParams } from 'react-router';
import { unwrap } from '../api/problem';
import { LineageGraph, useLineageNames } from '../components/lineage-graph';
import { ProblemMessage } from '../components/problem-message';
import { Definition, formatDate, Loading, PageHeader, StatusBadge } from '../components/ui';
import { jobIsActive, jobPollInterval, partitionRows } from '../lib/batch-job-view';
import { batchProgress } from '../lib/deployment-forms';
import { jobLineageGraph, lineageLabel } from '../lib/lineage-labels';
import { useApi } from '../session/session';

/**
 * One batch job: its status and counts, each partition as it is scored (the page
 * polls while the job runs and stops when it ends), its files to download — the
 * rejected-row report first — and where its rows came from and went.
 */
export function BatchJobPage() {
  const { jobId = '' } = useParams();
  const api = useApi();
  const job = useQuery({
    queryKey: ['batch-job', jobId],
    queryFn: async () => unwrap(await api.GET('/batch-jobs/{jobId}', { params: { path: { jobId } } })),
    refetchInterval: (q) => jobPollInterval(q.state.data?.status),
  });
  const status = job.data?.status;
  const queryClient = useQueryClient();
  useEffect(() => {
    // Once this job ends, what was read while it ran is read again: the job list's status, and the
    // partitions (the last ones can land after the last poll, when a job ends between two polls).
    if (status && !jobIsActive(status)) {
      void queryClient.invalidateQueries({ queryKey: ['batch-jobs'] });
      void queryClient.invalidateQueries({ queryKey: ['batch-job-partitions', jobId] });
    }
  }, [status, jobId, queryClient]);
  const partitions = useQuery({
    queryKey: ['batch-job-partitions', jobId],
    enabled: !!job.data,
    // The partition table shows at most the first 100; the counts above cover all of them.
    queryFn: async () => unwrap(await api.GET('/batch-jobs/{jobId}/partitions', { params: { path: { jobId }, query: { limit: 100 } } })),
    refetchInterval: () => jobPollInterval(status),
  });
  const names = useLineageNames(job.data?.lineage.nodes);
  if (job.isPending) return <Loading what="batch job" />;
  if (job.isError) return <ProblemMessage error={job.error} />;
  const j = job.data;
  const progress = batchProgress(j.progress, j.partitionsTotal);
  const rows = partitionRows(j.partitionsTotal, partitions.data?.items ?? []);
  const model = lineageLabel({ id: `version:${j.model.modelId}/${j.model.version}` }, names);
  const input = j.input.kind === 'dataset' ? lineageLabel({ id: `dataset:${j.input.datasetId}/${j.input.version}` }, names) : `folder ${j.input.prefix}`;
  return (
    <>
      <p className="breadcrumbs">
        <Link to="/batch-jobs">Batch jobs</Link> / {j.jobId}
      </p>
      <PageHeader title={`Batch job ${j.jobId}`} subtitle={<StatusBadge status={j.status} />} />
      {j.error ? (
        <div className="problem" role="alert">
          <strong>The job failed</strong>
          <p>{j.error}</p>
          <p className="hint">Fix the cause (often the input files) and start a new job; the partitions scored before the failure are listed below.</p>
        </div>
      ) : null}
      <section className="card" aria-labelledby="job-progress-title">
        <h2 id="job-progress-title">Progress</h2>
        <p>
          <progress max={progress.total || 1} value={progress.done} aria-label="Partitions scored" /> <span role="status">{progress.label}</span>
          {jobIsActive(j.status) ? <span className="hint"> · updates by itself while the job runs</span> : null}
        </p>
        <Definition
          items={[
            ['Model version', <Link to={`/models/${j.model.modelId}/versions/${j.model.version}`}>{model}</Link>],
            ['Input', j.input.kind === 'dataset' ? <Link to={`/datasets/${j.input.datasetId}/versions/${j.input.version}`}>{input}</Link> : input],
            ['Rows read', j.progress.rowsIn.toLocaleString()],
            ['Rows scored', j.progress.rowsOut.toLocaleString()],
            ['Rows rejected', j.progress.rowsRejected.toLocaleString()],
            ['Output folder', <code>{j.outputPrefix}</code>],
            ['Started', formatDate(j.startedAt)],
            ['Finished', formatDate(j.finishedAt)],
            ['Created', `${formatDate(j.createdAt)} by ${j.createdBy}`],
            ['Schedule', j.schedule ? `${j.schedule.scheduleId} (slot ${formatDate(j.schedule.slot)})` : undefined],
          ]}
        />
      </section>
      <section className="card" aria-labelledby="job-files-title">
        <h2 id="job-files-title">Files</h2>
        {j.status !== 'succeeded' ? (
          <p className="hint">The reports are written when every partition is scored; each scored partition's output is below.</p>
        ) : (
          <div className="actions">
            {j.progress.rowsRejected > 0 ? (
              <DownloadButton jobId={j.jobId} file="rejected.csv" label={`Rejected rows report (${j.progress.rowsRejected})`} />
            ) : (
              <span className="hint">No row was rejected.</span>
            )}
            <DownloadButton jobId={j.jobId} file="manifest.json" label="Manifest" />
            <DownloadButton jobId={j.jobId} file="statistics.json" label="Output statistics" />
          </div>
        )}
      </section>
      <section className="card" aria-labelledby="job-partitions-title">
        <h2 id="job-partitions-title">Partitions</h2>
        {partitions.isError ? <ProblemMessage error={partitions.error} /> : null}
        {rows.length === 0 ? (
          <p className="hint">{jobIsActive(j.status) ? 'The job has not split its input into partitions yet.' : 'No partition was planned.'}</p>
        ) : (
          <table className="table">
            <caption>Each partition as it is scored</caption>
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">State</th>
                <th scope="col">Source</th>
                <th scope="col">Rows in / out / rejected</th>
                <th scope="col">Files</th>
              </tr>
            </thead>
            <tbody>
              {rows.slice(0, 100).map((row) => (
                <tr key={row.index}>
                  <td>{row.index}</td>
                  <td>
                    <StatusBadge status={row.state === 'scored' ? 'succeeded' : j.status === 'failed' ? 'not scored' : 'waiting'} />
                  </td>
                  <td>{row.state !== 'scored' ? '—' : j.input.kind === 'dataset' ? input : <code>{row.result.source}</code>}</td>
                  <td>{row.state === 'scored' ? `${row.result.rowsIn} / ${row.result.rowsOut} / ${row.result.rowsRejected}` : '—'}</td>
                  <td>
                    {row.state === 'scored' ? (
                      <span className="actions">
                        <DownloadButton jobId={j.jobId} file={row.result.output} label={`Output of partition ${row.index}`} />
                        {row.result.rejected ? (
                          <DownloadButton jobId={j.jobId} file={row.result.rejected} label={`Rejected rows of partition ${row.index}`} />
                        ) : null}
                      </span>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section className="card" aria-labelledby="job-lineage-title">
        <h2 id="job-lineage-title">Lineage</h2>
        <LineageGraph graph={jobLineageGraph(j.jobId, j.lineage, names)} />
      </section>
    </>
  );
}

/** Fetches a short-lived link to one of the job's files and follows it (the browser downloads it). */
function DownloadButton({ jobId, file, label }: { jobId: string; file: string; label: string }) {
  const api = useApi();
  const [error, setError] = useState<unknown>();
  return (
    <>
      <button
        type="button"
        onClick={async () => {
          setError(undefined);
          try {
            const { url } = unwrap(await api.GET('/batch-jobs/{jobId}/download', { params: { path: { jobId }, query: { file } } }));
            window.location.assign(url);
          } catch (e) {
            setError(e);
          }
        }}
      >
        {label}
      </button>
      <ProblemMessage error={error} title={`${label} could not be downloaded`} />
    </>
  );
}
