import { useQuery } from '@tanstack/react-query';
import { unwrap } from '../api/problem';
import { ProblemMessage } from '../components/problem-message';
import { labelOf } from '../lib/schema-form';
import { Definition, Loading, PageHeader, StatusBadge } from '../components/ui';
import { useApi } from '../session/session';

export function TenantPage() {
  const api = useApi();
  const tenant = useQuery({ queryKey: ['tenant'], queryFn: async () => unwrap(await api.GET('/tenant')) });
  if (tenant.isPending) return <Loading what="your plan" />;
  if (tenant.isError) return <ProblemMessage error={tenant.error} />;
  const t = tenant.data.tenant;
  const quotas = tenant.data.quotas as Record<string, unknown>;
  const usage = tenant.data.usage as Record<string, unknown>;
  return (
    <>
      <PageHeader title="Plan and usage" subtitle={t.name} />
      <section className="card">
        <Definition
          items={[
            ['Plan', t.plan],
            ['Status', <StatusBadge key="s" status={t.status} />],
            ...Object.keys({ ...quotas, ...usage }).map((k): [string, string] => [
              labelOf(k),
              `${usage[k] === undefined ? '—' : shown(usage[k])} of ${quotas[k] === undefined ? 'no limit' : shown(quotas[k])}`,
            ]),
          ]}
        />
      </section>
    </>
  );
}

function shown(value: unknown): string {
  return typeof value === 'number' || typeof value === 'string' ? String(value) : JSON.stringify(value);
}
