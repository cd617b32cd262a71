import type { StateMachine } from 'aws-local-stepfunctions';
import type { MetadataTable } from '../core/ports/metadata-store';
import { Conflict, StaleWrite } from '../core/errors';
import {
  appendTransition,
  type ExecutionRecord,
  type ExecutionStatus,
  recordExecutionStopped,
  type TransitionEvent,
  type TransitionType,
} from '../core/pipelines/execution-log';
import type { Log } from '../core/ports/log';

/** One event of aws-local-stepfunctions' `eventLogs` (the package does not export the type). */
export type EngineEvent = ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer E> ? E : never;

const TIMED_STATES = new Set(['Task', 'Map', 'Parallel']);

/**
 * Turns the interpreter's event log into the execution log, in order, one
 * write per event, while the execution runs. If the record is changed under
 * it (start-up recovery of another process marked it interrupted), it stops
 * writing and calls `onDetached`, which aborts the execution.
 */
export class ExecutionRecorder {
  private seq = 1; // 0 is ExecutionStarted, written when the execution was started
  private readonly attemptStartedAt = new Map<string, number>();
  private detachedFlag = false;

  constructor(
    private readonly table: MetadataTable,
    private record: ExecutionRecord,
    private readonly log: Log,
    private readonly onDetached: () => void,
  ) {}

  get current(): ExecutionRecord {
    return this.record;
  }

  get detached(): boolean {
    return this.detachedFlag;
  }

  async handle(event: EngineEvent): Promise<void> {
    if (this.detachedFlag || this.record.status !== 'RUNNING') return;
    const at = new Date(event.timestamp).toISOString();
    switch (event.type) {
      case 'ExecutionStarted':
        return; // recorded by start()
      case 'ExecutionSucceeded':
        return this.stop('SUCCEEDED', { type: 'ExecutionSucceeded', at }, { output: event.output });
      case 'ExecutionFailed': {
        const cause = causeText(event.Cause);
        return this.stop('FAILED', { type: 'ExecutionFailed', at, error: event.Error, cause }, { error: event.Error, cause });
      }
      case 'ExecutionAborted':
        return this.stop(
          'ABORTED',
          { type: 'ExecutionAborted', at, cause: 'the local runner shut down' },
          { error: 'States.Aborted', cause: 'the local runner shut down before the execution finished' },
        );
      case 'ExecutionTimeout':
        return this.stop(
          'FAILED',
          { type: 'ExecutionTimedOut', at, error: 'States.Timeout' },
          { error: 'States.Timeout', cause: 'the execution ran longer than its TimeoutSeconds' },
        );
      case 'MapIterationStarted':
      case 'MapIterationSucceeded':
      case 'ParallelBranchStarted':
      case 'ParallelBranchSucceeded':
        return this.append({
          type: event.type,
          at,
          state: event.parentState.name,
          stateType: event.parentState.type,
          ...('index' in event ? { index: event.index } : {}),
        });
      case 'MapIterationFailed':
      case 'ParallelBranchFailed':
        return this.append({
          type: event.type,
          at,
          state: event.parentState.name,
          stateType: event.parentState.type,
          error: event.Error,
          cause: causeText(event.Cause),
          ...('index' in event ? { index: event.index } : {}),
        });
      default:
        return this.recordStateEvent(event, at);
    }
  }

  private recordStateEvent(event: Extract<EngineEvent, { state: unknown }>, at: string): Promise<void> {
    const { name, type: stateType } = event.state;
    const key = event.index === undefined ? name : `${name}[${event.index}]`;
    const base = { at, state: name, stateType, ...(event.index !== undefined ? { index: event.index } : {}) };
    const duration = () => {
      const started = this.attemptStartedAt.get(key);
      return started !== undefined && TIMED_STATES.has(stateType) ? { durationMs: Math.max(0, event.timestamp - started) } : {};
    };
    switch (event.type) {
      case 'StateEntered':
        this.attemptStartedAt.set(key, event.timestamp);
        return this.append({ type: 'StateEntered', ...base });
      case 'StateExited':
        return this.append({ type: 'StateExited', ...base, ...duration() });
      case 'StateFailed':
        return this.append({ type: 'StateFailed', ...base, ...duration(), error: event.Error, cause: causeText(event.Cause) });
      case 'StateRetried':
        // The interpreter retries without a new StateEntered: the next attempt is timed from here.
        this.attemptStartedAt.set(key, event.timestamp);
        return this.append({ type: 'StateRetried', ...base, attempt: event.retry.attempt });
      case 'StateCaught':
        return this.append({ type: 'StateCaught', ...base });
    }
  }

  /** Ends the record when the interpreter stopped without a final event of its own. */
  async stopWithoutEvent(status: Exclude<ExecutionStatus, 'RUNNING'>, error: string, cause: string): Promise<void> {
    if (this.detachedFlag || this.record.status !== 'RUNNING') return;
    await this.stop(status, { type: 'ExecutionFailed', at: new Date().toISOString(), error, cause }, { error, cause });
  }

  private async append(event: Omit<TransitionEvent, 'seq'> & { type: TransitionType }): Promise<void> {
    const seq = this.seq++;
    await this.write(async () => {
      this.record = await appendTransition(this.table, this.record, { seq, ...event });
    });
  }

  private async stop(
    status: Exclude<ExecutionStatus, 'RUNNING'>,
    event: Omit<TransitionEvent, 'seq'>,
    details: { output?: unknown; error?: string; cause?: string },
  ): Promise<void> {
    const seq = this.seq++;
    await this.write(async () => {
      this.record = await recordExecutionStopped(this.table, this.record, { status, event: { seq, ...event }, ...details });
    });
  }

  private async write(run: () => Promise<void>): Promise<void> {
    try {
      await run();
    } catch (error) {
      if (error instanceof StaleWrite || error instanceof Conflict) {
        this.detachedFlag = true;
        this.log.warn('execution record changed by another process; abandoning this execution', { executionId: this.record.executionId });
        this.onDetached();
        return;
      }
      // Losing one transition must not kill the execution; the final status is still written.
      this.log.error('could not record an execution transition', { executionId: this.record.executionId, error: errorText(error) });
    }
  }
}

export function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function causeText(cause: unknown): string {
  if (typeof cause === 'string') return cause;
  if (cause instanceof Error) return cause.message;
  if (cause === undefined || cause === null) return '';
  try {
    return JSON.stringify(cause);
  } catch {
    return Object.prototype.toString.call(cause); // circular or BigInt: at least its kind
  }
}
