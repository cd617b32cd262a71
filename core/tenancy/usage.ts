import type { MetadataTable, ScopedWrite } from '../ports/metadata-store';
import { QuotaExceeded } from '../errors';
import type { PlanQuotas, QuotaName } from './plans';

export interface Usage {
  readonly models: number;
  readonly versions: number;
  readonly storageBytes: number;
}

const USAGE_KEY = { partition: ['USAGE'], sort: 'META' };

export async function readUsage(table: MetadataTable): Promise<Usage> {
  const item = (await table.get<Partial<Usage>>(USAGE_KEY)) ?? {};
  return { models: item.models ?? 0, versions: item.versions ?? 0, storageBytes: item.storageBytes ?? 0 };
}

/**
 * Reserves `amount` of a quota before the change that uses it, exactly (no
 * read-then-write race) and without a hot item inside every transaction. The
 * caller runs the change and calls the returned release if it fails.
 */
export async function reserveQuota(table: MetadataTable, quotas: PlanQuotas, quota: QuotaName, amount: number): Promise<() => Promise<void>> {
  try {
    await table.adjust(USAGE_KEY, quota, amount, quotas[quota]);
  } catch (error) {
    if (error instanceof QuotaExceeded) throw new QuotaExceeded(quota, quotas[quota], { cause: error });
    throw error;
  }
  return async () => {
    await table.adjust(USAGE_KEY, quota, -amount);
  };
}

/**
 * The reservation as a write of the change's own transaction, for stores that
 * apply transactions one at a time (`table.serialisesTransactions`): nothing
 * to give back when the change fails, one transaction instead of two. A
 * refusal surfaces as QuotaExceeded (QuotaCeiling) from the transaction.
 */
export function quotaReservationWrite(quotas: PlanQuotas, quota: QuotaName, amount: number): ScopedWrite {
  return { kind: 'add', key: USAGE_KEY, attribute: quota, by: amount, atMost: quotas[quota] };
}

export function assertWithin(quotas: PlanQuotas, quota: QuotaName, current: number, adding: number): void {
  if (current + adding > quotas[quota]) throw new QuotaExceeded(quota, quotas[quota]);
}

/** Gives back `amount` reserved earlier by a change that has since ended without its release at hand (an expired staged upload). */
export async function releaseQuota(table: MetadataTable, quota: QuotaName, amount: number): Promise<void> {
  await table.adjust(USAGE_KEY, quota, -amount);
}
