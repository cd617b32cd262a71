import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import type { Schemas } from '../api/client';
import { unwrap } from '../api/problem';
import { putWithProgress, sha256Hex } from '../api/upload-file';
import { CursorList } from '../components/cursor-list';
import { HistogramChart } from '../components/evaluation-charts';
import { ProblemMessage } from '../components/problem-message';
import { Definition, EmptyState, formatDate, Loading, PageHeader } from '../components/ui';
import { datasetVersionPollInterval, pendingLabel, statusOf, waitUntilSettled } from '../lib/dataset-version-status';
import { histogramBars } from '../lib/evaluation-charts';
import { useApi } from '../session/session';

type Format = Schemas['Dataset']['format'];

function formatOf(name: string): Format | undefined {
  const ext = name.split('.').at(-1)?.toLowerCase();
  return ext === 'csv' || ext === 'jsonl' || ext === 'parquet' ? ext : undefined;
}

export function DatasetsPage() {
  const api = useApi();
  return (
    <>
      <PageHeader
        title="Datasets"
        subtitle="Versioned, immutable data: each version is verified, profiled and traced to the models trained on it."
        actions={
          <Link className="button primary" to="/datasets/new">
            Upload a dataset
          </Link>
        }
      />
      <CursorList<Schemas['Dataset']>
        label="Datasets"
        queryKey={['datasets']}
        fetchPage={async (cursor) => unwrap(await api.GET('/datasets', { params: { query: { limit: 100, ...(cursor ? { cursor } : {}) } } }))}
        rowKey={(d) => d.datasetId}
        renderRow={(d) => (
          <Link className="row-link" to={`/datasets/${d.datasetId}`}>
            <span className="row-title">{d.name}</span>
            <span className="row-meta">
              {d.format} · {d.versionCount} version{d.versionCount === 1 ? '' : 's'} · updated {formatDate(d.updatedAt)}
            </span>
          </Link>
        )}
        empty={
          <EmptyState title="No datasets yet" action={{ to: '/datasets/new', label: 'Upload a dataset' }}>
            Upload a CSV, JSON Lines or Parquet file; Steward profiles it and keeps every version.
          </EmptyState>
        }
      />
    </>
  );
}

