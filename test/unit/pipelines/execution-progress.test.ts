import type { ExecutionRecord, TransitionEvent } from '../../../core/pipelines/execution-log';
import { executionProgress } from '../../../core/pipelines/execution-progress';

const at = (s: number) => new Date(Date.UTC(2025, 0, 1, 0, 0, s)).toISOString();
const record = (overrides: Partial<ExecutionRecord> = {}): ExecutionRecord => ({
  executionId: 'e1',
  pipeline: 'train-evaluate',
  name: 'e1',
  status: 'RUNNING',
  actor: 'user:u1',
  input: {},
  startedAt: at(0),
  updatedAt: at(0),
  revision: 1,
  ...overrides,
});
let seq = 0;
const ev = (type: TransitionEvent['type'], s: number, state?: string, extra: Partial<TransitionEvent> = {}): TransitionEvent => ({
  seq: seq++,
  type,
  at: at(s),
  ...(state ? { state, stateType: state === 'Route' ? 'Choice' : 'Task' } : {}),
  ...extra,
});

describe('executionProgress', () => {
  it('gives each state its start, end, duration, attempts and outcome, in order', () => {
    const events = [
      ev('ExecutionStarted', 0),
      ev('StateEntered', 0, 'Validate'),
      ev('StateExited', 1, 'Validate'),
      ev('StateEntered', 1, 'Train'),
      ev('StateFailed', 2, 'Train', { error: 'DependencyFailed', cause: 'S3 hiccup' }),
      ev('StateRetried', 4, 'Train', { attempt: 1 }),
      ev('StateExited', 9, 'Train', { durationMs: 5000 }),
      ev('StateEntered', 9, 'Register'),
      ev('StateFailed', 10, 'Register', { error: 'ValidationFailed', cause: 'bad artifact' }),
      ev('StateCaught', 10, 'Register'),
      ev('StateExited', 10, 'Register'),
      ev('StateEntered', 10, 'RecordFailure'),
      ev('StateExited', 11, 'RecordFailure'),
      ev('StateEntered', 11, 'PipelineFailed'),
      ev('StateFailed', 11, 'PipelineFailed', { error: 'ValidationFailed', cause: 'bad artifact' }),
      ev('ExecutionFailed', 11),
    ];
    const progress = executionProgress(record({ status: 'FAILED', stoppedAt: at(11), currentState: 'PipelineFailed' }), events, new Date(at(60)));
    expect(progress).toMatchObject({ status: 'FAILED', currentState: 'PipelineFailed', durationMs: 11_000 });
    expect(progress.states.map((s) => [s.name, s.status, s.durationMs, s.attempts])).toEqual([
      ['Validate', 'succeeded', 1000, 1],
      // A retried failure that then succeeds: succeeded, two attempts, wall time across both.
      ['Train', 'succeeded', 8000, 2],
      ['Register', 'caught', 1000, 1],
      ['RecordFailure', 'succeeded', 1000, 1],
      ['PipelineFailed', 'failed', 0, 1],
    ]);
    expect(progress.states[2]).toMatchObject({ error: 'ValidationFailed', cause: 'bad artifact', enteredAt: at(9), exitedAt: at(10) });
  });

  it('shows the running state with its time so far, and a state cut off by the stop as stopped', () => {
    const events = [ev('ExecutionStarted', 0), ev('StateEntered', 0, 'Validate'), ev('StateExited', 2, 'Validate'), ev('StateEntered', 2, 'Train')];
    const running = executionProgress(record({ currentState: 'Train' }), events, new Date(at(30)));
    expect(running).toMatchObject({ status: 'RUNNING', currentState: 'Train', durationMs: 30_000 });
    expect(running.states.at(-1)).toMatchObject({ name: 'Train', status: 'running', durationMs: 28_000 });
    expect(running.states.at(-1)!.exitedAt).toBeUndefined();
    const aborted = executionProgress(record({ status: 'ABORTED', stoppedAt: at(5) }), events, new Date(at(30)));
    expect(aborted.states.at(-1)).toMatchObject({ name: 'Train', status: 'stopped', durationMs: 3000 });
  });

  it('keeps Map iterations apart by index', () => {
    const events = [
      ev('StateEntered', 0, 'Score', { index: 0 }),
      ev('StateEntered', 0, 'Score', { index: 1 }),
      ev('StateExited', 3, 'Score', { index: 1 }),
      ev('StateExited', 5, 'Score', { index: 0 }),
    ];
    const progress = executionProgress(record({ status: 'SUCCEEDED', stoppedAt: at(5) }), events, new Date(at(5)));
    expect(progress.states.map((s) => [s.index, s.durationMs])).toEqual([
      [0, 5000],
      [1, 3000],
    ]);
  });
});
