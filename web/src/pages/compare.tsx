import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { unwrap } from '../api/problem';
import { ProblemMessage } from '../components/problem-message';
import { EmptyState, Loading, PageHeader, StatusBadge } from '../components/ui';
import { type Comparison, comparisonTable, formatDelta, overlaidCurves } from '../lib/evaluation-details';
import { useApi } from '../session/session';

const PALETTE = ['#3056d3', '#d9480f', '#2b8a3e', '#ae3ec9', '#1098ad', '#f08c00', '#c92a2a', '#5c940d'];

/** Versions of a model side by side: metrics with deltas against the champion, curves overlaid. `?model=…&versions=1,2`. */
export function ComparePage() {
  const api = useApi();
  const [params, setParams] = useSearchParams();
  const modelId = params.get('model') ?? '';
  const versionsParam = params.get('versions') ?? '';
  const models = useQuery({
    queryKey: ['models', 'compare-picker'],
    queryFn: async () => unwrap(await api.GET('/models', { params: { query: { limit: 100 } } })),
  });
  const versions = useQuery({
    queryKey: ['versions-of', modelId],
    enabled: !!modelId,
    queryFn: async () => unwrap(await api.GET('/models/{modelId}/versions', { params: { path: { modelId }, query: { limit: 100 } } })),
  });
  const picked = versionsParam ? versionsParam.split(',') : [];
  const comparison = useQuery({
    queryKey: ['compare', modelId, versionsParam],
    enabled: !!modelId,
    queryFn: async () =>
      unwrap(await api.GET('/models/{modelId}/compare', { params: { path: { modelId }, query: versionsParam ? { versions: versionsParam } : {} } })),
  });
  const [draft, setDraft] = useState<string[] | undefined>();
  const chosen = draft ?? picked;
  return (
    <>
      <PageHeader
        title="Compare versions"
        subtitle="Metrics side by side, with each version's change against the champion, and their ROC and precision-recall curves drawn over each other."
      />
      <form
        className="card filters"
        aria-label="Versions to compare"
        onSubmit={(e) => {
          e.preventDefault();
          setParams({ model: modelId, ...(chosen.length ? { versions: chosen.join(',') } : {}) });
          setDraft(undefined);
        }}
      >
        <div className="field">
          <label htmlFor="compare-model">Model</label>
          <select
            id="compare-model"
            value={modelId}
            onChange={(e) => {
              setDraft(undefined);
              setParams(e.target.value ? { model: e.target.value } : {});
            }}
          >
            <option value="">Pick a model…</option>
            {models.data?.items.map((m) => (
              <option key={m.modelId} value={m.modelId}>
                {m.name}
              </option>
            ))}
          </select>
        </div>
        {modelId && versions.data ? (
          <fieldset className="field">
            <legend>Versions (none picked: the latest five)</legend>
            <div className="checkbox-row">
              {versions.data.items.map((v) => {
                const key = String(v.version);
                return (
                  <label key={key} className="checkbox">
                    <input
                      type="checkbox"
                      checked={chosen.includes(key)}
                      onChange={(e) => setDraft(e.target.checked ? [...chosen, key] : chosen.filter((c) => c !== key))}
                    />{' '}
                    v{v.version} <StatusBadge status={v.status} />
                  </label>
                );
              })}
            </div>
          </fieldset>
        ) : null}
        {modelId ? (
          <div className="actions">
            <button type="submit" className="primary">
              Compare
            </button>
          </div>
        ) : null}
      </form>
      {models.isError ? <ProblemMessage error={models.error} /> : null}
      {!modelId ? (
        <EmptyState title="Pick a model">Then pick the versions to compare; without a choice the latest five are shown.</EmptyState>
      ) : comparison.isPending ? (
        <Loading what="comparison" />
      ) : comparison.isError ? (
        <ProblemMessage error={comparison.error} />
      ) : (
        <ComparisonView comparison={comparison.data} />
      )}
    </>
  );
}

function ComparisonView({ comparison }: { comparison: Comparison }) {
  const rows = comparisonTable(comparison);
  if (comparison.versions.length === 0) return <EmptyState title="No evaluated version">Versions appear here once they have an evaluation.</EmptyState>;
  return (
    <>
      <section className="card" aria-labelledby="compare-metrics-title">
        <h2 id="compare-metrics-title">Metrics</h2>
        <p className="hint">
          {comparison.champion
            ? `Deltas are against the champion, version ${comparison.champion.version}.`
            : 'No champion yet, so no deltas: set one on the model page.'}{' '}
          Evaluations from: {comparison.sources.join(', ')}.
        </p>
        <div className="table-scroll">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Metric</th>
                {comparison.versions.map((v) => (
                  <th scope="col" key={v.version}>
                    <Link to={`/models/${comparison.modelId}/versions/${v.version}`}>v{v.version}</Link>
                    {v.isChampion ? ' (champion)' : ''}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.metric}>
                  <th scope="row">
                    {r.metric}
                    {r.higherIsBetter === null ? '' : r.higherIsBetter ? ' ↑' : ' ↓'}
                  </th>
                  {r.cells.map((c, i) => (
                    <td key={i}>
                      {c.value === undefined ? '—' : Number(c.value.toPrecision(5))}
                      {c.delta !== undefined ? (
                        <span className={`delta ${c.better === true ? 'better' : c.better === false ? 'worse' : ''}`}>
                          {' '}
                          ({formatDelta(c.delta)}
                          {c.better === true ? ', better' : c.better === false ? ', worse' : ''})
                        </span>
                      ) : null}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <div className="grid-2">
        <OverlayChart comparison={comparison} curve="roc" />
        <OverlayChart comparison={comparison} curve="precision-recall" />
      </div>
    </>
  );
}

function OverlayChart({ comparison, curve }: { comparison: Comparison; curve: 'roc' | 'precision-recall' }) {
  const series = overlaidCurves(comparison, curve);
  const title = curve === 'roc' ? 'ROC curves' : 'Precision–recall curves';
  const id = `overlay-${curve}`;
  return (
    <figure className="card chart" aria-labelledby={id}>
      {series.length === 0 ? (
        <p className="hint">No version has a {curve === 'roc' ? 'ROC' : 'precision-recall'} curve (regression, or evaluated by hand).</p>
      ) : (
        <ResponsiveContainer width="100%" height={280}>
          <LineChart margin={{ top: 8, right: 16, bottom: 24, left: 16 }}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis
              dataKey="x"
              type="number"
              domain={[0, 1]}
              label={{ value: curve === 'roc' ? 'False positive rate' : 'Recall', position: 'insideBottom', offset: -12 }}
            />
            <YAxis
              dataKey="y"
              type="number"
              domain={[0, 1]}
              width={48}
              label={{ value: curve === 'roc' ? 'True positive rate' : 'Precision', angle: -90, position: 'insideLeft', style: { textAnchor: 'middle' } }}
            />
            <Tooltip formatter={(v) => Number(v).toFixed(3)} />
            <Legend verticalAlign="top" />
            {series.map((s, i) => (
              <Line
                key={s.version}
                data={s.points}
                dataKey="y"
                name={`v${s.version}${s.isChampion ? ' (champion)' : ''}`}
                stroke={PALETTE[i % PALETTE.length]}
                strokeWidth={s.isChampion ? 3 : 2}
                dot={false}
                isAnimationActive={false}
              />
            ))}
          </LineChart>
        </ResponsiveContainer>
      )}
      <figcaption id={id}>{title}, one line per version.</figcaption>
    </figure>
  );
}
