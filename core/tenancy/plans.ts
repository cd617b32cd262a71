import { z } from 'zod';

export const PLAN_NAMES = ['free', 'standard', 'enterprise'] as const;
export const PlanNameSchema = z.enum(PLAN_NAMES);
export type PlanName = z.infer<typeof PlanNameSchema>;

export interface PlanQuotas {
  readonly models: number;
  readonly versions: number;
  readonly storageBytes: number;
  /** Sustained API requests per second for the whole tenant (burst = 2×). */
  readonly apiRatePerSecond: number;
}

const GiB = 1024 ** 3;

export const PLANS: Readonly<Record<PlanName, PlanQuotas>> = {
  free: { models: 10, versions: 200, storageBytes: 1 * GiB, apiRatePerSecond: 20 },
  standard: { models: 1_000, versions: 100_000, storageBytes: 200 * GiB, apiRatePerSecond: 200 },
  enterprise: { models: 100_000, versions: 10_000_000, storageBytes: 10_240 * GiB, apiRatePerSecond: 5_000 },
};

/** Usage counters kept per tenant and checked atomically against the plan. */
export type QuotaName = 'models' | 'versions' | 'storageBytes';
