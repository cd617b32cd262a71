import { z } from 'zod';
import type { MetadataTable, ScopedWrite } from '../ports/metadata-store';
import { TTL_ATTRIBUTE } from '../storage/table-design';
import { emailKey } from './secrets';

export const LOCKOUT_THRESHOLD = 5;
export const LOCKOUT_MINUTES = 15;

const StateSchema = z.object({ lockedUntil: z.string().optional(), since: z.string().default('0') });
export type FailureState = z.infer<typeof StateSchema>;

/**
 * Failed sign-ins per email, known or not (an unknown email is counted and
 * locked exactly like a real one, so neither reveals which emails exist).
 * Failures are counted with the store's atomic add, so N parallel guesses
 * count N. A counter belongs to a period (`since`): a lock that expires, or a
 * successful sign-in, starts a new period and so a fresh count.
 */
export class SignInFailures {
  constructor(private readonly table: MetadataTable) {}

  private static stateKey(email: string) {
    return { partition: ['SIGNIN-FAILURES', emailKey(email)], sort: 'STATE' };
  }

  private static countKey(email: string, since: string) {
    return { partition: ['SIGNIN-FAILURES', emailKey(email)], sort: `COUNT#${since}` };
  }

  async state(email: string): Promise<FailureState> {
    const item = await this.table.get(SignInFailures.stateKey(email), { consistent: true });
    return StateSchema.parse(item ?? {});
  }

  static lockedAt(state: FailureState, now: Date): boolean {
    return state.lockedUntil !== undefined && Date.parse(state.lockedUntil) > now.getTime();
  }

  /** The period failures now count into: an expired lock ends its period, so the count starts again from zero. */
  static periodOf(state: FailureState, now: Date): string {
    return state.lockedUntil && !SignInFailures.lockedAt(state, now) ? state.lockedUntil : state.since;
  }

  /** Adds one failure to the current period; returns the period's count after it. */
  async count(email: string, state: FailureState, now: Date): Promise<number> {
    const ref = SignInFailures.countKey(email, SignInFailures.periodOf(state, now));
    const count = await this.table.adjust(ref, 'count', 1);
    if (count === 1) await this.table.patch(ref, { [TTL_ATTRIBUTE]: Math.floor(now.getTime() / 1000) + 7 * 86_400 });
    return count;
  }

  /** Locks the email until `until`; joins the transaction of its audit event. */
  lock(email: string, until: Date, since: string): ScopedWrite {
    return { kind: 'put', key: SignInFailures.stateKey(email), item: { entity: 'sign-in-failures', lockedUntil: until.toISOString(), since }, expect: 'any' };
  }

  /** A successful sign-in starts a new period. */
  reset(email: string, now: Date): ScopedWrite {
    return { kind: 'put', key: SignInFailures.stateKey(email), item: { entity: 'sign-in-failures', since: now.toISOString() }, expect: 'any' };
  }
}
