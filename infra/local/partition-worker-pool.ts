import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Settings } from '../../core/config/settings';
import { Conflict, DependencyFailed, NotFound, StaleWrite, ValidationFailed } from '../../core/errors';
import type { Log } from '../../core/ports/log';
import type { TenantObjectStore } from '../../core/ports/object-store';
import type { PartitionScorer, PartitionScoringOutcome, PartitionScoringRequest } from '../../core/ports/partition-scorer';
import type { PartitionJobMessage, PartitionWorkerAnswer, SerializedError } from './partition-worker-messages';

export interface PartitionWorkerPoolOptions {
  /** The worker threads build their S3 client from these (the same emulator and bucket as the platform). */
  readonly settings: Settings;
  readonly log: Log;
  /** @default the machine's available parallelism */
  readonly threads?: number;
  /** Threads (and their loaded models) are ended after this long without work. @default 60 s */
  readonly idleMs?: number;
  /**
   * Start every thread now and keep them (a long-running server, `npm start`):
   * a thread takes seconds to load its modules, which a job would otherwise
   * wait for. @default false (threads start with the first partition and end when idle)
   */
  readonly warm?: boolean;
}

interface Job {
  readonly message: PartitionJobMessage;
  resolve(outcome: PartitionScoringOutcome): void;
  reject(error: Error): void;
}

interface Thread {
  readonly worker: Worker;
  job?: Job;
}

const WORKER_ENTRY = join(__dirname, 'partition-worker.ts');

/**
 * The local PartitionScorer: batch partitions scored on worker threads, at
 * most one partition per thread and as many threads as the machine has cores.
 * The local Map (aws-local-stepfunctions) runs its iterations as concurrent
 * promises on the API's one event loop; handing each iteration's scoring to
 * a thread lets up to MaxConcurrency of them (state-machines/batch-score.asl.json)
 * score at once on separate cores, and keeps the API answering meanwhile. A
 * partition beyond the thread count waits its turn here.
 *
 * Each thread streams its partition from the tenant's objects and writes the
 * outputs back (infra/local/partition-worker.ts); only the request (keys,
 * model reference) and the counts cross the boundary. A thread that dies
 * fails its partition (the Map's Retry may run it again) and is replaced on
 * the next job.
 */
export class PartitionWorkerPool implements PartitionScorer {
  private readonly threads: Thread[] = [];
  private readonly queue: Job[] = [];
  private readonly limit: number;
  private readonly idleMs: number;
  private nextId = 1;
  private idleTimer?: NodeJS.Timeout;
  private closed = false;

  constructor(private readonly options: PartitionWorkerPoolOptions) {
    this.limit = Math.max(1, options.threads ?? availableParallelism());
    this.idleMs = options.idleMs ?? 60_000;
    if (options.warm) while (this.threads.length < this.limit) this.spawn();
  }

  score(objects: TenantObjectStore, request: PartitionScoringRequest): Promise<PartitionScoringOutcome> {
    if (this.closed) return Promise.reject(new DependencyFailed('the partition worker pool is closed'));
    return new Promise((resolve, reject) => {
      // The thread addresses the tenant the caller's store is bound to, and no other.
      this.queue.push({ message: { id: this.nextId++, tenantId: objects.tenantId, request }, resolve, reject });
      this.dispatch();
    });
  }

  /** Threads now running (for tests and the log). */
  get size(): number {
    return this.threads.length;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.idleTimer);
    for (const job of this.queue.splice(0)) job.reject(new DependencyFailed('the partition worker pool closed before the partition was scored'));
    await Promise.all(this.threads.splice(0).map((t) => t.worker.terminate()));
  }

  private dispatch(): void {
    clearTimeout(this.idleTimer);
    while (this.queue.length > 0) {
      let thread = this.threads.find((t) => !t.job);
      if (!thread && this.threads.length < this.limit) thread = this.spawn();
      if (!thread) return;
      const job = this.queue.shift()!;
      thread.job = job;
      thread.worker.postMessage(job.message);
    }
    if (this.threads.every((t) => !t.job)) {
      this.idleTimer = setTimeout(() => void this.retireIdle(), this.idleMs);
      this.idleTimer.unref();
    }
  }

  private async retireIdle(): Promise<void> {
    if (this.options.warm) return;
    const idle = this.threads.filter((t) => !t.job);
    for (const t of idle) this.threads.splice(this.threads.indexOf(t), 1);
    await Promise.all(idle.map((t) => t.worker.terminate()));
  }

  private spawn(): Thread {
    // TypeScript run from source (npm start, tests): the thread registers tsx before loading its entry.
    const bootstrap = WORKER_ENTRY.endsWith('.ts')
      ? `require(${JSON.stringify(require.resolve('tsx/cjs/api'))}).register(); require(${JSON.stringify(WORKER_ENTRY)});`
      : `require(${JSON.stringify(WORKER_ENTRY)});`;
    const worker = new Worker(bootstrap, { eval: true, workerData: this.options.settings });
    const thread: Thread = { worker };
    this.threads.push(thread);
    worker.on('message', (answer: PartitionWorkerAnswer) => {
      const job = thread.job;
      if (!job || job.message.id !== answer.id) return;
      thread.job = undefined;
      if (answer.ok) job.resolve(answer.outcome);
      else job.reject(revive(answer.error));
      this.dispatch();
    });
    const lost = (error: Error) => {
      const at = this.threads.indexOf(thread);
      if (at >= 0) this.threads.splice(at, 1);
      const job = thread.job;
      thread.job = undefined;
      if (job) job.reject(new DependencyFailed(`the partition worker thread stopped: ${error.message}`, { cause: error }));
      if (!this.closed) {
        this.options.log.error('a batch partition worker thread stopped', { error: error.message });
        this.dispatch();
      }
    };
    worker.on('error', lost);
    worker.on('exit', (code) => {
      if (this.threads.includes(thread)) lost(new Error(`exited with code ${code}`));
    });
    return thread;
  }
}

/** The core error a worker reported, as the class the pipeline's Retry and Catch name. */
function revive(error: SerializedError): Error {
  switch (error.name) {
    case 'ValidationFailed':
      return new ValidationFailed(error.message, error.fields ?? []);
    case 'NotFound':
      return new NotFound(error.resource ?? 'object', error.id);
    case 'DependencyFailed':
      return new DependencyFailed(error.message);
    case 'Conflict':
      return new Conflict(error.message);
    case 'StaleWrite':
      return new StaleWrite(error.message);
    default: {
      const revived = new Error(error.message);
      revived.name = error.name;
      return revived;
    }
  }
}
