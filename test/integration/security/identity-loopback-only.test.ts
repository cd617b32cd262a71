import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../../infra/local/stand-ins/ports';

/**
 * Issue 14: in local mode the metadata store listened on every interface.
 * `npm start` (the real entry, in its own process, as in
 * test/integration/platform/local-start.test.ts) must put no listener on a
 * non-loopback address — or refuse to start, naming the listener and the fix,
 * unless the operator explicitly allows it.
 */
const ROOT = join(__dirname, '..', '..', '..');

function start(env: Record<string, string>, args: string[] = []) {
  let stderr = '';
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'infra/local/start.ts'), ...args], {
    cwd: ROOT,
    env: { ...process.env, STEWARD_LOG_LEVEL: 'WARN', STEWARD_ALLOW_NON_LOOPBACK: '', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr!.on('data', (chunk) => (stderr += String(chunk)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, stderr: () => stderr, exited };
}

/** The process and all its descendants, from /proc (ppid is the 4th field of /proc/<pid>/stat). */
function processTree(root: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone
    }
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++) for (const [pid, parent] of parents) if (parent === tree[i]) tree.push(pid);
  return tree;
}

/** Listening TCP sockets of these processes, as `ss` reports them: [local address, pid]. */
function listenersOf(pids: number[]): Array<{ address: string; pid: number }> {
  const out = execFileSync('ss', ['-ltnpH'], { encoding: 'utf8' });
  const found: Array<{ address: string; pid: number }> = [];
  for (const line of out.split('\n').filter(Boolean)) {
    const address = line.trim().split(/\s+/)[3];
    for (const match of line.matchAll(/pid=(\d+)/g)) if (pids.includes(Number(match[1]))) found.push({ address, pid: Number(match[1]) });
  }
  return found;
}

const isLoopback = (address: string) => /^(127\.\d+\.\d+\.\d+|\[::1\]|\[::ffff:127\.\d+\.\d+\.\d+\]):\d+$/.test(address);

async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

async function until(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('npm start exposes nothing beyond loopback', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'steward-loopback-'));
  let env: Record<string, string>;
  let ports: number[];
  beforeAll(async () => {
    ports = await Promise.all(Array.from({ length: 6 }, () => freePort()));
    env = {
      STEWARD_DATA_DIR: dataDir,
      STEWARD_PORT: String(ports[0]),
      STEWARD_DYNAMODB_PORT: String(ports[1]),
      STEWARD_S3_PORT: String(ports[2]),
      STEWARD_SCORING_PORT: String(ports[3]),
      STEWARD_SMTP_PORT: String(ports[4]),
      STEWARD_INBOX_PORT: String(ports[5]),
    };
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('by default: every listener is on loopback, or the start is refused in one line naming the listener and the fix', async () => {
    const run = start(env);
    const outcome = await Promise.race([
      run.exited.then((code) => ({ exited: code })),
      until(() => run.stderr().includes('Steward is running'), 120_000).then(() => ({ exited: undefined })),
    ]);
    // With the embedded store the default start has nothing to refuse.
    expect(outcome.exited).toBeUndefined();
    if (outcome.exited === undefined) {
      try {
        const listeners = listenersOf(processTree(run.child.pid!));
        // The default store is embedded and listens nowhere: every port but DynamoDB Local's is in use.
        expect(listeners.length).toBeGreaterThanOrEqual(ports.length - 1);
        expect(listeners.filter((l) => l.address.endsWith(`:${ports[1]}`))).toEqual([]);
        expect(listeners.filter((l) => !isLoopback(l.address))).toEqual([]);
        expect(run.stderr()).toContain(`inbox     http://127.0.0.1:${ports[5]}`);
      } finally {
        run.child.kill('SIGTERM');
        await run.exited;
      }
    } else {
      // Refused: one line, naming what is exposed and how to proceed, and nothing left running.
      expect(outcome.exited).toBe(1);
      const lines = run.stderr().trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^steward: refusing to start: .+ on \S+:\d+ is reachable from other machines/);
      expect(lines[0]).toContain('--allow-non-loopback');
      expect(lines[0]).toContain('STEWARD_ALLOW_NON_LOOPBACK=1');
      for (const port of ports) expect(await portIsFree(port)).toBe(true);
    }
  }, 180_000);

  it('with --allow-non-loopback: starts, and the banner names every exposed listener; the platform’s own listeners stay on loopback', async () => {
    const run = start(env, ['--allow-non-loopback']);
    await until(() => run.stderr().includes('Steward is running'), 120_000);
    try {
      const listeners = listenersOf(processTree(run.child.pid!));
      const exposed = listeners.filter((l) => !isLoopback(l.address));
      for (const l of exposed) expect(run.stderr()).toContain(`:${l.address.split(':').at(-1)} is reachable from other machines`);
      // Only a store with no host option may be exposed; the API, S3, scoring, SMTP and inbox never are.
      for (const port of [ports[0], ports[2], ports[3], ports[4], ports[5]]) {
        expect(listeners.filter((l) => l.address.endsWith(`:${port}`)).every((l) => isLoopback(l.address))).toBe(true);
      }
    } finally {
      run.child.kill('SIGTERM');
      await run.exited;
    }
  }, 180_000);
});