/** Upload: create the dataset if new, then send the file with a progress bar and register the version. */
export function UploadDatasetPage() {
  const { datasetId: existing } = useParams();
  const api = useApi();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const dataset = useQuery({
    queryKey: ['dataset', existing],
    enabled: !!existing,
    queryFn: async () => unwrap(await api.GET('/datasets/{datasetId}', { params: { path: { datasetId: existing! } } })),
  });
  const [name, setName] = useState('');
  const [file, setFile] = useState<File>();
  const [targetColumn, setTargetColumn] = useState('');
  const [description, setDescription] = useState('');
  const [phase, setPhase] = useState<{ step: 'idle' | 'hashing' | 'uploading' | 'profiling' | 'done'; progress: number }>({ step: 'idle', progress: 0 });
  const upload = useMutation({
    mutationFn: async () => {
      if (!file) throw new Error('Choose a file to upload.');
      const format = formatOf(file.name);
      if (!format) throw new Error('The file must end in .csv, .jsonl or .parquet.');
      setPhase({ step: 'hashing', progress: 0 });
      const sha256 = await sha256Hex(file);
      const datasetId = existing ?? unwrap(await api.POST('/datasets', { body: { name, format, tags: [] } })).datasetId;
      const target = unwrap(
        await api.POST('/datasets/{datasetId}/versions/upload-url', { params: { path: { datasetId } }, body: { format, sizeBytes: file.size, sha256 } }),
      );
      setPhase({ step: 'uploading', progress: 0 });
      await putWithProgress(target, file, (progress) => setPhase({ step: 'uploading', progress }));
      setPhase({ step: 'profiling', progress: 1 });
      const registered = unwrap(
        await api.POST('/datasets/{datasetId}/versions', {
          params: { path: { datasetId } },
          body: {
            uploadId: target.uploadId,
            sha256,
            sizeBytes: file.size,
            ...(targetColumn ? { targetColumn } : {}),
            ...(description ? { description } : {}),
            protectedAttributes: [],
          },
        }),
      );
      // Registered pending: the profile-dataset pipeline hashes and profiles it; wait for its verdict here.
      const version = await waitUntilSettled(async () =>
        unwrap(await api.GET('/datasets/{datasetId}/versions/{version}', { params: { path: { datasetId, version: registered.version } } })),
      );
      setPhase({ step: 'done', progress: 1 });
      await queryClient.invalidateQueries();
      void navigate(`/datasets/${datasetId}/versions/${version.version}`);
    },
    onError: () => setPhase({ step: 'idle', progress: 0 }),
  });
  const title = existing ? `New version of ${dataset.data?.name ?? 'the dataset'}` : 'Upload a dataset';
  return (
    <>
      <PageHeader title={title} subtitle="Up to 1 GiB. The file goes straight to storage; Steward then verifies and profiles it." />
      <form
        className="card form-grid"
        onSubmit={(e) => {
          e.preventDefault();
          upload.mutate();
        }}
      >
        {existing ? null : (
          <div className="field">
            <label htmlFor="ds-name">Dataset name</label>
            <input id="ds-name" value={name} onChange={(e) => setName(e.target.value)} required pattern="[A-Za-z0-9][A-Za-z0-9._\-]*" />
          </div>
        )}
        <div className="field">
          <label htmlFor="ds-file">File</label>
          <input
            id="ds-file"
            type="file"
            accept=".csv,.jsonl,.parquet"
            onChange={(e) => setFile(e.target.files?.[0])}
            required
            aria-describedby="ds-file-hint"
          />
          <small id="ds-file-hint" className="hint">
            CSV with a header row, JSON Lines or Parquet.
          </small>
        </div>
        <div className="field">
          <label htmlFor="ds-target">Target column (optional)</label>
          <input id="ds-target" value={targetColumn} onChange={(e) => setTargetColumn(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="ds-description">Description (optional)</label>
          <input id="ds-description" value={description} onChange={(e) => setDescription(e.target.value)} />
        </div>
        {phase.step !== 'idle' ? (
          <div className="field span-2">
            <label htmlFor="ds-progress">
              {phase.step === 'hashing'
                ? 'Computing the checksum…'
                : phase.step === 'uploading'
                  ? `Uploading… ${Math.round(phase.progress * 100)}%`
                  : phase.step === 'profiling'
                    ? 'Verifying and profiling…'
                    : 'Done'}
            </label>
            <progress id="ds-progress" max={1} value={phase.progress} />
          </div>
        ) : null}
        <div className="span-2">
          <ProblemMessage error={upload.error} title="The upload did not complete" />
          <button type="submit" className="primary" disabled={upload.isPending}>
            {upload.isPending ? 'Uploading…' : 'Upload'}
          </button>
        </div>
      </form>
    </>
  );
}

export function DatasetPage() {
  const { datasetId = '' } = useParams();
  const api = useApi();
  const dataset = useQuery({
    queryKey: ['dataset', datasetId],
    queryFn: async () => unwrap(await api.GET('/datasets/{datasetId}', { params: { path: { datasetId } } })),
  });
  if (dataset.isPending) return <Loading what="the dataset" />;
  if (dataset.isError) return <ProblemMessage error={dataset.error} title="Could not load the dataset" />;
  const d = dataset.data;
  return (
    <>
      <p className="breadcrumbs">
        <Link to="/datasets">Datasets</Link> / {d.name}
      </p>
      <PageHeader
        title={d.name}
        subtitle={d.description}
        actions={
          <Link className="button primary" to={`/datasets/${datasetId}/upload`}>
            Upload a new version
          </Link>
        }
      />
      <CursorList<Schemas['DatasetVersion']>
        label={`Versions of ${d.name}`}
        queryKey={['dataset-versions', datasetId]}
        fetchPage={async (cursor) =>
          unwrap(await api.GET('/datasets/{datasetId}/versions', { params: { path: { datasetId }, query: { limit: 100, ...(cursor ? { cursor } : {}) } } }))
        }
        rowKey={(v) => String(v.version)}
        renderRow={(v) => (
          <Link className="row-link" to={`/datasets/${datasetId}/versions/${v.version}`}>
            <span className="row-title">v{v.version}</span>
            <span className="row-meta">
              {pendingLabel(v) ?? `${v.rowCount ?? 0} rows · ${v.columnCount ?? 0} columns`} · {(v.sizeBytes / 1024).toFixed(1)} KiB · {formatDate(v.createdAt)}
            </span>
          </Link>
        )}
        empty={<EmptyState title="No versions yet" action={{ to: `/datasets/${datasetId}/upload`, label: 'Upload the first version' }} />}
      />
      <UsedBy datasetId={datasetId} />
    </>
  );
}

function UsedBy({ datasetId, version }: { datasetId: string; version?: number }) {
  const api = useApi();
  const used = useQuery({
    queryKey: ['used-by', datasetId, version],
    queryFn: async () =>
      unwrap(await api.GET('/datasets/{datasetId}/used-by', { params: { path: { datasetId }, query: version ? { datasetVersion: version } : {} } })),
  });
  return (
    <section className="card" aria-labelledby="used-title">
      <h2 id="used-title">Used by</h2>
      {used.isPending ? (
        <Loading what="usage" />
      ) : used.isError ? (
        <ProblemMessage error={used.error} />
      ) : used.data.items.length === 0 ? (
        <p>No model version was trained or evaluated on it yet.</p>
      ) : (
        <ul className="plain">
          {used.data.items.map((u) => (
            <li key={`${u.modelId}/${u.version}/${u.role}`}>
              <Link to={`/models/${u.modelId}/versions/${u.version}`}>
                {u.modelName ?? u.modelId} v{u.version}
              </Link>{' '}
              ({u.role}, dataset v{u.datasetVersion})
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

export function DatasetVersionPage() {
  const { datasetId = '', version: versionText = '' } = useParams();
  const version = Number(versionText);
  const api = useApi();
  const detail = useQuery({
    queryKey: ['dataset-version', datasetId, version],
    queryFn: async () => unwrap(await api.GET('/datasets/{datasetId}/versions/{version}', { params: { path: { datasetId, version } } })),
    refetchInterval: (q) => datasetVersionPollInterval(q.state.data),
  });
  if (detail.isPending) return <Loading what="the dataset version" />;
  if (detail.isError) return <ProblemMessage error={detail.error} title="Could not load the dataset version" />;
  const d = detail.data;
  if (statusOf(d) !== 'ready' || !d.profile) {
    return (
      <>
        <p className="breadcrumbs">
          <Link to="/datasets">Datasets</Link> / <Link to={`/datasets/${datasetId}`}>{d.datasetName}</Link> / v{version}
        </p>
        <PageHeader title={`${d.datasetName} v${version}`} subtitle={d.description} />
        <section className="card" aria-labelledby="ds-status">
          <h2 id="ds-status">{statusOf(d) === 'failed' ? 'Refused' : 'Being verified'}</h2>
          <p role="status">
            {statusOf(d) === 'failed'
              ? `${pendingLabel(d)}. Fix the file and upload it again.`
              : 'Steward is checking the file against its checksum and profiling every column; this page updates by itself.'}
          </p>
        </section>
      </>
    );
  }
  const profile = d.profile;
  return (
    <>
      <p className="breadcrumbs">
        <Link to="/datasets">Datasets</Link> / <Link to={`/datasets/${datasetId}`}>{d.datasetName}</Link> / v{version}
      </p>
      <PageHeader
        title={`${d.datasetName} v${version}`}
        subtitle={d.description}
        actions={
          <button
            type="button"
            onClick={async () => {
              const { url } = unwrap(await api.GET('/datasets/{datasetId}/versions/{version}/download', { params: { path: { datasetId, version } } }));
              window.location.assign(url);
            }}
          >
            Download
          </button>
        }
      />
      <section className="card" aria-labelledby="ds-about">
        <h2 id="ds-about">About</h2>
        <Definition
          items={[
            ['Rows', (d.rowCount ?? 0).toLocaleString()],
            ['Columns', d.columnCount ?? 0],
            ['Format', d.format],
            ['Size', `${(d.sizeBytes / 1024).toFixed(1)} KiB`],
            ['Target column', d.targetColumn ?? '—'],
            [
              'SHA-256',
              <code key="h" className="hash">
                {d.sha256}
              </code>,
            ],
            ['Uploaded', `${formatDate(d.createdAt)} by ${d.createdBy}`],
          ]}
        />
      </section>
      <section className="card" aria-labelledby="ds-schema">
        <h2 id="ds-schema">Schema and profile</h2>
        <div className="profile-grid">
          {profile.columns.map((c) => (
            <article key={c.name} className="profile-column" aria-label={`Column ${c.name}`}>
              <h3>
                {c.name}{' '}
                <span className="hint">
                  {c.type}
                  {c.categorical ? ', categorical' : ''}
                  {c.nullable ? ', nullable' : ''}
                </span>
              </h3>
              {c.histogram ? <HistogramChart bars={histogramBars(c.histogram)} label={c.name} /> : null}
              {c.topCategories ? (
                <ul className="plain hint">
                  {c.topCategories.slice(0, 5).map((t) => (
                    <li key={t.value}>
                      {t.value}: {t.count}
                    </li>
                  ))}
                </ul>
              ) : null}
              <p className="hint">
                {c.mean !== undefined ? `mean ${c.mean.toPrecision(4)}, ` : ''}
                {c.min !== undefined ? `min ${String(c.min)}, max ${String(c.max)}, ` : ''}
                missing {c.missing}
                {c.distinct !== undefined ? `, distinct ${c.distinct}` : ''}
              </p>
            </article>
          ))}
        </div>
      </section>
      <UsedBy datasetId={datasetId} version={version} />
    </>
  );
}
