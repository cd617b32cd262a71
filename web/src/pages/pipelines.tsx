import { useMutation, useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import type { paths, Schemas } from '../api/client';

type PipelineBody = paths['/pipelines/train-evaluate/executions']['post']['requestBody']['content']['application/json'];
import { unwrap } from '../api/problem';
import { CursorList } from '../components/cursor-list';
import { ProblemMessage } from '../components/problem-message';
import { EmptyState, formatDate, Loading, PageHeader, StatusBadge } from '../components/ui';
import { alternativeKey, bodyFromValues, type FormField, type FormValues, fieldsFromSchema, type JsonSchema } from '../lib/schema-form';
import { pipelineTemplates } from '../lib/pipeline-templates';
import { API_BASE, useApi } from '../session/session';

/** The OpenAPI document, read once: pipeline templates and their parameters come from it. */
function useOpenApi() {
  return useQuery({
    queryKey: ['openapi'],
    staleTime: Number.POSITIVE_INFINITY,
    queryFn: async () => {
      const res = await fetch(`${API_BASE}/openapi.json`);
      if (!res.ok) throw new Error(`the API description could not be read (HTTP ${res.status})`);
      return (await res.json()) as { paths: Record<string, Record<string, unknown>>; components?: { schemas?: Record<string, JsonSchema> } };
    },
  });
}

export function PipelinesPage() {
  const api = useApi();
  const doc = useOpenApi();
  const templates = doc.data ? pipelineTemplates(doc.data) : [];
  return (
    <>
      <PageHeader title="Pipelines" subtitle="Start a run from a template; follow it state by state." />
      <section aria-labelledby="templates-title">
        <h2 id="templates-title">Templates</h2>
        {doc.isPending ? <Loading what="templates" /> : doc.isError ? <ProblemMessage error={doc.error} /> : null}
        <div className="cards">
          {templates.map((t) => (
            <article key={t.name} className="card">
              <h3>{t.name}</h3>
              <p>{t.summary}</p>
              <Link className="button primary" to={`/pipelines/${t.name}`}>
                Start {t.name}
              </Link>
            </article>
          ))}
        </div>
      </section>
      <h2>Runs</h2>
      <CursorList<Schemas['ExecutionSummary']>
        label="Pipeline runs"
        queryKey={['executions']}
        fetchPage={async (cursor) => unwrap(await api.GET('/executions', { params: { query: { limit: 100, ...(cursor ? { cursor } : {}) } } }))}
        rowKey={(e) => e.executionId}
        renderRow={(e) => (
          <Link className="row-link" to={`/executions/${e.executionId}`}>
            <span className="row-title">
              {e.pipeline} <StatusBadge status={e.status} />
            </span>
            <span className="row-meta">
              {formatDate(e.startedAt)} · by {e.actor}
              {e.currentState ? ` · at ${e.currentState}` : ''}
              {e.error ? ` · ${e.error}` : ''}
            </span>
          </Link>
        )}
        empty={<EmptyState title="No runs yet">Start one from a template above: it trains, evaluates and registers a model version.</EmptyState>}
      />
    </>
  );
}

export function StartPipelinePage() {
  const { pipeline = '' } = useParams();
  const [search] = useSearchParams();
  const api = useApi();
  const navigate = useNavigate();
  const doc = useOpenApi();
  const template = doc.data ? pipelineTemplates(doc.data).find((t) => t.name === pipeline) : undefined;
  const fields = useMemo(() => (template ? fieldsFromSchema(template.body, doc.data?.components?.schemas ?? {}) : []), [template, doc.data]);
  const [values, setValues] = useState<FormValues>(() => {
    const modelId = search.get('modelId');
    const initial: FormValues = modelId ? { modelId } : {};
    return initial;
  });
  const run = useMutation({
    mutationFn: async () => {
      const body = bodyFromValues(fields, values);
      // Any template the document lists; its body was built from that template's own schema, and the API checks it again.
      const path = template!.path as '/pipelines/train-evaluate/executions';
      const started = unwrap(await api.POST(path, { body: body as PipelineBody }));
      void navigate(`/executions/${started.executionId}`);
    },
  });
  if (doc.isPending) return <Loading what="the template" />;
  if (doc.isError) return <ProblemMessage error={doc.error} />;
  if (!template) return <EmptyState title={`No pipeline template named ${pipeline}`} action={{ to: '/pipelines', label: 'See the templates' }} />;
  return (
    <>
      <p className="breadcrumbs">
        <Link to="/pipelines">Pipelines</Link> / {pipeline}
      </p>
      <PageHeader title={`Start ${pipeline}`} subtitle={template.summary.split(';')[0]} />
      <form
        className="card"
        onSubmit={(e) => {
          e.preventDefault();
          run.mutate();
        }}
      >
        <SchemaFields fields={fields} values={values} onChange={setValues} />
        <ProblemMessage error={run.error} title="The run did not start" />
        <button type="submit" className="primary" disabled={run.isPending}>
          {run.isPending ? 'Starting…' : 'Start run'}
        </button>
      </form>
    </>
  );
}

/** Renders fields built from a JSON Schema; catalog references (model, dataset) become pickers. */
export function SchemaFields({ fields, values, onChange }: { fields: readonly FormField[]; values: FormValues; onChange: (v: FormValues) => void }) {
  return (
    <>
      {fields.map((f) => (
        <SchemaField key={f.path} field={f} values={values} onChange={onChange} />
      ))}
    </>
  );
}

function SchemaField({ field, values, onChange }: { field: FormField; values: FormValues; onChange: (v: FormValues) => void }) {
  const id = `f-${field.path.replace(/\./g, '-')}`;
  const set = (value: string | boolean) => onChange({ ...values, [field.path]: value });
  const text = typeof values[field.path] === 'string' ? (values[field.path] as string) : '';
  const hint = field.description ? (
    <small id={`${id}-hint`} className="hint">
      {field.description}
    </small>
  ) : null;
  const described = field.description ? `${id}-hint` : undefined;
  const label = (
    <label htmlFor={id}>
      {field.label}
      {field.required ? '' : ' (optional)'}
    </label>
  );
  if (field.path === 'modelId' || field.path.endsWith('.datasetId')) {
    return (
      <div className="field">
        {label}
        <CatalogPicker id={id} kind={field.path === 'modelId' ? 'model' : 'dataset'} value={text} onChange={set} required={field.required} />
        {hint}
      </div>
    );
  }
  switch (field.kind) {
    case 'group':
      return (
        <fieldset className="group">
          <legend>{field.label}</legend>
          <SchemaFields fields={field.fields} values={values} onChange={onChange} />
        </fieldset>
      );
    case 'alternatives': {
      const chosen = Number(values[alternativeKey(field.path)] ?? 0);
      return (
        <fieldset className="group">
          <legend>{field.label}</legend>
          <div role="radiogroup" aria-label={`${field.label}: kind`} className="toolbar">
            {field.alternatives.map((a, i) => (
              <label key={a.label} className="radio">
                <input
                  type="radio"
                  name={alternativeKey(field.path)}
                  checked={chosen === i}
                  onChange={() => onChange({ ...values, [alternativeKey(field.path)]: String(i) })}
                />{' '}
                {a.label}
              </label>
            ))}
          </div>
          <SchemaFields fields={field.alternatives[chosen]?.fields ?? []} values={values} onChange={onChange} />
        </fieldset>
      );
    }
    case 'boolean':
      return (
        <div className="field checkbox">
          <input id={id} type="checkbox" checked={values[field.path] === true} onChange={(e) => set(e.target.checked)} aria-describedby={described} />
          {label}
          {hint}
        </div>
      );
    case 'choice':
      return (
        <div className="field">
          {label}
          <select id={id} value={text} onChange={(e) => set(e.target.value)} required={field.required} aria-describedby={described}>
            <option value="">{field.required ? 'Choose…' : 'Default'}</option>
            {field.options.map((o) => (
              <option key={o}>{o}</option>
            ))}
          </select>
          {hint}
        </div>
      );
    case 'number':
      return (
        <div className="field">
          {label}
          <input
            id={id}
            type="number"
            step={field.step}
            min={field.min}
            max={field.max}
            value={text}
            onChange={(e) => set(e.target.value)}
            required={field.required}
            aria-describedby={described}
          />
          {hint}
        </div>
      );
    case 'list':
      return (
        <div className="field">
          {label}
          <textarea id={id} rows={2} value={text} onChange={(e) => set(e.target.value)} required={field.required} aria-describedby={`${id}-list-hint`} />
          <small id={`${id}-list-hint`} className="hint">
            Comma separated.{field.description ? ` ${field.description}` : ''}
          </small>
        </div>
      );
    default:
      return (
        <div className="field">
          {label}
          {field.multiline ? (
            <textarea id={id} rows={3} value={text} onChange={(e) => set(e.target.value)} required={field.required} aria-describedby={described} />
          ) : (
            <input
              id={id}
              value={text}
              onChange={(e) => set(e.target.value)}
              required={field.required}
              maxLength={field.maxLength}
              aria-describedby={described}
            />
          )}
          {hint}
        </div>
      );
  }
}

function CatalogPicker({
  id,
  kind,
  value,
  onChange,
  required,
}: {
  id: string;
  kind: 'model' | 'dataset';
  value: string;
  onChange: (v: string) => void;
  required: boolean;
}) {
  const api = useApi();
  const options = useQuery({
    queryKey: [kind, 'picker'],
    queryFn: async () =>
      kind === 'model'
        ? unwrap(await api.GET('/models', { params: { query: { limit: 100 } } })).items.map((m) => ({ id: m.modelId, label: m.name }))
        : unwrap(await api.GET('/datasets', { params: { query: { limit: 100 } } })).items.map((d) => ({
            id: d.datasetId,
            label: `${d.name} (latest v${d.latestVersion})`,
          })),
  });
  return (
    <select id={id} value={value} onChange={(e) => onChange(e.target.value)} required={required}>
      <option value="">{options.isPending ? 'Loading…' : `Choose a ${kind}`}</option>
      {options.data?.map((o) => (
        <option key={o.id} value={o.id}>
          {o.label}
        </option>
      ))}
    </select>
  );
}
