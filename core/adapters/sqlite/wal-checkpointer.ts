import { Worker } from 'node:worker_threads';

/**
 * Runs SQLite's WAL checkpoints on a worker thread with its own connection,
 * so the API's thread never does them. A checkpoint copies every page
 * written since the last one into the database file and syncs both files
 * (synchronous=NORMAL syncs only here); done by the committing connection
 * (SQLite's default, every 1,000 pages) it was most of the cost of a write
 * transaction under load, and the thread serving requests waited on disk
 * syncs. PASSIVE checkpoints never block writers or readers, and durability
 * is unchanged: commits are still in the WAL, checkpoints still sync.
 *
 * The worker is plain JavaScript evaluated in place (no file to resolve, so
 * it runs the same under tsx, jest's transform or a bundle).
 */
export class WalCheckpointer {
  private readonly worker: Worker;
  private readonly exited: Promise<void>;

  /** `everyMs`: how often the worker checkpoints. @default 100 */
  constructor(path: string, options: { everyMs?: number } = {}) {
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { driver: require.resolve('better-sqlite3'), path, everyMs: options.everyMs ?? 100 },
    });
    // A checkpointer that failed to start leaves checkpoints to the writer (its automatic checkpoint stays set).
    this.worker.on('error', () => undefined);
    this.worker.unref();
    this.exited = new Promise((resolve) => this.worker.once('exit', () => resolve()));
  }

  /**
   * Stops the worker after its current checkpoint and closes its connection.
   * The worker is referenced again while it stops: unreferenced, a process
   * with nothing else to do (a short script closing the store) ended while
   * it waited here, silently and with code 0, and what followed never ran.
   */
  async stop(): Promise<void> {
    this.worker.ref();
    this.worker.postMessage('stop');
    await this.exited;
  }
}

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { timeout: 1000 });
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // busy or failing: the next tick tries again, and the writer's own automatic checkpoint is the backstop
  }
}, workerData.everyMs);
parentPort.on('message', (message) => {
  if (message !== 'stop') return;
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;
