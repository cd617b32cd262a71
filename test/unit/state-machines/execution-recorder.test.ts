import type { ScopedTable, ScopedWrite } from '../../../core/adapters/dynamodb/scoped-table';
import { StaleWrite } from '../../../core/errors';
import type { ExecutionRecord } from '../../../core/pipelines/execution-log';
import { type EngineEvent, ExecutionRecorder } from '../../../state-machines/execution-recorder';

function fakeTable(fail?: (writes: readonly ScopedWrite[]) => Error | undefined) {
  const writes: ScopedWrite[][] = [];
  const table = {
    transact: jest.fn(async (batch: readonly ScopedWrite[]) => {
      const error = fail?.(batch);
      if (error) throw error;
      writes.push([...batch]);
    }),
  } as unknown as ScopedTable;
  const events = () =>
    writes
      .flat()
      .filter((w) => w.kind === 'put' && w.key.sort.startsWith('EVENT#'))
      .map((w) => (w as { item: Record<string, unknown> }).item);
  return { table, writes, events };
}

const record: ExecutionRecord = {
  executionId: '01JTEST',
  pipeline: 'p',
  name: '01JTEST',
  status: 'RUNNING',
  actor: 'user:1',
  input: {},
  startedAt: '2025-01-01T00:00:00.000Z',
  updatedAt: '2025-01-01T00:00:00.000Z',
  revision: 1,
};
const log = { debug: jest.fn(), info: jest.fn(), warn: jest.fn(), error: jest.fn() };
const state = (name: string, type = 'Task') => ({ name, type, input: {} }) as never;
const t0 = Date.parse('2025-01-01T00:00:01.000Z');

describe('ExecutionRecorder', () => {
  it('records transitions in order, timing each Task attempt from its entry or last retry', async () => {
    const { table, events } = fakeTable();
    const recorder = new ExecutionRecorder(table, record, log, jest.fn());
    const feed: EngineEvent[] = [
      { type: 'ExecutionStarted', timestamp: t0, input: {} },
      { type: 'StateEntered', timestamp: t0, state: state('Train') },
      { type: 'StateFailed', timestamp: t0 + 100, state: state('Train'), Error: 'DependencyFailed', Cause: new Error('socket hang up') },
      { type: 'StateRetried', timestamp: t0 + 1100, state: state('Train'), retry: { retrier: { ErrorEquals: ['DependencyFailed'] }, attempt: 1 } },
      { type: 'StateExited', timestamp: t0 + 1400, state: state('Train') },
      { type: 'StateEntered', timestamp: t0 + 1400, state: state('Route', 'Choice') },
      { type: 'StateExited', timestamp: t0 + 1401, state: state('Route', 'Choice') },
      { type: 'ExecutionSucceeded', timestamp: t0 + 1402, output: { ok: true } },
    ];
    for (const event of feed) await recorder.handle(event);

    expect(events()).toEqual([
      { seq: 1, type: 'StateEntered', at: '2025-01-01T00:00:01.000Z', state: 'Train', stateType: 'Task' },
      {
        seq: 2,
        type: 'StateFailed',
        at: '2025-01-01T00:00:01.100Z',
        state: 'Train',
        stateType: 'Task',
        durationMs: 100,
        error: 'DependencyFailed',
        cause: 'socket hang up',
      },
      { seq: 3, type: 'StateRetried', at: '2025-01-01T00:00:02.100Z', state: 'Train', stateType: 'Task', attempt: 1 },
      { seq: 4, type: 'StateExited', at: '2025-01-01T00:00:02.400Z', state: 'Train', stateType: 'Task', durationMs: 300 },
      { seq: 5, type: 'StateEntered', at: '2025-01-01T00:00:02.400Z', state: 'Route', stateType: 'Choice' },
      { seq: 6, type: 'StateExited', at: '2025-01-01T00:00:02.401Z', state: 'Route', stateType: 'Choice' },
      { seq: 7, type: 'ExecutionSucceeded', at: '2025-01-01T00:00:02.402Z' },
    ]);
    expect(recorder.current).toMatchObject({
      status: 'SUCCEEDED',
      currentState: 'Route',
      output: { ok: true },
      stoppedAt: '2025-01-01T00:00:02.402Z',
      revision: 4,
    });
  });

  it('stops writing and aborts the execution when another process changed the record', async () => {
    const { table, events } = fakeTable((batch) => (batch.length > 1 ? new StaleWrite('changed') : undefined));
    const onDetached = jest.fn();
    const recorder = new ExecutionRecorder(table, record, log, onDetached);
    await recorder.handle({ type: 'StateEntered', timestamp: t0, state: state('Hold', 'Wait') });
    await recorder.handle({ type: 'StateExited', timestamp: t0 + 5, state: state('Hold', 'Wait') });
    expect(onDetached).toHaveBeenCalledTimes(1);
    expect(recorder.detached).toBe(true);
    expect(events()).toEqual([]);
  });

  it('keeps recording when one write fails for a transient reason', async () => {
    let failures = 1;
    const { table, events } = fakeTable(() => (failures-- > 0 ? new Error('throttled') : undefined));
    const recorder = new ExecutionRecorder(table, record, log, jest.fn());
    await recorder.handle({ type: 'StateEntered', timestamp: t0, state: state('A', 'Pass') });
    await recorder.handle({ type: 'ExecutionFailed', timestamp: t0 + 1, Error: 'States.Runtime', Cause: 'boom' });
    expect(events().map((e) => e.type)).toEqual(['ExecutionFailed']);
    expect(recorder.current).toMatchObject({ status: 'FAILED', error: 'States.Runtime', cause: 'boom' });
    expect(log.error).toHaveBeenCalled();
  });
});
