import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import type { Schemas } from '../api/client';
import { unwrap } from '../api/problem';
import { CursorList } from '../components/cursor-list';
import { ProblemMessage } from '../components/problem-message';
import { Definition, EmptyState, formatDate, Loading, PageHeader } from '../components/ui';
import { useApi } from '../session/session';
import { VersionRow } from './catalog-versions';

export function ModelPage() {
  const { modelId = '' } = useParams();
  const api = useApi();
  const model = useQuery({ queryKey: ['model', modelId], queryFn: async () => unwrap(await api.GET('/models/{modelId}', { params: { path: { modelId } } })) });
  if (model.isPending) return <Loading what="the model" />;
  if (model.isError) return <ProblemMessage error={model.error} title="Could not load the model" />;
  const m = model.data;
  const trainLink = `/pipelines/train-evaluate?modelId=${m.modelId}`;
  return (
    <>
      <p className="breadcrumbs">
        <Link to="/models">Models</Link> / {m.name}
      </p>
      <PageHeader
        title={m.name}
        subtitle={m.description}
        actions={
          <Link className="button primary" to={trainLink}>
            Train a new version
          </Link>
        }
      />
      <div className="grid-2">
        <section className="card" aria-labelledby="about-title">
          <h2 id="about-title">About</h2>
          <Definition
            items={[
              ['Type', m.type],
              ['Framework', m.framework],
              ['Owner', m.owner],
              ['Tags', m.tags.join(', ') || '—'],
              ['Registered', `${formatDate(m.createdAt)} by ${m.createdBy}`],
            ]}
          />
        </section>
        <section className="card" aria-labelledby="stages-title">
          <h2 id="stages-title">Champion and challenger</h2>
          <Definition
            items={[
              [
                'Champion',
                m.aliases.champion ? (
                  <Link to={`/models/${m.modelId}/versions/${m.aliases.champion}`}>v{m.aliases.champion}</Link>
                ) : (
                  'none yet (set when a version is deployed)'
                ),
              ],
              ['Challenger', m.aliases.challenger ? <Link to={`/models/${m.modelId}/versions/${m.aliases.challenger}`}>v{m.aliases.challenger}</Link> : 'none'],
              [
                'Inputs',
                `${m.schema.inputs.length} (${m.schema.inputs
                  .slice(0, 4)
                  .map((i) => i.name)
                  .join(', ')}${m.schema.inputs.length > 4 ? '…' : ''})`,
              ],
              ['Outputs', m.schema.outputs.map((o) => o.name).join(', ')],
            ]}
          />
        </section>
      </div>
      <h2>Versions</h2>
      <CursorList<Schemas['ModelVersion']>
        label={`Versions of ${m.name}`}
        queryKey={['model-versions', modelId]}
        fetchPage={async (cursor) =>
          unwrap(await api.GET('/models/{modelId}/versions', { params: { path: { modelId }, query: { limit: 100, ...(cursor ? { cursor } : {}) } } }))
        }
        rowKey={(v) => String(v.version)}
        renderRow={(v) => <VersionRow version={v} />}
        empty={
          <EmptyState title="No versions yet" action={{ to: trainLink, label: 'Train the first version' }}>
            Train a version from a dataset with the train-evaluate pipeline.
          </EmptyState>
        }
      />
    </>
  );
}
