import { useQuery } from '@tanstack/react-query';
import type { Schemas } from '../api/client';
import { unwrap } from '../api/problem';
import { CursorList } from '../components/cursor-list';
import { EmptyState, PageHeader } from '../components/ui';
import { useApi } from '../session/session';
import { VersionRow } from './catalog-versions';

/**
 * What waits for a decision: versions pending approval. Gates, policies and "mine
 * only" arrive with the governance API; today the decision is made on the version page.
 */
export function ApprovalsPage() {
  const api = useApi();
  const me = useQuery({ queryKey: ['me'], queryFn: async () => unwrap(await api.GET('/me')) });
  const canDecide = me.data?.roles.includes('approver');
  return (
    <>
      <PageHeader
        title="Approvals"
        subtitle={canDecide ? 'Versions waiting for an approver. Open one to check its evaluation and decide.' : 'Versions waiting for an approver. Your roles let you follow them, not decide.'}
      />
      <CursorList<Schemas['ModelVersion']>
        label="Versions pending approval"
        queryKey={['versions', { status: 'pending-approval' }]}
        fetchPage={async (cursor) => unwrap(await api.GET('/versions', { params: { query: { status: 'pending-approval', limit: 100, ...(cursor ? { cursor } : {}) } } }))}
        rowKey={(v) => `${v.modelId}/${v.version}`}
        renderRow={(v) => <VersionRow version={v} />}
        empty={<EmptyState title="Nothing waits for approval">When a pipeline run's policy asks for a person, the version appears here.</EmptyState>}
      />
    </>
  );
}
