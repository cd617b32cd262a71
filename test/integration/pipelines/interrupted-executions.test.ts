import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { getExecution } from '../../../core/pipelines/execution-log';
import { listRunning, markRunning } from '../../../core/pipelines/running-executions';
import { createLocalPlatform } from '../../../infra/local/local-platform';
import { testPlatform } from '../../support/test-platform';
import { randomTenantId } from '../../fixtures/pipelines/tenants';

/** test/fixtures/pipelines/definitions/hold.asl.json waits five minutes: an execution that is surely still running. */
const FIXTURE_DEFINITIONS = join(__dirname, '..', '..', 'fixtures', 'pipelines', 'definitions');

async function eventually(check: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('executions that outlive their runner', () => {
  let base: Awaited<ReturnType<typeof testPlatform>>;

  beforeAll(async () => {
    base = await testPlatform();
  });

  afterAll(async () => {
    await base?.close();
  });

  async function startHolding(local: Awaited<ReturnType<typeof createLocalPlatform>>, tenantId: string): Promise<string> {
    const { executionId } = await local.platform.pipelines.start({ tenantId, pipeline: 'hold', actor: 'user:ops-1', input: { note: 'hold' } });
    await eventually(async () => (await getExecution(base.platform.tenantTable(tenantId), executionId)).execution.currentState === 'Hold');
    return executionId;
  }

  it('marks an execution a killed process left RUNNING as FAILED with States.Interrupted at the next start', async () => {
    const tenantId = randomTenantId();
    const dying = await createLocalPlatform(base.settings, { definitionsDir: FIXTURE_DEFINITIONS });
    const executionId = await startHolding(dying, tenantId);
    expect((await listRunning(base.platform.platformTable())).map((r) => r.executionId)).toContain(executionId);

    // The process is killed (no close()); the next start-up on the same data recovers.
    const restarted = await createLocalPlatform(base.settings, { definitionsDir: FIXTURE_DEFINITIONS });
    try {
      const { execution, events } = await getExecution(base.platform.tenantTable(tenantId), executionId);
      expect(execution).toMatchObject({ status: 'FAILED', error: 'States.Interrupted', currentState: 'Hold' });
      expect(execution.cause).toMatch(/stopped before it finished/);
      expect(events.map((e) => e.type)).toEqual(['ExecutionStarted', 'StateEntered', 'ExecutionInterrupted']);
      expect(events.at(-1)).toMatchObject({ seq: 2, error: 'States.Interrupted' });
      expect((await listRunning(base.platform.platformTable())).map((r) => r.executionId)).not.toContain(executionId);

      // The old runner, still holding the execution in memory, cannot overwrite the verdict.
      await dying.close();
      expect((await getExecution(base.platform.tenantTable(tenantId), executionId)).execution.status).toBe('FAILED');
    } finally {
      await dying.close();
      await restarted.close();
    }
  });

  it('close() aborts running executions and records them ABORTED, leaving nothing to recover', async () => {
    const tenantId = randomTenantId();
    const local = await createLocalPlatform(base.settings, { definitionsDir: FIXTURE_DEFINITIONS });
    const executionId = await startHolding(local, tenantId);
    const started = Date.now();
    await local.close();
    expect(Date.now() - started).toBeLessThan(5_000);

    const { execution, events } = await getExecution(base.platform.tenantTable(tenantId), executionId);
    expect(execution).toMatchObject({ status: 'ABORTED', error: 'States.Aborted' });
    expect(events.at(-1)).toMatchObject({ type: 'ExecutionAborted' });
    expect((await listRunning(base.platform.platformTable())).map((r) => r.executionId)).not.toContain(executionId);
    await expect(local.platform.pipelines.start({ tenantId, pipeline: 'hold', actor: 'user:ops-1', input: {} })).rejects.toThrow('shutting down');
  });

  it('leaves an execution owned by another live process of the machine alone, and recovers it once that process is gone', async () => {
    const tenantId = randomTenantId();
    const first = await createLocalPlatform(base.settings, { definitionsDir: FIXTURE_DEFINITIONS });
    const executionId = await startHolding(first, tenantId);
    // The running entry as another process (a second `npm start` on the same data) would have written it.
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
    const exited = new Promise((resolve) => other.once('exit', resolve));
    const [entry] = (await listRunning(base.platform.platformTable())).filter((r) => r.executionId === executionId);
    await markRunning(base.platform.platformTable(), { ...entry, owner: `pid ${other.pid}/0a1b2c3d` });
    try {
      const second = await createLocalPlatform(base.settings, { definitionsDir: FIXTURE_DEFINITIONS });
      await second.close();
      // Starting (and stopping) another process changed nothing of the live one's run.
      expect((await getExecution(base.platform.tenantTable(tenantId), executionId)).execution.status).toBe('RUNNING');
      expect((await listRunning(base.platform.platformTable())).map((r) => r.executionId)).toContain(executionId);

      other.kill('SIGKILL');
      await exited;
      const third = await createLocalPlatform(base.settings, { definitionsDir: FIXTURE_DEFINITIONS });
      await third.close();
      const { execution } = await getExecution(base.platform.tenantTable(tenantId), executionId);
      expect(execution).toMatchObject({ status: 'FAILED', error: 'States.Interrupted' });
      expect(execution.cause).toContain(`pid ${other.pid}/`);
    } finally {
      other.kill('SIGKILL');
      await first.close();
    }
  });
});
