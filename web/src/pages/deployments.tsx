import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import type { Schemas } from '../api/client';
import { unwrap } from '../api/problem';
import { ConfirmDialog } from '../components/confirm-dialog';
import { ProblemMessage } from '../components/problem-message';
import { Definition, EmptyState, formatDate, Loading, PageHeader, StatusBadge } from '../components/ui';
import {
  CANARY_DEFAULTS,
  type CanaryForm,
  canaryStatus,
  canaryVerdict,
  type IoField,
  parseCanary,
  parseSplit,
  scoringRecordSchema,
  type SplitRow,
} from '../lib/deployment-forms';
import { bodyFromValues, fieldsFromSchema, type FormValues } from '../lib/schema-form';
import { useApi } from '../session/session';
import { SchemaFields } from './pipelines';

type Endpoint = Schemas['EndpointPage']['items'][number];

/** The tenant's endpoints: what each serves now, and the way to deploy more. */
export function DeploymentsPage() {
  const api = useApi();
  const endpoints = useQuery({ queryKey: ['endpoints'], queryFn: async () => unwrap(await api.GET('/endpoints', { params: { query: { limit: 100 } } })) });
  return (
    <>
      <PageHeader
        title="Deployments"
        subtitle="Endpoints serving approved versions: weighted variants, shadows and canaries. Batch scoring has its own page."
        actions={
          <>
            <Link className="button" to="/batch-jobs">
              Batch jobs & schedules
            </Link>
            <Link className="button primary" to="/deployments/new">
              New deployment
            </Link>
          </>
        }
      />
      {endpoints.isPending ? (
        <Loading what="endpoints" />
      ) : endpoints.isError ? (
        <ProblemMessage error={endpoints.error} />
      ) : endpoints.data.items.length === 0 ? (
        <EmptyState title="No endpoint yet" action={{ to: '/deployments/new', label: 'Deploy an approved version' }}>
          Once an approver approves a version, deploy it to an endpoint here and score rows against it.
        </EmptyState>
      ) : (
        <div className="card">
          <table className="table">
            <caption className="sr-only">Endpoints</caption>
            <thead>
              <tr>
                <th scope="col">Endpoint</th>
                <th scope="col">Status</th>
                <th scope="col">Live variants and weights</th>
                <th scope="col">Updated</th>
              </tr>
            </thead>
            <tbody>
              {endpoints.data.items.map((e: Endpoint) => (
                <tr key={e.endpointName}>
                  <td>
                    <Link to={`/deployments/${encodeURIComponent(e.endpointName)}`}>{e.endpointName}</Link>
                  </td>
                  <td>
                    <StatusBadge status={e.status} />
                    {e.pendingDeploymentId ? <span className="hint"> (a deployment is in progress)</span> : null}
                  </td>
                  <td>{e.liveDeploymentId ? <LiveSummary endpointName={e.endpointName} deploymentId={e.liveDeploymentId} /> : 'nothing live'}</td>
                  <td>{formatDate(e.updatedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

/** What an endpoint in the list serves: its live variants with their shares, and the canary's step. */
function LiveSummary({ endpointName, deploymentId }: { endpointName: string; deploymentId: string }) {
  const api = useApi();
  const detail = useQuery({ queryKey: ['endpoint', endpointName], queryFn: () => fetchEndpoint(api, endpointName) });
  const live = detail.data?.deployments.find((d) => d.deploymentId === deploymentId);
  if (detail.isError) return <span className="hint">could not load its variants</span>;
  if (!live) return <span className="hint">loading…</span>;
  return (
    <>
      {describeVariants(live)}
      {live.canary ? <span className="hint"> · {canaryStatus(live.canary, live.status)}</span> : null}
    </>
  );
}

/** Approved (and already deployed) versions, the ones a deployment may use. */
function useDeployableVersions() {
  const api = useApi();
  return useQuery({
    queryKey: ['versions', 'deployable'],
    // A deployment that just went live turned its versions from approved to deployed: always ask again.
    refetchOnMount: 'always',
    queryFn: async () => {
      const [approved, deployed] = await Promise.all([
        api.GET('/versions', { params: { query: { status: 'approved', limit: 100 } } }).then(unwrap),
        api.GET('/versions', { params: { query: { status: 'deployed', limit: 100 } } }).then(unwrap),
      ]);
      return [...approved.items, ...deployed.items];
    },
  });
}

const versionKey = (v: { modelId: string; version: number }) => `${v.modelId}|${v.version}`;

function VersionSelect({
  id,
  value,
  onChange,
  versions,
  required,
  invalid,
  describedBy,
}: {
  id: string;
  value: string;
  onChange: (v: string) => void;
  versions: readonly Schemas['ModelVersion'][];
  required: boolean;
  invalid?: boolean;
  describedBy?: string;
}) {
  return (
    <select
      id={id}
      value={value}
      onChange={(e) => onChange(e.target.value)}
      required={required}
      aria-invalid={invalid || undefined}
      aria-describedby={describedBy}
    >
      <option value="">{required ? 'Pick a version…' : 'None'}</option>
      {versions.map((v) => (
        <option key={versionKey(v)} value={versionKey(v)}>
          {v.modelName} v{v.version} ({v.status})
        </option>
      ))}
    </select>
  );
}

function splitKey(key: string): { modelId: string; version: string } {
  const [modelId = '', version = ''] = key.split('|');
  return { modelId, version };
}

export function NewDeploymentPage() {
  const api = useApi();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const versions = useDeployableVersions();
  const [endpointName, setEndpointName] = useState('');
  const [rows, setRows] = useState<{ key: string; weight: string }[]>([{ key: '', weight: '100' }]);
  const [shadow, setShadow] = useState('');
  const [shadowPercent, setShadowPercent] = useState('100');
  const [kind, setKind] = useState<'split' | 'canary'>('split');
  const [canary, setCanary] = useState('');
  const [canaryForm, setCanaryForm] = useState<CanaryForm>(CANARY_DEFAULTS);
  const [description, setDescription] = useState('');
  const [touched, setTouched] = useState(false);
  const split = parseSplit(rows.map((r): SplitRow => ({ ...splitKey(r.key), weight: r.weight })));
  const canaryParsed = parseCanary(canaryForm);
  // A canary is weighed against what is live: the API takes it instead of variants, never with them.
  const errors: Record<string, string> =
    kind === 'split' ? split.errors : { ...canaryParsed.errors, ...(canary ? {} : { 'canary.version': 'Pick the version to try as a canary.' }) };
  const create = useMutation({
    mutationFn: async () => {
      const shadowPick = shadow ? splitKey(shadow) : undefined;
      const canaryPick = canary ? splitKey(canary) : undefined;
      return unwrap(
        await api.POST('/deployments', {
          body: {
            endpointName,
            variants: kind === 'split' ? split.variants : [],
            ...(shadowPick ? { shadow: { modelId: shadowPick.modelId, version: Number(shadowPick.version), samplingPercentage: Number(shadowPercent) } } : {}),
            ...(kind === 'canary' && canaryPick && canaryParsed.settings
              ? { canary: { modelId: canaryPick.modelId, version: Number(canaryPick.version), ...canaryParsed.settings } }
              : {}),
            ...(description ? { description } : {}),
          },
        }),
      );
    },
    onSuccess: async (res) => {
      // Deploying changes the versions' status (approved → deployed) and the endpoint list.
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: ['endpoints'] }),
        queryClient.invalidateQueries({ queryKey: ['endpoint', res.deployment.endpointName] }),
        queryClient.invalidateQueries({ queryKey: ['versions'] }),
      ]);
      void navigate(`/deployments/${encodeURIComponent(res.deployment.endpointName)}`);
    },
  });
  const fieldError = (key: string) => (touched ? errors[key] : undefined);
  const canaryField = (key: keyof CanaryForm, errorKey: string, label: string, hint: string, inputMode: 'numeric' | 'decimal' | 'text' = 'decimal') => (
    <div className="field">
      <label htmlFor={`dep-canary-${key}`}>{label}</label>
      <input
        id={`dep-canary-${key}`}
        inputMode={inputMode === 'text' ? undefined : inputMode}
        value={canaryForm[key]}
        onChange={(e) => setCanaryForm({ ...canaryForm, [key]: e.target.value })}
        aria-invalid={!!fieldError(errorKey) || undefined}
        aria-describedby={`dep-canary-${key}-hint`}
      />
      <small id={`dep-canary-${key}-hint`} className={fieldError(errorKey) ? 'field-error' : 'hint'}>
        {fieldError(errorKey) ?? hint}
      </small>
    </div>
  );
  return (
    <>
      <PageHeader title="New deployment" subtitle="Serve approved versions on an endpoint. Several variants share traffic by weight (e.g. 90 and 10)." />
      <form
        className="card"
        aria-label="New deployment"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          setTouched(true);
          if (Object.keys(errors).length === 0 && endpointName) create.mutate();
        }}
      >
        <div className="field">
          <label htmlFor="dep-endpoint">Endpoint name</label>
          <input
            id="dep-endpoint"
            value={endpointName}
            onChange={(e) => setEndpointName(e.target.value)}
            required
            pattern="[a-z0-9][a-z0-9-]*"
            aria-describedby="dep-endpoint-hint"
            aria-invalid={(touched && !endpointName) || undefined}
          />
          <small id="dep-endpoint-hint" className="hint">
            Lowercase letters, digits and dashes. An existing endpoint gets the new deployment and keeps the previous one for rollback.
          </small>
          {touched && !endpointName ? <small className="field-error">Name the endpoint.</small> : null}
        </div>
        {versions.isError ? <ProblemMessage error={versions.error} /> : null}
        <fieldset className="field">
          <legend>What to deploy</legend>
          <label>
            <input type="radio" name="dep-kind" value="split" checked={kind === 'split'} onChange={() => setKind('split')} /> Variants sharing traffic by weight
          </label>
          <label>
            <input type="radio" name="dep-kind" value="canary" checked={kind === 'canary'} onChange={() => setKind('canary')} /> A canary beside what is live,
            promoted step by step
          </label>
        </fieldset>
        {kind === 'split' ? (
          <fieldset className="field">
            <legend>Variants and weights</legend>
            {rows.map((row, i) => (
              <div key={i} className="inline-form">
                <div className="field">
                  <label htmlFor={`dep-variant-${i}`}>Variant {i + 1} version</label>
                  <VersionSelect
                    id={`dep-variant-${i}`}
                    value={row.key}
                    onChange={(key) => setRows(rows.map((r, j) => (j === i ? { ...r, key } : r)))}
                    versions={versions.data ?? []}
                    required
                    invalid={!!(fieldError(`variants.${i}.modelId`) || fieldError(`variants.${i}.version`))}
                    describedBy={fieldError(`variants.${i}.version`) ? `dep-variant-${i}-error` : undefined}
                  />
                  {fieldError(`variants.${i}.version`) ? (
                    <small id={`dep-variant-${i}-error`} className="field-error">
                      {fieldError(`variants.${i}.version`)}
                    </small>
                  ) : null}
                </div>
                <div className="field">
                  <label htmlFor={`dep-weight-${i}`}>Variant {i + 1} weight</label>
                  <input
                    id={`dep-weight-${i}`}
                    inputMode="decimal"
                    value={row.weight}
                    onChange={(e) => setRows(rows.map((r, j) => (j === i ? { ...r, weight: e.target.value } : r)))}
                    aria-invalid={!!fieldError(`variants.${i}.weight`) || undefined}
                    aria-describedby={`dep-share-${i}`}
                  />
                  <small id={`dep-share-${i}`} className={fieldError(`variants.${i}.weight`) ? 'field-error' : 'hint'}>
                    {fieldError(`variants.${i}.weight`) ?? `${split.shares[i]} % of traffic`}
                  </small>
                </div>
                {rows.length > 1 ? (
                  <button type="button" onClick={() => setRows(rows.filter((_, j) => j !== i))} aria-label={`Remove variant ${i + 1}`}>
                    Remove
                  </button>
                ) : null}
              </div>
            ))}
            <button
              type="button"
              onClick={() =>
                setRows(
                  rows.length === 1 && rows[0].weight === '100'
                    ? [
                        { ...rows[0], weight: '90' },
                        { key: '', weight: '10' },
                      ]
                    : [...rows, { key: '', weight: '10' }],
                )
              }
            >
              Add a variant
            </button>
          </fieldset>
        ) : null}
        {kind === 'canary' ? (
          <fieldset className="field">
            <legend>Canary</legend>
            <p className="hint">
              The live variants keep serving; the canary gets a growing share while its errors and latency stay within bounds, and is rolled back by itself
              otherwise.
            </p>
            <div className="form-grid">
              <div className="field">
                <label htmlFor="dep-canary">Canary version</label>
                <VersionSelect
                  id="dep-canary"
                  value={canary}
                  onChange={setCanary}
                  versions={versions.data ?? []}
                  required
                  invalid={!!fieldError('canary.version')}
                  describedBy={fieldError('canary.version') ? 'dep-canary-error' : undefined}
                />
                {fieldError('canary.version') ? (
                  <small id="dep-canary-error" className="field-error">
                    {fieldError('canary.version')}
                  </small>
                ) : null}
              </div>
              {canaryField('variantName', 'canary.variantName', 'Canary variant name (optional)', 'Defaults to canary-v<version>.', 'text')}
              {canaryField(
                'steps',
                'canary.steps',
                'Canary steps (% of traffic)',
                'Initial weight first, then each step, e.g. 10, 50, 100; reaching 100 promotes it.',
                'text',
              )}
              {canaryField('bakeMinutes', 'canary.bakeSeconds', 'Bake period (minutes)', 'How long each step must stay healthy before the next one.')}
              {canaryField(
                'maxErrorPercent',
                'canary.maxErrorRate',
                'Error-rate threshold (%)',
                'Above this share of failed requests the canary is rolled back.',
              )}
              {canaryField(
                'maxLatencyMs',
                'canary.maxLatencyMs',
                'Latency threshold (p99, ms)',
                'Above this 99th-percentile latency the canary is rolled back.',
              )}
              {canaryField(
                'minRequests',
                'canary.minRequests',
                'Requests before judging',
                'The canary is judged only once it has served this many requests.',
                'numeric',
              )}
            </div>
          </fieldset>
        ) : null}
        <div className="form-grid">
          <div className="field">
            <label htmlFor="dep-shadow">Shadow version (optional)</label>
            <VersionSelect id="dep-shadow" value={shadow} onChange={setShadow} versions={versions.data ?? []} required={false} describedBy="dep-shadow-hint" />
            <small id="dep-shadow-hint" className="hint">
              Gets a copy of requests; its answers are recorded, never returned.
            </small>
          </div>
          {shadow ? (
            <div className="field">
              <label htmlFor="dep-shadow-percent">Shadow sampling (%)</label>
              <input id="dep-shadow-percent" inputMode="numeric" value={shadowPercent} onChange={(e) => setShadowPercent(e.target.value)} />
            </div>
          ) : null}
          <div className="field">
            <label htmlFor="dep-description">Description (optional)</label>
            <input id="dep-description" value={description} onChange={(e) => setDescription(e.target.value)} />
          </div>
        </div>
        <ProblemMessage error={create.error} title="The deployment was not started" />
        <div className="actions">
          <button type="submit" className="primary" disabled={create.isPending}>
            {create.isPending ? 'Deploying…' : 'Deploy'}
          </button>
        </div>
      </form>
    </>
  );
}

type DeploymentRecord = Awaited<ReturnType<typeof fetchEndpoint>>['deployments'][number];

async function fetchEndpoint(api: ReturnType<typeof useApi>, endpointName: string) {
  return unwrap(await api.GET('/endpoints/{endpointName}', { params: { path: { endpointName } } }));
}

/** One endpoint: its live variants and weights, canary, metrics per variant, test scoring, rollback and undeploy. */
export function EndpointPage() {
  const { endpointName = '' } = useParams();
  const api = useApi();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const detail = useQuery({
    queryKey: ['endpoint', endpointName],
    queryFn: () => fetchEndpoint(api, endpointName),
    // A deployment in progress or a canary moves on by itself: follow it.
    refetchInterval: (q) =>
      q.state.data?.endpoint.pendingDeploymentId || q.state.data?.deployments.some((d) => d.status === 'deploying' || d.canary) ? 3000 : false,
  });
  const [confirm, setConfirm] = useState<'rollback' | 'undeploy'>();
  const rollback = useMutation({
    mutationFn: async (reason: string) =>
      unwrap(await api.POST('/endpoints/{endpointName}/rollback', { params: { path: { endpointName } }, body: { reason } })),
    onSuccess: async () => {
      setConfirm(undefined);
      await Promise.all([queryClient.invalidateQueries({ queryKey: ['endpoint', endpointName] }), queryClient.invalidateQueries({ queryKey: ['versions'] })]);
    },
  });
  const undeploy = useMutation({
    mutationFn: async () => unwrap(await api.DELETE('/endpoints/{endpointName}', { params: { path: { endpointName } } })),
    onSuccess: async () => {
      setConfirm(undefined);
      await queryClient.invalidateQueries({ queryKey: ['endpoints'] });
      void navigate('/deployments');
    },
  });
  if (detail.isPending) return <Loading what="endpoint" />;
  if (detail.isError) return <ProblemMessage error={detail.error} />;
  const { endpoint, deployments } = detail.data;
  const live = deployments.find((d) => d.deploymentId === endpoint.liveDeploymentId);
  const previous = live?.previousDeploymentId ? deployments.find((d) => d.deploymentId === live.previousDeploymentId) : undefined;
  return (
    <>
      <PageHeader
        title={`Endpoint ${endpoint.endpointName}`}
        subtitle={<StatusBadge status={endpoint.status} />}
        actions={
          endpoint.status !== 'deleted' ? (
            <>
              <button type="button" onClick={() => setConfirm('rollback')} disabled={!live?.previousDeploymentId}>
                Roll back
              </button>
              <button type="button" className="danger" onClick={() => setConfirm('undeploy')}>
                Undeploy
              </button>
            </>
          ) : null
        }
      />
      {confirm === 'rollback' ? (
        <ConfirmDialog
          title={`Roll back ${endpoint.endpointName}?`}
          confirmLabel="Roll back"
          reasonLabel="Reason (kept in the audit log)"
          busy={rollback.isPending}
          error={rollback.error}
          onConfirm={(reason) => rollback.mutate(reason)}
          onClose={() => {
            setConfirm(undefined);
            rollback.reset();
          }}
        >
          <p>The endpoint serves the previous deployment again{previous ? ` (${describeVariants(previous)})` : ''}. The current one is kept as rolled back.</p>
        </ConfirmDialog>
      ) : null}
      {confirm === 'undeploy' ? (
        <ConfirmDialog
          title={`Undeploy ${endpoint.endpointName}?`}
          confirmLabel="Undeploy"
          busy={undeploy.isPending}
          error={undeploy.error}
          onConfirm={() => undeploy.mutate()}
          onClose={() => {
            setConfirm(undefined);
            undeploy.reset();
          }}
        >
          <p>The endpoint stops serving at once and its versions go back to approved. Callers get errors until it is deployed again.</p>
        </ConfirmDialog>
      ) : null}
      {live ? (
        <LiveDeployment deployment={live} />
      ) : (
        <p className="card">Nothing is live on this endpoint{endpoint.pendingDeploymentId ? ': a deployment is in progress.' : '.'}</p>
      )}
      {live ? <VariantMetrics endpointName={endpointName} deploymentId={live.deploymentId} /> : null}
      {live && endpoint.status === 'in-service' ? <TestScoring endpointName={endpointName} deployment={live} /> : null}
      <section className="card" aria-labelledby="history-title">
        <h2 id="history-title">Deployments, newest first</h2>
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Deployment</th>
              <th scope="col">Status</th>
              <th scope="col">Variants</th>
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
            {deployments.map((d) => (
              <tr key={d.deploymentId}>
                <td>
                  <code>{d.deploymentId}</code>
                </td>
                <td>
                  <StatusBadge status={d.status} />
                  {d.reason ? <span className="hint"> {d.reason}</span> : null}
                </td>
                <td>{describeVariants(d)}</td>
                <td>
                  {formatDate(d.createdAt)} by {d.createdBy}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </>
  );
}

function describeVariants(d: DeploymentRecord): string {
  return d.variants
    .map((v) => `${v.variantName}: version ${v.version}, ${v.role === 'shadow' ? 'shadow' : `${v.role === 'canary' ? 'canary, ' : ''}weight ${v.weight}`}`)
    .join('; ');
}

function LiveDeployment({ deployment }: { deployment: DeploymentRecord }) {
  const production = deployment.variants.filter((v) => v.role !== 'shadow');
  const total = production.reduce((s, v) => s + v.weight, 0);
  return (
    <section className="card" aria-labelledby="live-title">
      <h2 id="live-title">Live deployment</h2>
      <Definition
        items={[
          ['Deployment', <code>{deployment.deploymentId}</code>],
          ['Live since', formatDate(deployment.liveAt)],
          ['Captured requests', `${deployment.capturePercent} %`],
          ['Description', deployment.description],
        ]}
      />
      {deployment.canary ? <CanaryPanel deployment={deployment} canary={deployment.canary} /> : null}
      <table className="table">
        <caption>Variants and their share of traffic</caption>
        <thead>
          <tr>
            <th scope="col">Variant</th>
            <th scope="col">Role</th>
            <th scope="col">Version</th>
            <th scope="col">Weight</th>
            <th scope="col">Share</th>
          </tr>
        </thead>
        <tbody>
          {deployment.variants.map((v) => (
            <tr key={v.variantName}>
              <td>{v.variantName}</td>
              <td>{v.role}</td>
              <td>
                <Link to={`/models/${v.modelId}/versions/${v.version}`}>v{v.version}</Link>
              </td>
              <td>{v.role === 'shadow' ? '—' : v.weight}</td>
              <td>{v.role === 'shadow' ? 'copy of requests' : total > 0 ? `${Math.round((v.weight / total) * 1000) / 10} %` : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** The canary's step, when it may move on, and what its numbers say now (the same metrics the table below shows). */
function CanaryPanel({ deployment, canary }: { deployment: DeploymentRecord; canary: NonNullable<DeploymentRecord['canary']> }) {
  const api = useApi();
  const endpointName = deployment.endpointName;
  const metrics = useQuery({
    queryKey: ['endpoint-metrics', endpointName, deployment.deploymentId],
    queryFn: async () => unwrap(await api.GET('/endpoints/{endpointName}/metrics', { params: { path: { endpointName } } })),
    refetchInterval: 10_000,
  });
  const stats = metrics.data?.variants.find((v) => v.variantName === canary.variantName);
  const verdict = canaryVerdict(canary, stats);
  const step = canary.steps[canary.stepIndex];
  return (
    <section className="canary" aria-labelledby="canary-title">
      <h3 id="canary-title">Canary {canary.variantName}</h3>
      <p role="status">{canaryStatus(canary, deployment.status)}</p>
      <Definition
        items={[
          ['Current step', `${canary.stepIndex + 1} of ${canary.steps.length}: ${step ?? 0} % of traffic`],
          ['Steps', canary.steps.map((s) => `${s} %`).join(' → ')],
          [
            'Next promotion',
            verdict.verdict === 'healthy'
              ? `${formatDate(verdict.nextAt)}, if it stays within bounds`
              : verdict.verdict === 'gathering'
                ? `not before ${formatDate(verdict.nextAt)} (a ${Math.round(canary.bakeSeconds / 60)} min bake), once ${canary.minRequests} requests stay within bounds`
                : 'none: it will be rolled back',
          ],
          [
            'Thresholds',
            `error rate ≤ ${(canary.maxErrorRate * 100).toFixed(1)} %, p99 ≤ ${canary.maxLatencyMs} ms, judged after ${canary.minRequests} requests`,
          ],
          [
            'Verdict',
            <span data-testid="canary-verdict" className={`badge ${verdict.verdict === 'healthy' ? 'good' : verdict.verdict === 'failing' ? 'bad' : 'warn'}`}>
              {verdict.text}
            </span>,
          ],
        ]}
      />
    </section>
  );
}

function VariantMetrics({ endpointName, deploymentId }: { endpointName: string; deploymentId: string }) {
  const api = useApi();
  const metrics = useQuery({
    queryKey: ['endpoint-metrics', endpointName, deploymentId],
    queryFn: async () => unwrap(await api.GET('/endpoints/{endpointName}/metrics', { params: { path: { endpointName } } })),
    refetchInterval: 10_000,
  });
  return (
    <section className="card" aria-labelledby="metrics-title">
      <h2 id="metrics-title">Requests per variant</h2>
      {metrics.isPending ? (
        <Loading what="metrics" />
      ) : metrics.isError ? (
        <ProblemMessage error={metrics.error} />
      ) : metrics.data.variants.length === 0 ? (
        <p className="hint">No request scored yet. Score a row below.</p>
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Variant</th>
              <th scope="col">Requests</th>
              <th scope="col">Errors</th>
              <th scope="col">Error rate</th>
              <th scope="col">p50 latency</th>
              <th scope="col">p99 latency</th>
            </tr>
          </thead>
          <tbody>
            {metrics.data.variants.map((v) => (
              <tr key={v.variantName}>
                <td>{v.variantName}</td>
                <td>{v.requests}</td>
                <td>{v.errors}</td>
                <td>{(v.errorRate * 100).toFixed(1)} %</td>
                <td>{v.p50Ms.toFixed(1)} ms</td>
                <td>{v.p99Ms.toFixed(1)} ms</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** A form of the model's inputs (from its input schema); the answer says which variant and version scored it. */
function TestScoring({ endpointName, deployment }: { endpointName: string; deployment: DeploymentRecord }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const inputs = (deployment.config.productionVariants.find((v) => v.model.ioSchema)?.model.ioSchema?.inputs ?? []) as IoField[];
  const fields = useMemo(() => fieldsFromSchema(scoringRecordSchema(inputs)), [inputs]);
  const [values, setValues] = useState<FormValues>({});
  const score = useMutation({
    mutationFn: async () => {
      const record = bodyFromValues(fields, values);
      // The invocation body is free-form (records, columnar JSON or CSV), so the schema does not type it.
      return unwrap(await api.POST('/endpoints/{endpointName}/invocations', { params: { path: { endpointName } }, body: [record] as never }));
    },
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['endpoint-metrics', endpointName] }),
  });
  return (
    <section className="card" aria-labelledby="score-title">
      <h2 id="score-title">Test scoring</h2>
      {inputs.length === 0 ? (
        <p className="hint">This model declares no input schema, so no form can be built. Score with the API (`POST /endpoints/{endpointName}/invocations`).</p>
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            score.mutate();
          }}
        >
          <div className="form-grid">
            <SchemaFields fields={fields} values={values} onChange={setValues} />
          </div>
          <ProblemMessage error={score.error} title="The row was not scored" />
          <div className="actions">
            <button type="submit" className="primary" disabled={score.isPending}>
              {score.isPending ? 'Scoring…' : 'Score this row'}
            </button>
          </div>
        </form>
      )}
      {score.data ? (
        <div role="status" className="score-result">
          <p>
            Answered by variant <strong>{score.data.variant}</strong>,{' '}
            <Link to={`/models/${score.data.modelId}/versions/${score.data.version}`}>version {score.data.version}</Link>.
          </p>
          <table className="table">
            <caption>Predictions</caption>
            <tbody>
              {score.data.predictions.flatMap((p) =>
                Object.entries(p).map(([k, v]) => (
                  <tr key={`${p.predictionId}-${k}`}>
                    <th scope="row">{k}</th>
                    <td>{typeof v === 'number' ? Number(v.toPrecision(6)) : JSON.stringify(v)}</td>
                  </tr>
                )),
              )}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
