import { RateLimited } from '../errors';
import { type MetadataTable, QuotaCeiling } from '../ports/metadata-store';
import { TTL_ATTRIBUTE } from '../storage/table-design';
import { sha256Hex } from './secrets';

/** The routes anyone may call, each limited per client IP and per account it names. */
export type PublicAction = 'sign-in' | 'sign-up' | 'accept-invitation';

interface Limit {
  readonly perIp: number;
  readonly perAccount: number;
  readonly windowSeconds: number;
}

/**
 * Ceilings per fixed window. Per IP they bound what one client can make the
 * platform do (scrypt costs ~100 ms and 128 MiB per sign-in); per account they
 * bound guessing against one email (beside the lockout) and mail sent to one
 * address (sign-up notices), whoever sends the requests.
 */
export const PUBLIC_LIMITS: Readonly<Record<PublicAction, Limit>> = {
  'sign-in': { perIp: 120, perAccount: 30, windowSeconds: 600 },
  'sign-up': { perIp: 60, perAccount: 5, windowSeconds: 3600 },
  'accept-invitation': { perIp: 60, perAccount: 10, windowSeconds: 600 },
};

/**
 * Counts one request against its per-IP and per-account windows, atomically in
 * the control-plane table, so the limit holds across processes (every Lambda
 * instance, or the one local process). Refuses with RateLimited, naming when
 * to retry. The account is hashed: the counters name no email.
 */
export async function takePublicLimit(table: MetadataTable, action: PublicAction, subject: { ip?: string; account: string }, now: Date): Promise<void> {
  const limit = PUBLIC_LIMITS[action];
  const seconds = Math.floor(now.getTime() / 1000);
  const windowStart = seconds - (seconds % limit.windowSeconds);
  const retryAfter = Math.max(1, windowStart + limit.windowSeconds - seconds);
  const counters = [
    ['ip', subject.ip ?? 'unknown', limit.perIp],
    ['account', subject.account.trim().toLowerCase(), limit.perAccount],
  ] as const;
  await Promise.all(
    counters.map(async ([kind, value, ceiling]) => {
      const ref = { partition: ['LIMIT', action, kind, sha256Hex(value).slice(0, 32)], sort: String(windowStart) };
      try {
        const count = await table.adjust(ref, 'count', 1, ceiling);
        // The first request of a window lets the store forget the counter a day after it ends.
        if (count === 1) await table.patch(ref, { [TTL_ATTRIBUTE]: windowStart + limit.windowSeconds + 86_400 });
      } catch (error) {
        if (error instanceof QuotaCeiling) throw new RateLimited(retryAfter, { cause: error });
        throw error;
      }
    }),
  );
}
