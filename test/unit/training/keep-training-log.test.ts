import type { Log } from '../../../core/ports/log';
import type { TenantObjectStore } from '../../../core/ports/object-store';
import type { TrainingLogSource } from '../../../core/ports/training-log-source';
import type { TenantScope } from '../../../core/tenancy/tenant-scope';
import { keepTrainingLog } from '../../../core/training/keep-training-log';

/** Keeping a finished job's log is best effort and tenant-bound: what a run must never lose over it, and never read for it. */
describe('keepTrainingLog', () => {
  const puts: [string, string][] = [];
  const warnings: string[] = [];
  const log: Log = { debug: () => {}, info: () => {}, error: () => {}, warn: (message) => warnings.push(message) };
  const scope = {
    tenantId: 'tabcdefghjkmnpqr',
    objects: { put: async (key: string, body: string) => void puts.push([key, body]) } as unknown as TenantObjectStore,
  } as TenantScope;
  const job = { modelId: 'm1', runId: 'r1', jobName: 'tabcdefghjkmnpqr-train-0a1b' };
  const asked: { jobName: string; maxBytes: number }[] = [];
  const source = (answer: () => Promise<string | undefined>): TrainingLogSource => ({
    readJobLog: async (jobName, options) => {
      asked.push({ jobName, maxBytes: options.maxBytes });
      return answer();
    },
  });
  beforeEach(() => {
    puts.length = 0;
    warnings.length = 0;
    asked.length = 0;
  });

  it("writes the job's log to the run folder's training.log, asking for the newest 5 MiB", async () => {
    expect(
      await keepTrainingLog(
        scope,
        source(async () => 'line\n'),
        job,
        log,
      ),
    ).toBe(true);
    expect(asked).toEqual([{ jobName: job.jobName, maxBytes: 5 * 1024 * 1024 }]);
    expect(puts).toEqual([['models/m1/runs/r1/training.log', 'line\n']]);
  });

  it('writes nothing when the job left no log, or there is no source', async () => {
    expect(
      await keepTrainingLog(
        scope,
        source(async () => undefined),
        job,
        log,
      ),
    ).toBe(false);
    expect(await keepTrainingLog(scope, undefined, job, log)).toBe(false);
    expect(puts).toEqual([]);
  });

  it('logs a source that fails and returns, never throwing into the run', async () => {
    expect(
      await keepTrainingLog(
        scope,
        source(async () => Promise.reject(new Error('ThrottlingException'))),
        job,
        log,
      ),
    ).toBe(false);
    expect(warnings).toEqual(['training log not kept']);
    expect(puts).toEqual([]);
  });

  it("never reads another tenant's job", async () => {
    expect(
      await keepTrainingLog(
        scope,
        source(async () => 'theirs'),
        { ...job, jobName: 'tzzzzzzzzzzzzzzz-train-0a1b' },
        log,
      ),
    ).toBe(false);
    expect(asked).toEqual([]);
    expect(puts).toEqual([]);
  });
});
