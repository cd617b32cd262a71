import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { createAwsClients } from '../../../core/adapters/aws-clients';
import { readSettings } from '../../../core/config/settings';
import { freePort } from '../../../infra/local/stand-ins/ports';

const ROOT = join(__dirname, '..', '..', '..');
const ADMIN = { email: 'ops@platform.example', password: 'start-test passphrase' };

interface Started {
  child: ChildProcess;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** `npm start`, as a user runs it: the real entry in its own process. */
function start(env: Record<string, string>): Started {
  let stderr = '';
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'infra/local/start.ts')], {
    cwd: ROOT,
    env: { ...process.env, STEWARD_LOG_LEVEL: 'WARN', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr.on('data', (chunk) => (stderr += String(chunk)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, stderr: () => stderr, exited };
}

async function until(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A PATH holding node and nothing else: no java anywhere. */
function nodeOnlyPath(): string {
  const bin = mkdtempSync(join(tmpdir(), 'steward-nojava-'));
  symlinkSync(process.execPath, join(bin, 'node'));
  return bin;
}

describe('npm start', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'steward-start-'));
  let env: Record<string, string>;
  let ports: number[];
  beforeAll(async () => {
    ports = [await freePort(), await freePort(), await freePort(), await freePort()];
    env = {
      STEWARD_DATA_DIR: dataDir,
      STEWARD_PORT: String(ports[0]),
      STEWARD_DYNAMODB_PORT: String(ports[1]),
      STEWARD_S3_PORT: String(ports[2]),
      STEWARD_SCORING_PORT: String(ports[3]),
      STEWARD_BOOTSTRAP_ADMIN_EMAIL: ADMIN.email,
      STEWARD_BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
    };
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('starts healthy, stops every process on Ctrl-C, and a second start finds what was written', async () => {
    const api = () => `http://127.0.0.1:${ports[0]}`;
    const first = start(env);
    await until('the ready banner', () => first.stderr().includes('Steward is running'), 60_000);
    const health = await (await fetch(`${api()}/health`)).json();
    expect(health.status).toBe('ok');
    // The platform hosts the scoring gateway (in process by default) and still serves it on the scoring port.
    const ping = await fetch(`http://127.0.0.1:${ports[3]}/ping`);
    expect(ping.status).toBe(200);
    expect(await ping.json()).toEqual({ status: 'ok', endpoints: 0 });
    const signup = await fetch(`${api()}/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Persisted', adminEmail: 'p@persisted.example' }),
    });
    const { tenantId } = await signup.json();
    const s3 = createAwsClients(readSettings({ STEWARD_MODE: 'local', STEWARD_S3_ENDPOINT: `http://127.0.0.1:${ports[2]}` })).s3;
    await s3.send(new PutObjectCommand({ Bucket: 'steward-artifacts', Key: `tenants/${tenantId}/kept.txt`, Body: 'still here' }));

    first.child.kill('SIGINT');
    expect(await first.exited).toBe(0);
    for (const port of ports) expect(await portIsFree(port)).toBe(true);

    const second = start(env);
    await until('the ready banner', () => second.stderr().includes('Steward is running'), 60_000);
    try {
      const token = (
        await (await fetch(`${api()}/auth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) })).json()
      ).idToken;
      const tenants = await (await fetch(`${api()}/platform/tenants`, { headers: { authorization: `Bearer ${token}` } })).json();
      expect(tenants.items.map((t: { tenantId: string }) => t.tenantId)).toContain(tenantId);
      const kept = await s3.send(new GetObjectCommand({ Bucket: 'steward-artifacts', Key: `tenants/${tenantId}/kept.txt` }));
      expect(await kept.Body!.transformToString()).toBe('still here');
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
      s3.destroy();
    }
  }, 150_000);

  it('explains a taken port in one line, with the fix, and starts nothing', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(ports[0], '127.0.0.1', () => r()));
    try {
      const run = start(env);
      expect(await run.exited).toBe(1);
      const lines = run.stderr().trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toBe(
        `steward: port ${ports[0]} for the API is already in use — stop whatever holds it, or choose another port: STEWARD_PORT=<port> npm start`,
      );
      for (const port of ports.slice(1)) expect(await portIsFree(port)).toBe(true);
    } finally {
      blocker.close();
    }
  }, 60_000);

  it('starts on the embedded store with no Java anywhere', async () => {
    const run = start({ ...env, PATH: nodeOnlyPath(), JAVA_HOME: '', STEWARD_DATA_DIR: mkdtempSync(join(tmpdir(), 'steward-nojava-data-')) });
    try {
      await until('the ready banner', () => run.stderr().includes('Steward is running'), 60_000);
      expect(run.stderr()).toContain('metadata: metadata.sqlite');
      expect((await (await fetch(`http://127.0.0.1:${ports[0]}/health`)).json()).status).toBe('ok');
    } finally {
      run.child.kill('SIGINT');
      expect(await run.exited).toBe(0);
    }
  }, 90_000);

  it('explains a damaged metadata file in one line, with the fix, and changes nothing', async () => {
    const broken = mkdtempSync(join(tmpdir(), 'steward-broken-'));
    writeFileSync(join(broken, 'metadata.sqlite'), 'this is not a database, it is a note somebody saved over it '.repeat(100));
    const run = start({ ...env, STEWARD_DATA_DIR: broken });
    expect(await run.exited).toBe(1);
    const lines = run.stderr().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/metadata file .*metadata\.sqlite is not a Steward database or is damaged: restore it with/);
    expect(readFileSync(join(broken, 'metadata.sqlite'), 'utf8')).toContain('this is not a database');
    for (const port of ports) expect(await portIsFree(port)).toBe(true);
  }, 60_000);

  it('explains a missing Java in one line, with the fix, when DynamoDB Local is chosen', async () => {
    const run = start({ ...env, PATH: nodeOnlyPath(), JAVA_HOME: '', STEWARD_STORE: 'dynamodb-local' });
    expect(await run.exited).toBe(1);
    const lines = run.stderr().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('Java was not found; DynamoDB Local needs Java 17 or newer — install a JDK');
    expect(run.stderr()).not.toMatch(/\n\s+at /);
    // s3rver, started alongside, must not outlive the failed start
    for (const port of ports) expect(await portIsFree(port)).toBe(true);
  }, 60_000);
});
