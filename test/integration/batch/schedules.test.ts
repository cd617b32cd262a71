import { Cron } from 'croner';
import { LocalScheduler } from '../../../core/schedules/local-scheduler';
import { openScheduledJob, schedulerScope } from '../../../core/schedules/scheduled-batch-job';
import { bootApi, onboardTenant, type OnboardedTenant } from '../../support/api-client';
import { approvedBreastCancerVersion, FEATURE_HEADER, SAMPLE_ROWS, waitForJob } from './batch-fixtures';

const MINUTE = 60_000;

describe('schedules that run batch jobs, fired by the local scheduler', () => {
  // The platform's clock: real time plus an offset the test moves forward.
  let offset = 0;
  const now = () => new Date(Date.now() + offset);
  let ctx: Awaited<ReturnType<typeof bootApi>>;
  let acme: OnboardedTenant;
  let model: Awaited<ReturnType<typeof approvedBreastCancerVersion>>;
  const schedulers: LocalScheduler[] = [];
  const scheduler = () => {
    const s = new LocalScheduler(ctx.platform, { pollMs: 50, graceMs: 10 * MINUTE });
    schedulers.push(s);
    return s;
  };

  beforeAll(async () => {
    ctx = await bootApi({ now });
    acme = await onboardTenant(ctx.api, ctx.adminToken, 'Acme Schedules');
    model = await approvedBreastCancerVersion(ctx.api, ctx.platform, acme);
    const rows = SAMPLE_ROWS.slice(0, 20).map((cells) => cells.slice(0, 30).join(','));
    await ctx.platform.tenantObjects(acme.tenantId).put('nightly/in/part-0.csv', `${FEATURE_HEADER}\n${rows.join('\n')}\n`, 'text/csv');
  }, 180_000);

  afterAll(async () => {
    for (const s of schedulers) await s.stop();
    await ctx?.local.close();
  });

  const call = (token: string, method: string, path: string, body?: unknown) => ctx.api.call(method, path, { token, ...(body !== undefined ? { body } : {}) });
  const job = () => ({
    model: { modelId: model.modelId, version: model.version },
    input: { kind: 'prefix', prefix: 'nightly/in/' },
    outputPrefix: 'nightly/out/',
  });
  const jobsOf = async (scheduleId: string) => {
    const res = await call(acme.tokens.viewer, 'GET', '/batch-jobs?limit=100');
    return (res.body.items as Array<{ jobId: string; schedule?: { scheduleId: string; slot: string } }>).filter((j) => j.schedule?.scheduleId === scheduleId);
  };

  it('fires a rate schedule on time, once per slot, across a restart and with two schedulers on one store', async () => {
    const deployer = acme.tokens.deployer;
    const created = await call(deployer, 'POST', '/schedules', { name: 'nightly-scores', expression: 'rate(5 minutes)', timeZone: 'Europe/Paris', job: job() });
    expect(created.status).toBe(201);
    const { scheduleId, anchorAt } = created.body;
    const slot1 = new Date(Date.parse(anchorAt) + 5 * MINUTE).toISOString();
    const slot2 = new Date(Date.parse(anchorAt) + 10 * MINUTE).toISOString();
    expect(created.body).toMatchObject({ enabled: true, timeZone: 'Europe/Paris', nextFireAt: slot1, createdBy: `user:${acme.userIds.deployer}` });

    // Not before its time.
    const first = scheduler();
    offset += 5 * MINUTE - 2000 - (Date.now() - Date.parse(anchorAt));
    expect(await first.tick()).toEqual([]);

    // On time: the slot's job, started by the scheduler, scored.
    offset += 3000;
    const fired = await first.tick();
    expect(fired.map((f) => [f.scheduleId, f.slot, f.result.outcome])).toEqual([[scheduleId, slot1, 'opened']]);
    let jobs = await jobsOf(scheduleId);
    expect(jobs).toHaveLength(1);
    const done = await waitForJob(ctx.api, acme.tokens.viewer, jobs[0].jobId);
    expect(done.body).toMatchObject({
      status: 'succeeded',
      createdBy: 'system:scheduler',
      schedule: { scheduleId, slot: slot1 },
      progress: { rowsIn: 20, rowsOut: 20 },
    });
    expect(done.body.lineage.edges).toContainEqual({ from: `schedule:${scheduleId}`, to: `batch-job:${jobs[0].jobId}`, relation: 'started' });

    // Restart: the first scheduler stops; a new one on the same store sees slot 1 (still within its grace) and does not fire it again.
    await first.stop();
    const second = scheduler();
    expect((await second.tick()).map((f) => f.result.outcome)).toEqual(['duplicate']);
    expect(await jobsOf(scheduleId)).toHaveLength(1);

    // Slot 2, with two schedulers ticking at once: one job.
    offset += 5 * MINUTE;
    const third = scheduler();
    const [a, b] = await Promise.all([second.tick(), third.tick()]);
    // (The new one also retries slot 1, within its grace: refused by the claim.)
    expect([...a, ...b].filter((f) => f.slot === slot1).map((f) => f.result.outcome)).toEqual(['duplicate']);
    expect(
      [...a, ...b]
        .filter((f) => f.slot === slot2)
        .map((f) => f.result.outcome)
        .sort(),
    ).toEqual(['duplicate', 'opened']);
    jobs = await jobsOf(scheduleId);
    expect(jobs.map((j) => j.schedule!.slot).sort()).toEqual([slot1, slot2]);
    await waitForJob(ctx.api, acme.tokens.viewer, jobs.find((j) => j.schedule!.slot === slot2)!.jobId);

    // The polling loop fires by itself, once the clock reaches slot 3.
    await second.stop();
    await third.stop();
    const polling = scheduler().start();
    offset += 5 * MINUTE;
    const deadline = Date.now() + 10_000;
    while ((await jobsOf(scheduleId)).length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await polling.stop();
    expect((await jobsOf(scheduleId)).map((j) => j.schedule!.slot).sort()).toEqual([slot1, slot2, new Date(Date.parse(anchorAt) + 15 * MINUTE).toISOString()]);

    // Disabled: no next fire time and nothing fires.
    const disabled = await call(deployer, 'PATCH', `/schedules/${scheduleId}`, { enabled: false, revision: created.body.revision });
    expect(disabled.status).toBe(200);
    expect(disabled.body.nextFireAt).toBeUndefined();
    offset += 5 * MINUTE;
    expect(await scheduler().tick()).toEqual([]);
    expect(await jobsOf(scheduleId)).toHaveLength(3);

    const audit = await call(acme.tokens.viewer, 'GET', `/audit/events?targetType=schedule&targetId=${scheduleId}&limit=10`);
    expect([...audit.body.items].reverse().map((e: { action: string }) => e.action)).toEqual(['schedule.created', 'schedule.updated']);
  }, 120_000);

  it('starts the job of a slot whose claiming process stopped before starting it, once', async () => {
    const created = await call(acme.tokens.deployer, 'POST', '/schedules', { name: 'interrupted', expression: 'rate(1 hour)', job: job() });
    const { scheduleId, anchorAt } = created.body;
    const slot = new Date(Date.parse(anchorAt) + 60 * MINUTE).toISOString();
    // A scheduler claims the slot and records the job, then dies before starting it.
    const scope = await schedulerScope(ctx.platform, acme.tenantId, scheduleId, slot);
    const claimed = await openScheduledJob(scope, scheduleId, slot);
    expect(claimed.outcome).toBe('opened');
    expect((await jobsOf(scheduleId)).map((j) => (j as { status?: string }).status)).toEqual(['queued']);
    // The next scheduler finds the slot claimed and its job queued: it starts that job, and creates none.
    offset += 60 * MINUTE + 1000 - (now().getTime() - Date.parse(anchorAt));
    const [a, b] = await Promise.all([scheduler().tick(), scheduler().tick()]);
    expect([...a, ...b].filter((f) => f.scheduleId === scheduleId).map((f) => f.result.outcome)).toEqual(['duplicate', 'duplicate']);
    const jobs = await jobsOf(scheduleId);
    expect(jobs).toHaveLength(1);
    const done = await waitForJob(ctx.api, acme.tokens.viewer, jobs[0].jobId);
    expect(done.body).toMatchObject({ status: 'succeeded', schedule: { scheduleId, slot } });
    const executions = await call(acme.tokens.viewer, 'GET', '/executions?pipeline=batch-score&limit=100');
    expect(executions.body.items.filter((e: { name?: string }) => e.name === `batch-${jobs[0].jobId}`)).toHaveLength(1);
  }, 60_000);

  it('runs the AWS path locally: batch-score started with a slot (as EventBridge Scheduler starts it) claims it once', async () => {
    const created = await call(acme.tokens.deployer, 'POST', '/schedules', { name: 'eventbridge-path', expression: 'rate(1 day)', job: job() });
    expect(created.status).toBe(201);
    const { scheduleId } = created.body;
    // EventBridge substitutes <aws.scheduler.scheduled-time> without milliseconds; deliveries are at least once.
    const slot = '2026-12-24T06:00:00Z';
    const deliver = async () => {
      const started = await ctx.platform.pipelines.start({
        tenantId: acme.tenantId,
        pipeline: 'batch-score',
        actor: 'system:scheduler',
        input: { scheduled: { scheduleId, slot } },
      });
      const runId = started.executionId.slice(started.executionId.lastIndexOf(':') + 1);
      for (let i = 0; i < 600; i++) {
        const res = await call(acme.tokens.viewer, 'GET', `/executions/${runId}`);
        if (res.body.status !== 'RUNNING') return res.body;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`batch-score ${runId} still running`);
    };
    const first = await deliver();
    expect(first).toMatchObject({ status: 'SUCCEEDED', currentState: 'Done' });
    const again = await deliver();
    expect(again).toMatchObject({ status: 'SUCCEEDED', currentState: 'AlreadyFired' });
    expect(again.output.opened).toEqual({ outcome: 'duplicate' });
    const jobs = await jobsOf(scheduleId);
    expect(jobs.map((j) => j.schedule!.slot)).toEqual(['2026-12-24T06:00:00.000Z']);
    const done = await waitForJob(ctx.api, acme.tokens.viewer, jobs[0].jobId);
    expect(done.body).toMatchObject({ status: 'succeeded', createdBy: 'system:scheduler', progress: { rowsOut: 20 } });
  }, 60_000);

  it('computes cron fire times in the schedule’s time zone, EventBridge syntax', async () => {
    const res = await call(acme.tokens.deployer, 'POST', '/schedules', {
      name: 'weekday-morning',
      expression: 'cron(30 7 ? * MON-FRI *)',
      timeZone: 'America/New_York',
      job: job(),
    });
    expect(res.status).toBe(201);
    // Independently: croner in standard 5-field syntax, weekdays 1-5.
    const expected = new Cron('30 7 * * 1-5', { timezone: 'America/New_York' }).nextRun(now())!;
    expect(res.body.nextFireAt).toBe(expected.toISOString());
    const quarter = await call(acme.tokens.deployer, 'POST', '/schedules', {
      name: 'quarter-hourly',
      expression: 'cron(0/15 * * * ? *)',
      timeZone: 'UTC',
      job: job(),
      enabled: false,
    });
    expect(quarter.status).toBe(201);
    const moved = await call(acme.tokens.deployer, 'PATCH', `/schedules/${quarter.body.scheduleId}`, { enabled: true });
    const next = Date.parse(moved.body.nextFireAt);
    expect(next % (15 * MINUTE)).toBe(0);
    expect(next - now().getTime()).toBeLessThanOrEqual(15 * MINUTE);
    expect((await call(acme.tokens.deployer, 'DELETE', `/schedules/${quarter.body.scheduleId}`)).status).toBe(204);
    expect((await call(acme.tokens.viewer, 'GET', `/schedules/${quarter.body.scheduleId}`)).status).toBe(404);
    const listed = await call(acme.tokens.viewer, 'GET', '/schedules');
    expect(listed.body.items.map((s: { name: string }) => s.name)).toEqual(expect.arrayContaining(['nightly-scores', 'weekday-morning']));
    expect(listed.body.items.map((s: { name: string }) => s.name)).not.toContain('quarter-hourly');
  });

  it('guards edits and deletes with expectedRevision: a stale one is a 412 and changes nothing; each change is audited', async () => {
    const deployer = acme.tokens.deployer;
    const created = await call(deployer, 'POST', '/schedules', { name: 'hourly-edit', expression: 'rate(1 hour)', timeZone: 'UTC', job: job() });
    const { scheduleId } = created.body;
    const edited = await call(deployer, 'PATCH', `/schedules/${scheduleId}`, {
      expression: 'cron(0 6 * * ? *)',
      timeZone: 'Europe/Paris',
      expectedRevision: 1,
    });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ expression: 'cron(0 6 * * ? *)', timeZone: 'Europe/Paris', revision: 2 });
    const stale = await call(deployer, 'PATCH', `/schedules/${scheduleId}`, { enabled: false, expectedRevision: 1 });
    expect(stale.status).toBe(412);
    expect((await call(deployer, 'DELETE', `/schedules/${scheduleId}?expectedRevision=1`)).status).toBe(412);
    expect((await call(acme.tokens.viewer, 'GET', `/schedules/${scheduleId}`)).body).toMatchObject({ enabled: true, revision: 2 });
    const badTarget = await call(deployer, 'PATCH', `/schedules/${scheduleId}`, {
      job: { ...job(), model: { modelId: model.modelId, version: 77 } },
      expectedRevision: 2,
    });
    expect(badTarget.status).toBe(400);
    expect(badTarget.body.invalidFields.map((f: { field: string }) => f.field)).toEqual(['body.job.model.version']);
    expect((await call(deployer, 'DELETE', `/schedules/${scheduleId}?expectedRevision=2`)).status).toBe(204);
    const audit = await call(acme.tokens.viewer, 'GET', `/audit/events?targetType=schedule&targetId=${scheduleId}&limit=10`);
    expect([...audit.body.items].reverse().map((e: { action: string }) => e.action)).toEqual(['schedule.created', 'schedule.updated', 'schedule.deleted']);
  });

  it('refuses malformed expressions, unknown time zones and bad job templates with a 400 naming the field', async () => {
    const ids = async () =>
      (await call(acme.tokens.viewer, 'GET', '/schedules?limit=100')).body.items.map((s: { scheduleId: string; revision: number }) => [
        s.scheduleId,
        s.revision,
      ]);
    const before = await ids();
    const refused = async (body: Record<string, unknown>) => {
      const res = await call(acme.tokens.deployer, 'POST', '/schedules', { name: 'bad', expression: 'rate(1 hour)', job: job(), ...body });
      expect(res.status).toBe(400);
      return res.body.invalidFields.map((f: { field: string }) => f.field);
    };
    expect(await refused({ expression: 'cron(61 * * * ? *)' })).toEqual(['body.expression']);
    expect(await refused({ expression: 'cron(0 12 * * * *)' })).toEqual(['body.expression']);
    expect(await refused({ expression: 'cron(0 12 * *)' })).toEqual(['body.expression']);
    expect(await refused({ expression: 'every day' })).toEqual(['body.expression']);
    expect(await refused({ expression: 'rate(0 minutes)' })).toEqual(['body.expression']);
    expect(await refused({ timeZone: 'Mars/Olympus_Mons' })).toEqual(['body.timeZone']);
    expect(await refused({ job: { ...job(), model: { modelId: model.modelId, version: 77 } } })).toEqual(['body.job.model.version']);
    expect(await ids()).toEqual(before);
    expect((await call(acme.tokens.viewer, 'POST', '/schedules', { name: 'x', expression: 'rate(1 hour)', job: job() })).status).toBe(403);
  });
});
