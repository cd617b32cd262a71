import * as fs from 'node:fs';
import * as path from 'node:path';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { SqliteStore } from '../../../core/adapters/sqlite/sqlite-store';
import { StepFunctionsRunner } from '../../../core/adapters/sfn/step-functions-runner';
import { getExecution, listExecutions } from '../../../core/pipelines/execution-log';
import { executionProgress } from '../../../core/pipelines/execution-progress';
import { recordStatusChange, type RecorderPlatform } from '../../../functions/execution-recorder/handler';

/**
 * The AWS path of execution records: the Step Functions runner records the
 * start (and the tenant of the execution), the recorder Lambda turns Step
 * Functions' status-change events into the same execution log the local
 * runner writes. Real event shape (test/fixtures/step-functions), real store
 * (embedded SQLite); only the Step Functions control plane is mocked.
 */
const ACME = 'tabcdefghjkmnpqr';
const OTHER = 'tzyxwvtsrqpnmkjh';
const TRAIN = 'arn:aws:states:eu-west-1:123456789012:stateMachine:steward-train-evaluate';
const BATCH = 'arn:aws:states:eu-west-1:123456789012:stateMachine:steward-batch-score';
const MACHINES = { 'train-evaluate': TRAIN, 'batch-score': BATCH };
const FIXTURE = fs.readFileSync(path.join(__dirname, '../../fixtures/step-functions/execution-status-change.json'), 'utf8');

type Detail = Record<string, unknown>;
function statusEvent(executionName: string, tenantId: string, detail: Detail = {}): { detail: Detail } & Record<string, unknown> {
  const event = JSON.parse(FIXTURE.replaceAll('EXECUTION_NAME', executionName).replaceAll('TENANT_ID', tenantId));
  return { ...event, detail: { ...event.detail, ...detail } };
}

