import type { ExecutionRecord, TransitionEvent } from './execution-log';

export type StateProgressStatus = 'running' | 'succeeded' | 'failed' | 'caught' | 'stopped';

/** One visit of a state, as the console shows progress: when it started and ended, how long, how it ended. */
export interface StateProgress {
  readonly name: string;
  readonly type?: string;
  /** Map iterations: the item index. */
  readonly index?: number;
  readonly status: StateProgressStatus;
  readonly enteredAt: string;
  readonly exitedAt?: string;
  /** Wall time from entering to leaving, retries included; while running, up to now. */
  readonly durationMs?: number;
  /** 1 + the number of retries. */
  readonly attempts: number;
  readonly error?: string;
  readonly cause?: string;
}

export interface ExecutionProgress {
  readonly status: ExecutionRecord['status'];
  readonly currentState?: string;
  readonly startedAt: string;
  readonly stoppedAt?: string;
  readonly durationMs?: number;
  /** In the order the states were entered. */
  readonly states: StateProgress[];
}

interface Visit {
  name: string;
  type?: string;
  index?: number;
  status: StateProgressStatus;
  enteredAt: string;
  exitedAt?: string;
  attempts: number;
  error?: string;
  cause?: string;
}

const elapsed = (from: string, to: string) => Math.max(0, Date.parse(to) - Date.parse(from));

/**
 * Folds an execution's ordered transitions into one entry per state visit:
 * entered → (retried…) → exited | failed (→ caught → exited). A state still
 * open when the execution stopped is `stopped`; while it runs, its duration
 * is measured up to `now`.
 */
export function executionProgress(execution: ExecutionRecord, events: readonly TransitionEvent[], now: Date): ExecutionProgress {
  const visits: Visit[] = [];
  const open = new Map<string, Visit>();
  const keyOf = (e: TransitionEvent) => (e.index === undefined ? e.state! : `${e.state}[${e.index}]`);
  for (const event of events) {
    if (!event.state) continue;
    const key = keyOf(event);
    switch (event.type) {
      case 'StateEntered': {
        const visit: Visit = {
          name: event.state,
          type: event.stateType,
          ...(event.index !== undefined ? { index: event.index } : {}),
          status: 'running',
          enteredAt: event.at,
          attempts: 1,
        };
        visits.push(visit);
        open.set(key, visit);
        break;
      }
      case 'StateRetried': {
        const visit = open.get(key);
        if (visit) {
          // The failed attempt is in the transitions; the visit runs again.
          visit.attempts += 1;
          visit.status = 'running';
          delete visit.exitedAt;
          delete visit.error;
          delete visit.cause;
        }
        break;
      }
      case 'StateFailed': {
        const visit = open.get(key);
        if (visit) Object.assign(visit, { status: 'failed', error: event.error, cause: event.cause, exitedAt: event.at });
        break;
      }
      case 'StateCaught': {
        const visit = open.get(key);
        if (visit) visit.status = 'caught';
        break;
      }
      case 'StateExited': {
        const visit = open.get(key);
        if (visit) {
          visit.exitedAt = event.at;
          if (visit.status === 'running') visit.status = 'succeeded';
          open.delete(key);
        }
        break;
      }
      default:
        break;
    }
  }
  const stopped = execution.status !== 'RUNNING';
  const states = visits.map((v): StateProgress => {
    const status: StateProgressStatus = v.status === 'running' && stopped ? 'stopped' : v.status;
    const end = v.exitedAt ?? (stopped ? execution.stoppedAt : now.toISOString());
    return {
      name: v.name,
      ...(v.type ? { type: v.type } : {}),
      ...(v.index !== undefined ? { index: v.index } : {}),
      status,
      enteredAt: v.enteredAt,
      ...(v.exitedAt ? { exitedAt: v.exitedAt } : {}),
      ...(end ? { durationMs: elapsed(v.enteredAt, end) } : {}),
      attempts: v.attempts,
      ...(v.error !== undefined ? { error: v.error } : {}),
      ...(v.cause !== undefined ? { cause: v.cause } : {}),
    };
  });
  return {
    status: execution.status,
    ...(execution.currentState ? { currentState: execution.currentState } : {}),
    startedAt: execution.startedAt,
    ...(execution.stoppedAt
      ? { stoppedAt: execution.stoppedAt, durationMs: elapsed(execution.startedAt, execution.stoppedAt) }
      : { durationMs: elapsed(execution.startedAt, now.toISOString()) }),
    states,
  };
}
