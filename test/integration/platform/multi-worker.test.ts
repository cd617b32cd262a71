import { Agent, request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { ApiEnv } from '../../../api/http/env';
import { startPlatformWorkers, type RunningWorkers } from '../../../infra/local/cluster/primary';
import { freePort } from '../../../infra/local/stand-ins/ports';
import { PLANS } from '../../../core/tenancy/plans';
import { ApiClient, onboardTenant, signInAs, USER_PASSWORD } from '../../support/api-client';

const ADMIN = { email: 'ops@workers.example', password: 'workers-test passphrase' };

interface Answer {
  status: number;
  body: any;
  headers: Record<string, string | string[] | undefined>;
}

/** One HTTP call; `agent: false` opens a new connection (node:cluster hands each connection to the next worker). */
function call(base: string, method: string, path: string, options: { token?: string; body?: unknown; agent?: Agent | false } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    const req = request(
      `${base}${path}`,
      {
        method,
        agent: options.agent ?? false,
        headers: { ...(options.token ? { authorization: `Bearer ${options.token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined, headers: res.headers }));
      },
    );
    req.setTimeout(15_000, () => req.destroy(new Error(`${method} ${path}: no answer within 15 s`)));
    req.on('error', reject);
    req.end(body);
  });
}

describe('npm start --workers 2: the API served by two worker processes over one data folder', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'steward-workers-'));
  const reported: string[] = [];
  let running: RunningWorkers;
  let api: ApiClient;
  let adminToken: string;
  const pidOf = async (agent: Agent | false) =>
    (await call(running.apiUrl, 'GET', '/platform/health', { token: adminToken, agent })).body.process.pid as number;

  beforeAll(async () => {
    running = await startPlatformWorkers(
      {
        dataDir,
        console: false,
        apiPort: await freePort(),
        dynamodbPort: await freePort(),
        s3Port: await freePort(),
        scoringPort: await freePort(),
        env: { ...process.env, STEWARD_LOG_LEVEL: 'SILENT', STEWARD_BOOTSTRAP_ADMIN_EMAIL: ADMIN.email, STEWARD_BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password },
      },
      { workers: 2, report: (line) => reported.push(line) },
    );
    // The support client over HTTP (undici's keep-alive pool): onboarding does not care which worker answers.
    api = new ApiClient({ request: (path: string, init?: RequestInit) => fetch(`${running.apiUrl}${path}`, init) } as unknown as OpenAPIHono<ApiEnv>);
    adminToken = await signInAs(api, ADMIN.email, ADMIN.password);
  }, 180_000);

  afterAll(async () => {
    await running?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('spreads connections over both workers', async () => {
    const pids = running.workerPids();
    expect(pids).toHaveLength(2);
    const answered = new Set<number>();
    for (let i = 0; i < 8; i++) answered.add(await pidOf(false));
    expect([...answered].sort()).toEqual([...pids].sort());
  });

  it('accepts on one worker a token another worker issued at sign-in', async () => {
    const tenant = await onboardTenant(api, adminToken, 'Two Workers', { roles: ['tenant-admin'], inbox: running.inboxUrl });
    // Two keep-alive connections, each held by one worker: found by asking each which process answers.
    const first = new Agent({ keepAlive: true, maxSockets: 1 });
    let second = new Agent({ keepAlive: true, maxSockets: 1 });
    const firstPid = await pidOf(first);
    for (let i = 0; i < 6 && (await pidOf(second)) === firstPid; i++) {
      second.destroy();
      second = new Agent({ keepAlive: true, maxSockets: 1 });
    }
    try {
      expect(await pidOf(second)).not.toBe(firstPid);
      const signedIn = await call(running.apiUrl, 'POST', '/auth/token', {
        agent: first,
        body: { email: tenant.emails['tenant-admin'], password: USER_PASSWORD },
      });
      expect(signedIn.status).toBe(200);
      const me = await call(running.apiUrl, 'GET', '/me', { agent: second, token: signedIn.body.idToken });
      expect(me.status).toBe(200);
      expect(me.body).toMatchObject({ tenantId: tenant.tenantId });
    } finally {
      first.destroy();
      second.destroy();
    }
  });

  it("holds a tenant's rate limit across workers, and lets one connection use the whole plan", async () => {
    const { apiRatePerSecond: rate } = PLANS.free;
    const burst = 2 * rate;
    const [spread, single] = [
      await onboardTenant(api, adminToken, 'Spread Load', { plan: 'free', roles: ['tenant-admin'], inbox: running.inboxUrl }),
      await onboardTenant(api, adminToken, 'Single Connection', { plan: 'free', roles: ['tenant-admin'], inbox: running.inboxUrl }),
    ];
    await new Promise((r) => setTimeout(r, (burst / rate) * 1000)); // both buckets full again after onboarding
    // Each lease is ~50 ms of the rate (here 1 token): at most one outstanding per worker beyond the bucket.
    const slack = 2 + 1;

    // A new connection per request: requests alternate between the workers, 8 at a time for 1.5 s.
    const token = spread.tokens['tenant-admin'];
    const statuses: number[] = [];
    const retryAfter = new Set<string>();
    const started = performance.now();
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (performance.now() - started < 1500) {
          const res = await call(running.apiUrl, 'GET', '/me', { token });
          statuses.push(res.status);
          if (res.status === 429) retryAfter.add(String(res.headers['retry-after']));
        }
      }),
    );
    const elapsed = (performance.now() - started) / 1000;
    const admitted = statuses.filter((s) => s === 200).length;
    expect(statuses.filter((s) => s !== 200 && s !== 429)).toEqual([]);
    // Two independent buckets would admit up to twice this; one shared bucket admits no more than it.
    expect(statuses.length).toBeGreaterThan(2 * (burst + rate * elapsed) + 2 * slack);
    expect(admitted).toBeLessThanOrEqual(burst + rate * elapsed + slack);
    expect(admitted).toBeGreaterThanOrEqual(burst);
    expect([...retryAfter]).toEqual(['1']);

    // One keep-alive connection lands on one worker, which must still get the whole plan from the primary.
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const oneToken = single.tokens['tenant-admin'];
      let ok = 0;
      let refused = 0;
      const from = performance.now();
      while (performance.now() - from < 1500) {
        const res = await call(running.apiUrl, 'GET', '/me', { token: oneToken, agent });
        if (res.status === 200) ok++;
        else if (res.status === 429) refused++;
        else throw new Error(`unexpected ${res.status}: ${JSON.stringify(res.body)}`);
      }
      const seconds = (performance.now() - from) / 1000;
      expect(refused).toBeGreaterThan(0);
      expect(ok).toBeLessThanOrEqual(burst + rate * seconds + slack);
      // The plan's burst and its rate over the window, less what a lease in flight may leave unused.
      expect(ok).toBeGreaterThanOrEqual(Math.floor(burst + rate * seconds) - 3);
    } finally {
      agent.destroy();
    }
  }, 60_000);

  it('replaces a worker that dies, and keeps answering', async () => {
    const [leader, follower] = running.workerPids();
    process.kill(follower, 'SIGKILL');
    const deadline = Date.now() + 90_000;
    const exited = `API worker ${follower} (follower) exited unexpectedly (signal SIGKILL); starting a replacement`;
    // A connection handed to the worker as it was killed dies with it (node:cluster); once the primary
    // has seen the exit, every connection goes to the leader until the replacement serves.
    while (!reported.some((line) => line.includes(exited))) {
      if (Date.now() > deadline) throw new Error(`the primary did not notice the exit: ${reported.join('\n')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    while (!running.workerPids().some((pid) => pid !== leader && pid !== follower)) {
      if (Date.now() > deadline) throw new Error(`no replacement within 90 s: ${reported.join('\n')}`);
      expect((await call(running.apiUrl, 'GET', '/health')).status).toBe(200); // the leader answers meanwhile
      await new Promise((r) => setTimeout(r, 200));
    }
    const pids = running.workerPids();
    expect(pids).toHaveLength(2);
    expect(pids[0]).toBe(leader);
    const answered = new Set<number>();
    for (let i = 0; i < 8; i++) answered.add(await pidOf(false));
    expect([...answered].sort()).toEqual([...pids].sort());
  }, 120_000);
});
