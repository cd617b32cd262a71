import { type ChildProcess, spawn, type SpawnOptions } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A stand-in running as a child process: its output goes to `<logDir>/<name>.log`,
 * and stop() ends it (SIGTERM, then SIGKILL after a grace period) so Ctrl-C
 * never leaves an emulator behind.
 */
export class ManagedProcess {
  private exited = false;
  private stopping = false;
  private exitCode: number | null = null;
  private readonly exitPromise: Promise<void>;

  private constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {
    this.exitPromise = new Promise((resolve) =>
      child.once('exit', (code) => {
        this.exited = true;
        this.exitCode = code;
        resolve();
      }),
    );
  }

  static start(name: string, command: string, args: readonly string[], options: SpawnOptions & { logDir?: string }): ManagedProcess {
    // Its own process group: a Ctrl-C in the terminal reaches only the supervisor, which then
    // stops the stand-ins in order instead of racing them to the exit.
    const child = spawn(command, args as string[], { ...options, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    // Last resort if the supervisor exits without stop() (uncaught error, process.exit elsewhere).
    const killOnExit = () => child.kill('SIGKILL');
    process.once('exit', killOnExit);
    child.once('exit', () => process.removeListener('exit', killOnExit));
    if (options.logDir) {
      mkdirSync(options.logDir, { recursive: true });
      const log = createWriteStream(join(options.logDir, `${name}.log`), { flags: 'a' });
      child.stdout?.pipe(log);
      child.stderr?.pipe(log);
    } else {
      child.stdout?.resume();
      child.stderr?.resume();
    }
    return new ManagedProcess(name, child);
  }

  get alive(): boolean {
    return !this.exited;
  }

  get code(): number | null {
    return this.exitCode;
  }

  onUnexpectedExit(listener: (code: number | null) => void): void {
    this.child.once('exit', (code) => {
      if (!this.stopping) listener(code);
    });
  }

  async stop(graceMs = 5000): Promise<void> {
    if (this.exited) return;
    this.stopping = true;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exitPromise;
    clearTimeout(timer);
  }
}
