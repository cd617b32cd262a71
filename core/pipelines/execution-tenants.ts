import type { MetadataTable } from '../ports/metadata-store';
import { assertTenantId } from '../storage/keys';

/**
 * Which tenant an execution belongs to, kept in the control plane when the
 * platform starts it (partition `P#EXECUTION-TENANT#<executionId>`): the
 * Step Functions execution name is the platform's execution id, so the
 * recorder fed by Step Functions events (functions/execution-recorder/) finds
 * the tenant from the name alone, whatever the execution input says. Holds
 * ids only, no tenant data.
 */
export interface ExecutionTenant {
  readonly executionId: string;
  readonly tenantId: string;
  readonly pipeline: string;
  readonly actor: string;
}

const keyOf = (executionId: string) => ({ partition: ['EXECUTION-TENANT', executionId], sort: 'TENANT' }) as const;

export async function rememberExecutionTenant(platformTable: MetadataTable, entry: ExecutionTenant): Promise<void> {
  assertTenantId(entry.tenantId);
  await platformTable.transact([{ kind: 'put', key: keyOf(entry.executionId), item: { ...entry }, expect: 'new' }]);
}

export async function executionTenantOf(platformTable: MetadataTable, executionId: string): Promise<ExecutionTenant | undefined> {
  return platformTable.get<ExecutionTenant>(keyOf(executionId), { consistent: true });
}
