import { Cron } from 'croner';
import { ValidationFailed } from '../errors';

/**
 * Schedule expressions in EventBridge Scheduler's own syntax, so the string a
 * tenant saves is the string CreateSchedule receives on AWS and the string
 * the local scheduler runs:
 * - `rate(<n> minute|minutes|hour|hours|day|days)`: every n units from the
 *   schedule's anchor (its creation, or the last change of its expression);
 * - `cron(<minutes> <hours> <day-of-month> <month> <day-of-week> <year>)`:
 *   one of day-of-month/day-of-week is `?`, weekdays are 1-7 = SUN-SAT (or
 *   names), `L`, `W` and `#` as EventBridge reads them. Evaluated by croner
 *   (Quartz weekday numbering) in the schedule's IANA time zone.
 */
export type ParsedExpression = { readonly kind: 'rate'; readonly periodMs: number } | { readonly kind: 'cron'; readonly pattern: string };

const RATE = /^rate\((\d{1,6}) (minute|minutes|hour|hours|day|days)\)$/;
const CRON = /^cron\((.+)\)$/;
const UNIT_MS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };
/** Largest value of each EventBridge cron field, for `a/b` (which croner spells `a-max/b`). */
const FIELD_MAX = [59, 23, 31, 12, 7, 2199];
const FIELD_NAMES = ['minutes', 'hours', 'day-of-month', 'month', 'day-of-week', 'year'];

function invalid(field: string, problem: string): ValidationFailed {
  return new ValidationFailed(`invalid schedule: ${problem}`, [{ field, problem }]);
}

/** @throws ValidationFailed naming `field` */
export function parseScheduleExpression(text: string, field = 'body.expression'): ParsedExpression {
  const expression = text.trim();
  const rate = RATE.exec(expression);
  if (rate) {
    const value = Number(rate[1]);
    if (value < 1) throw invalid(field, 'a rate is at least 1');
    const unit = rate[2].replace(/s$/, '');
    return { kind: 'rate', periodMs: value * UNIT_MS[unit] };
  }
  const cron = CRON.exec(expression);
  if (!cron) throw invalid(field, `'${expression}' is neither rate(<n> <unit>) nor cron(<6 fields>)`);
  const fields = cron[1].trim().split(/\s+/);
  if (fields.length !== 6) throw invalid(field, `cron needs 6 fields (minutes hours day-of-month month day-of-week year), got ${fields.length}`);
  const [, , dom, , dow] = fields;
  if ((dom === '?') === (dow === '?')) throw invalid(field, 'exactly one of day-of-month and day-of-week must be ?');
  const translated = fields.map((f, i) => {
    if (f === '?') return '*';
    // EventBridge's `5/15` (from 5, every 15) is croner's `5-59/15`.
    return f.replace(/^(\d+)\/(\d+)$/, (_, start: string, step: string) => `${start}-${FIELD_MAX[i]}/${step}`);
  });
  const pattern = `0 ${translated.join(' ')}`;
  try {
    new Cron(pattern, { paused: true, mode: '7-part', alternativeWeekdays: true });
  } catch (error) {
    const reason = (error as Error).message.replace(/^CronPattern: /, '');
    const named = FIELD_NAMES.find((n) => reason.toLowerCase().includes(n.replace(/-/g, ' ')) || reason.toLowerCase().includes(n));
    throw invalid(field, `${reason}${named ? '' : ` in '${expression}'`}`);
  }
  return { kind: 'cron', pattern };
}

/** @throws ValidationFailed naming `field` when the name is not an IANA time zone this runtime knows */
export function assertTimeZone(timeZone: string, field = 'body.timeZone'): string {
  try {
    // Intl refuses unknown zones with a RangeError; croner would silently run in UTC.
    new Intl.DateTimeFormat('en-US', { timeZone }).format(0);
  } catch {
    throw invalid(field, `'${timeZone}' is not an IANA time zone (e.g. Europe/Paris, UTC)`);
  }
  return timeZone;
}

export interface ScheduleTiming {
  readonly expression: string;
  readonly timeZone: string;
  /** Where rate schedules count from. */
  readonly anchorAt: string;
}

/** The first fire time strictly after `after`, or undefined when the expression has no more (a past year). */
export function nextFireAfter(timing: ScheduleTiming, after: Date): Date | undefined {
  const parsed = parseScheduleExpression(timing.expression);
  if (parsed.kind === 'rate') {
    const anchor = Date.parse(timing.anchorAt);
    // The first slot is one period after the anchor, as EventBridge counts from creation.
    const periods = Math.max(1, Math.floor((after.getTime() - anchor) / parsed.periodMs) + 1);
    return new Date(anchor + periods * parsed.periodMs);
  }
  const cron = new Cron(parsed.pattern, { paused: true, mode: '7-part', alternativeWeekdays: true, timezone: timing.timeZone });
  return cron.nextRun(after) ?? undefined;
}

/** Fire times in (from, to], oldest first, at most `limit`. */
export function fireTimesBetween(timing: ScheduleTiming, from: Date, to: Date, limit = 100): Date[] {
  const out: Date[] = [];
  let at = nextFireAfter(timing, from);
  while (at && at.getTime() <= to.getTime() && out.length < limit) {
    out.push(at);
    at = nextFireAfter(timing, at);
  }
  return out;
}
