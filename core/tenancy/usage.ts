import type { ScopedTable, ScopedWrite } from '../adapters/dynamodb/scoped-table';
import { QuotaExceeded } from '../errors';
import type { PlanQuotas, QuotaName } from './plans';

export interface Usage {
  readonly models: number;
  readonly versions: number;
  readonly storageBytes: number;
}

const USAGE_KEY = { partition: ['USAGE'], sort: 'META' };

export async function readUsage(table: ScopedTable): Promise<Usage> {
  const item = (await table.get<Partial<Usage>>(USAGE_KEY)) ?? {};
  return { models: item.models ?? 0, versions: item.versions ?? 0, storageBytes: item.storageBytes ?? 0 };
}

/**
 * The counter write that consumes `amount` of a quota, to join the same
 * transaction as the change that uses it: the transaction fails (QuotaExceeded)
 * instead of going past the plan, with no read-then-write race.
 */
export function consumeQuota(quotas: PlanQuotas, quota: QuotaName, amount: number): ScopedWrite {
  return { kind: 'increment', key: USAGE_KEY, attribute: quota, by: amount, atMost: quotas[quota] };
}

export function releaseQuota(quota: QuotaName, amount: number): ScopedWrite {
  return { kind: 'increment', key: USAGE_KEY, attribute: quota, by: -amount };
}

export function assertWithin(quotas: PlanQuotas, quota: QuotaName, current: number, adding: number): void {
  if (current + adding > quotas[quota]) throw new QuotaExceeded(quota, quotas[quota]);
}
