import { ValidationFailed } from '../../../core/errors';
import { assertTimeZone, fireTimesBetween, nextFireAfter, parseScheduleExpression } from '../../../core/schedules/schedule-expression';

const at = (iso: string) => new Date(iso);

describe('schedule expressions (EventBridge syntax, run by croner)', () => {
  it('counts rate slots from the anchor, the first one period after it', () => {
    const timing = { expression: 'rate(15 minutes)', timeZone: 'UTC', anchorAt: '2026-12-06T10:07:00.000Z' };
    expect(nextFireAfter(timing, at('2026-12-06T10:06:59.999Z'))?.toISOString()).toBe('2026-12-06T10:22:00.000Z');
    expect(nextFireAfter(timing, at('2026-12-06T10:22:00.000Z'))?.toISOString()).toBe('2026-12-06T10:37:00.000Z');
    expect(fireTimesBetween(timing, at('2026-12-06T10:00:00Z'), at('2026-12-06T11:00:00Z')).map((d) => d.toISOString())).toEqual([
      '2026-12-06T10:22:00.000Z',
      '2026-12-06T10:37:00.000Z',
      '2026-12-06T10:52:00.000Z',
    ]);
    expect(parseScheduleExpression('rate(1 day)')).toEqual({ kind: 'rate', periodMs: 86_400_000 });
  });

  it('reads cron weekdays as EventBridge does (1 = SUN) and keeps wall-clock time across a DST change', () => {
    // 2027-03-28: Paris moves from UTC+1 to UTC+2. Weekdays MON-FRI = 2-6.
    const timing = { expression: 'cron(0 9 ? * 2-6 *)', timeZone: 'Europe/Paris', anchorAt: '2027-01-01T00:00:00Z' };
    expect(fireTimesBetween(timing, at('2027-03-25T00:00:00Z'), at('2027-03-30T00:00:00Z')).map((d) => d.toISOString())).toEqual([
      '2027-03-25T08:00:00.000Z', // Thu, UTC+1
      '2027-03-26T08:00:00.000Z', // Fri
      '2027-03-29T07:00:00.000Z', // Mon, UTC+2
    ]);
    const named = { ...timing, expression: 'cron(0 9 ? * MON-FRI *)' };
    expect(nextFireAfter(named, at('2027-03-26T09:00:00Z'))?.toISOString()).toBe('2027-03-29T07:00:00.000Z');
  });

  it('reads `a/b` steps, L and a fixed year', () => {
    const quarter = { expression: 'cron(5/15 * * * ? *)', timeZone: 'UTC', anchorAt: '2026-01-01T00:00:00Z' };
    expect(fireTimesBetween(quarter, at('2026-12-06T10:00:00Z'), at('2026-12-06T10:59:59Z')).map((d) => d.toISOString().slice(11, 16))).toEqual([
      '10:05',
      '10:20',
      '10:35',
      '10:50',
    ]);
    const lastDay = { expression: 'cron(0 0 L * ? *)', timeZone: 'UTC', anchorAt: '2026-01-01T00:00:00Z' };
    expect(nextFireAfter(lastDay, at('2027-02-01T00:00:00Z'))?.toISOString()).toBe('2027-02-28T00:00:00.000Z');
    const once = { expression: 'cron(0 12 1 1 ? 2027)', timeZone: 'UTC', anchorAt: '2026-01-01T00:00:00Z' };
    expect(nextFireAfter(once, at('2026-12-06T00:00:00Z'))?.toISOString()).toBe('2027-01-01T12:00:00.000Z');
    expect(nextFireAfter(once, at('2027-01-02T00:00:00Z'))).toBeUndefined();
  });

  it.each([
    ['cron(61 * * * ? *)', /minute/i],
    ['cron(0 12 * * * *)', /exactly one of day-of-month and day-of-week/],
    ['cron(0 12 ? * ? *)', /exactly one of day-of-month and day-of-week/],
    ['cron(0 12 * *)', /6 fields/],
    ['rate(0 hours)', /at least 1/],
    ['rate(5 seconds)', /neither rate/],
    ['at(2027-01-01T00:00:00)', /neither rate/],
  ])('refuses %s naming the field', (expression, problem) => {
    let error: unknown;
    try {
      parseScheduleExpression(expression, 'body.expression');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationFailed);
    expect((error as ValidationFailed).fields).toEqual([{ field: 'body.expression', problem: expect.stringMatching(problem) }]);
  });

  it('accepts IANA zones and refuses others', () => {
    expect(assertTimeZone('America/New_York')).toBe('America/New_York');
    expect(() => assertTimeZone('Mars/Olympus_Mons', 'body.timeZone')).toThrow(ValidationFailed);
    expect(() => assertTimeZone('UTC+25')).toThrow(ValidationFailed);
  });
});