describe('execution records on AWS (Step Functions runner + status-change recorder)', () => {
  const sfn = mockClient(SFNClient);
  let store: SqliteStore;
  let platform: RecorderPlatform;
  let runner: StepFunctionsRunner;
  const log = { debug: jest.fn(), info: jest.fn(), warn: jest.fn(), error: jest.fn() };
  const now = () => new Date('2026-12-06T03:10:00.000Z');

  beforeEach(() => {
    sfn.reset();
    sfn.on(StartExecutionCommand).callsFake((input: { stateMachineArn: string; name: string }) => ({
      executionArn: `${input.stateMachineArn.replace(':stateMachine:', ':execution:')}:${input.name}`,
      startDate: now(),
    }));
    store = new SqliteStore({ path: ':memory:', ttlSweepMs: 0 });
    platform = { log, tenantTable: (t) => store.tenant(t), platformTable: () => store.platform() };
    runner = new StepFunctionsRunner(new SFNClient({ region: 'eu-west-1' }), MACHINES, () => ({ ...platform, now }));
  });
  afterEach(() => store.close());
  afterAll(() => sfn.restore());

  it('names the Step Functions execution after the platform id, so two tenants may use one run name; the same tenant gets the first back', async () => {
    const acme = await runner.start({ tenantId: ACME, pipeline: 'train-evaluate', input: { modelId: 'm' }, actor: 'user:u1', name: 'nightly' });
    const other = await runner.start({ tenantId: OTHER, pipeline: 'train-evaluate', input: { modelId: 'n' }, actor: 'user:u2', name: 'nightly' });
    expect(acme.executionId).toMatch(/^[0-9a-z]{26}$/);
    expect(other.executionId).not.toBe(acme.executionId);
    expect(sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 2);
    const sent = sfn.commandCalls(StartExecutionCommand).map((call) => call.args[0].input);
    expect(sent[0]).toEqual({
      stateMachineArn: TRAIN,
      name: acme.executionId,
      input: JSON.stringify({ modelId: 'm', context: { tenantId: ACME, actor: 'user:u1', executionId: acme.executionId } }),
    });
    expect(sent[1]).toMatchObject({ stateMachineArn: TRAIN, name: other.executionId });

    // Each tenant's record holds its own name; nobody's name reached Step Functions.
    expect((await getExecution(store.tenant(ACME), acme.executionId)).execution).toMatchObject({
      name: 'nightly',
      status: 'RUNNING',
      actor: 'user:u1',
      input: { modelId: 'm' },
    });
    expect((await getExecution(store.tenant(OTHER), other.executionId)).execution).toMatchObject({ name: 'nightly', status: 'RUNNING' });
    await expect(getExecution(store.tenant(OTHER), acme.executionId)).rejects.toMatchObject({ name: 'NotFound' });

    // The same tenant, the same name: the first execution, marked existing, and nothing started.
    await expect(runner.start({ tenantId: ACME, pipeline: 'train-evaluate', input: { modelId: 'm' }, actor: 'user:u1', name: 'nightly' })).resolves.toEqual({
      executionId: acme.executionId,
      startedAt: acme.startedAt,
      existing: true,
    });
    expect(sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 2);
    // The name is per pipeline too.
    await expect(
      runner.start({ tenantId: ACME, pipeline: 'batch-score', input: { jobId: 'j' }, actor: 'user:u1', name: 'nightly' }),
    ).resolves.not.toHaveProperty('existing');
  });

  it('records a start Step Functions refused as FAILED, and refuses unknown pipelines and bad names before writing', async () => {
    sfn.on(StartExecutionCommand).rejects(new Error('Rate exceeded'));
    await expect(runner.start({ tenantId: ACME, pipeline: 'train-evaluate', input: {}, actor: 'user:u1' })).rejects.toMatchObject({ name: 'DependencyFailed' });
    const [record] = (await listExecutions(store.tenant(ACME))).items;
    expect(record).toMatchObject({ status: 'FAILED', error: 'States.StartFailed', cause: 'Step Functions did not start the execution: Rate exceeded' });
    await expect(runner.start({ tenantId: ACME, pipeline: 'nope', input: {}, actor: 'user:u1' })).rejects.toMatchObject({ name: 'NotFound' });
    await expect(runner.start({ tenantId: ACME, pipeline: 'train-evaluate', input: {}, actor: 'user:u1', name: 'no spaces' })).rejects.toMatchObject({
      name: 'ValidationFailed',
    });
    expect((await listExecutions(store.tenant(ACME))).items).toHaveLength(1);
  });

  it('ends the record from a SUCCEEDED event, once: a redelivery and a late RUNNING change nothing', async () => {
    const { executionId } = await runner.start({
      tenantId: ACME,
      pipeline: 'train-evaluate',
      input: { modelId: '01jd0000000000000000000000', target: 'benign' },
      actor: 'user:u1',
    });
    const running = statusEvent(executionId, ACME, { status: 'RUNNING', stopDate: null, output: null, outputDetails: null });
    await expect(recordStatusChange(platform, MACHINES, running)).resolves.toBe('unchanged');
    await expect(recordStatusChange(platform, MACHINES, statusEvent(executionId, ACME))).resolves.toBe('stopped');
    await expect(recordStatusChange(platform, MACHINES, statusEvent(executionId, ACME))).resolves.toBe('unchanged');
    await expect(recordStatusChange(platform, MACHINES, running)).resolves.toBe('unchanged');

    const { execution, events } = await getExecution(store.tenant(ACME), executionId);
    expect(execution).toMatchObject({
      status: 'SUCCEEDED',
      stoppedAt: '2026-12-06T03:10:05.000Z',
      output: { decision: { outcome: 'approved' } },
      actor: 'user:u1',
    });
    expect(events.map((e) => [e.seq, e.type])).toEqual([
      [0, 'ExecutionStarted'],
      [1, 'ExecutionSucceeded'],
    ]);
    expect(executionProgress(execution, events, now())).toMatchObject({ durationMs: 5000 });
  });

  it('records each delivery of a racing pair once', async () => {
    const { executionId } = await runner.start({ tenantId: ACME, pipeline: 'train-evaluate', input: {}, actor: 'user:u1' });
    const failed = statusEvent(executionId, ACME, { status: 'FAILED', output: null, error: 'ValidationFailed', cause: 'no such dataset' });
    const outcomes = await Promise.all([recordStatusChange(platform, MACHINES, failed), recordStatusChange(platform, MACHINES, failed)]);
    expect(outcomes.sort()).toEqual(['stopped', 'unchanged']);
    const { execution, events } = await getExecution(store.tenant(ACME), executionId);
    expect(execution).toMatchObject({ status: 'FAILED', error: 'ValidationFailed', cause: 'no such dataset' });
    expect(events.map((e) => e.type)).toEqual(['ExecutionStarted', 'ExecutionFailed']);
  });

  it('takes the tenant from the mapping stored at start, not from what the input claims', async () => {
    const { executionId } = await runner.start({ tenantId: ACME, pipeline: 'train-evaluate', input: {}, actor: 'user:u1' });
    // An input naming another tenant (it cannot happen through the runner, which writes `context` itself) is not believed.
    await expect(recordStatusChange(platform, MACHINES, statusEvent(executionId, OTHER))).resolves.toBe('stopped');
    expect((await getExecution(store.tenant(ACME), executionId)).execution.status).toBe('SUCCEEDED');
    expect((await listExecutions(store.tenant(OTHER))).items).toEqual([]);
    // The mapping names the pipeline too: the same name on another machine is not this execution.
    const elsewhere = statusEvent(executionId, ACME, {
      stateMachineArn: BATCH,
      executionArn: `${BATCH.replace(':stateMachine:', ':execution:')}:${executionId}`,
    });
    await expect(recordStatusChange(platform, MACHINES, elsewhere)).resolves.toBe('ignored');
  });

  it('creates the record of an execution started outside the API (a schedule) from its context, even when the end arrives first', async () => {
    const name = '5f0c1d2e-8a5b-4c55-9a3e-1b2c3d4e5f60';
    const arn = `${BATCH.replace(':stateMachine:', ':execution:')}:${name}`;
    const input = JSON.stringify({ context: { tenantId: ACME, actor: 'system:scheduler' }, scheduled: { scheduleId: 's1', slot: '2026-12-06T03:00:00Z' } });
    const base = { stateMachineArn: BATCH, executionArn: arn, input, output: null };
    await expect(recordStatusChange(platform, MACHINES, statusEvent(name, ACME, { ...base, status: 'TIMED_OUT' }))).resolves.toBe('created-and-stopped');
    await expect(recordStatusChange(platform, MACHINES, statusEvent(name, ACME, { ...base, status: 'RUNNING', stopDate: null }))).resolves.toBe('unchanged');
    const { execution, events } = await getExecution(store.tenant(ACME), name);
    expect(execution).toMatchObject({
      pipeline: 'batch-score',
      name,
      status: 'FAILED',
      error: 'States.Timeout',
      actor: 'system:scheduler',
      input: { scheduled: { scheduleId: 's1' } },
      startedAt: '2026-12-06T03:10:00.000Z',
    });
    expect(execution.input).not.toHaveProperty('context');
    expect(events.map((e) => e.type)).toEqual(['ExecutionStarted', 'ExecutionTimedOut']);

    const aborted = 'run-aborted-1';
    await recordStatusChange(
      platform,
      MACHINES,
      statusEvent(aborted, ACME, {
        stateMachineArn: BATCH,
        executionArn: `${BATCH.replace(':stateMachine:', ':execution:')}:${aborted}`,
        status: 'RUNNING',
        stopDate: null,
      }),
    );
    expect((await getExecution(store.tenant(ACME), aborted)).execution.status).toBe('RUNNING');
    await recordStatusChange(
      platform,
      MACHINES,
      statusEvent(aborted, ACME, { stateMachineArn: BATCH, executionArn: `${BATCH.replace(':stateMachine:', ':execution:')}:${aborted}`, status: 'ABORTED' }),
    );
    expect((await getExecution(store.tenant(ACME), aborted)).execution).toMatchObject({ status: 'ABORTED', error: 'States.Aborted' });
  });

  it('ignores what is not a Steward run: other machines, Distributed Map children, no known tenant, malformed events', async () => {
    const child = 'c0ffee00-0000-4000-8000-000000000001';
    const cases = [
      statusEvent('x1', ACME, {
        stateMachineArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:someone-else',
        executionArn: 'arn:aws:states:eu-west-1:123456789012:execution:someone-else:x1',
      }),
      statusEvent(child, ACME, {
        stateMachineArn: `${BATCH}/ScorePartitions`,
        executionArn: `arn:aws:states:eu-west-1:123456789012:execution:steward-batch-score/ScorePartitions:${child}`,
      }),
      statusEvent('x2', ACME, { input: JSON.stringify({ jobId: 'j' }) }),
      statusEvent('x3', 'not-a-tenant'),
      { source: 'aws.states', 'detail-type': 'Step Functions Execution Status Change', detail: { name: 'x4' } },
    ];
    for (const event of cases) await expect(recordStatusChange(platform, MACHINES, event)).resolves.toBe('ignored');
    expect((await listExecutions(store.tenant(ACME))).items).toEqual([]);
  });
});
