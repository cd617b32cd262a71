import type { MetadataTable } from '../ports/metadata-store';

/**
 * A control-plane index of executions the local runner has in flight:
 * partition `P#RUNNING-EXECUTIONS`, one item per execution (tenant id and
 * execution id only, no tenant data). At start-up the runner reads it with a
 * Query, not a Scan, to find executions a killed process left RUNNING.
 * Local mode only: on AWS, Step Functions itself keeps executions alive.
 */
export interface RunningExecution {
  readonly tenantId: string;
  readonly executionId: string;
  readonly pipeline: string;
  readonly startedAt: string;
  /** The runner instance that owns it (process id and a random id), for diagnosis. */
  readonly owner: string;
}

const PARTITION = ['RUNNING-EXECUTIONS'] as const;
const sortOf = (entry: Pick<RunningExecution, 'tenantId' | 'executionId'>) => `${entry.tenantId}#${entry.executionId}`;

export async function markRunning(platformTable: MetadataTable, entry: RunningExecution): Promise<void> {
  await platformTable.transact([{ kind: 'put', key: { partition: PARTITION, sort: sortOf(entry) }, item: { ...entry } }]);
}

export async function clearRunning(platformTable: MetadataTable, entry: Pick<RunningExecution, 'tenantId' | 'executionId'>): Promise<void> {
  await platformTable.transact([{ kind: 'delete', key: { partition: PARTITION, sort: sortOf(entry) } }]);
}

export async function listRunning(platformTable: MetadataTable): Promise<RunningExecution[]> {
  const all: RunningExecution[] = [];
  let cursor: string | undefined;
  do {
    const page = await platformTable.query<RunningExecution>({ partition: PARTITION, limit: 100, cursor, consistent: true });
    all.push(...page.items);
    cursor = page.cursor;
  } while (cursor);
  return all;
}
