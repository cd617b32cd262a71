/**
 * CPU per request of the catalog's read routes, in process: the API's hono
 * app called with `app.fetch` (no sockets, no load generator), over the
 * default store (embedded SQLite, on disk, WAL), so two versions of the code
 * can be compared on a busy machine, where req/s under load mean little.
 * Routing, authentication (CI token), the tenant guard, validation, the use
 * case, the store and JSON are all counted; Node's HTTP server is not.
 *
 *   npx tsx bench/tools/read-route-costs.ts [--requests 4000] [--rounds 5]
 *
 * Routes (as the `store-*` scenarios): GET /me (the no-op), GET /models/{id},
 * GET /models/{id}/versions/{n}, GET /models?namePrefix=…&limit=25 on a
 * tenant of 3,000 seeded models (30 per prefix: a full page and a cursor).
 * Rounds alternate the routes; the median of each route's rounds is printed,
 * in µs of process CPU (user + system) per request.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createApp } from '../../api/app';
import { SqliteStore } from '../../core/adapters/sqlite/sqlite-store';
import { BenchApi, onboardTenant } from '../support/api';
import { startInProcessPlatform } from '../support/in-process-platform';
import { BENCH_ARTIFACT, BENCH_SCHEMA, benchModel, modelCreationWrites } from '../support/catalog-data';

const SEEDED_MODELS = 3_000;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { requests: { type: 'string', default: '4000' }, rounds: { type: 'string', default: '5' } } });
  const requests = Number(values.requests);
  const rounds = Number(values.rounds);
  const platform = await startInProcessPlatform('read-costs');
  const { running, dataDir, target } = platform;
  try {
    const tenant = await onboardTenant(target, 'Read Costs');
    const api = new BenchApi(running.apiUrl);
    const project = await api.call<{ projectId: string }>('POST', '/projects', { token: tenant.ciToken, body: { name: 'read-costs' } });
    const model = await api.call<{ modelId: string }>('POST', '/models', {
      token: tenant.ciToken,
      body: { projectId: project.projectId, name: 'read-costs-model', type: 'ml', framework: 'onnx', schema: BENCH_SCHEMA },
    });
    for (let i = 0; i < 3; i++) await api.call('POST', `/models/${model.modelId}/versions`, { token: tenant.ciToken, body: { artifact: BENCH_ARTIFACT } });
    const seeder = new SqliteStore({ path: join(dataDir, 'metadata.sqlite'), ttlSweepMs: 0, auditChain: 'deferred' });
    try {
      const table = seeder.tenant(tenant.tenantId);
      const at = new Date();
      for (let start = 0; start < SEEDED_MODELS; start += 20) {
        const writes = [];
        for (let i = start; i < start + 20; i++) {
          const name = `scale-${String(i % 100).padStart(2, '0')}-${String(i).padStart(6, '0')}`;
          writes.push(
            ...modelCreationWrites(benchModel({ projectId: project.projectId, name, tags: ['scale'], owner: 'bench:seed', versions: 0 }, 'bench:seed', at)),
          );
        }
        await table.transact(writes);
      }
    } finally {
      await seeder.close();
    }

    const app = createApp(running.local.platform);
    const headers = { authorization: `Bearer ${tenant.ciToken}` };
    const routes: Record<string, (i: number) => string> = {
      'GET /me': () => '/me',
      'GET /models/{id}': () => `/models/${model.modelId}`,
      'GET /models/{id}/versions/{n}': (i) => `/models/${model.modelId}/versions/${(i % 3) + 1}`,
      'GET /models?namePrefix (25 of 30)': (i) => `/models?namePrefix=scale-${String(i % 100).padStart(2, '0')}&limit=25`,
    };
    const call = async (path: string) => {
      const response = await app.fetch(new Request(`http://127.0.0.1${path}`, { headers }));
      if (response.status !== 200) throw new Error(`${path}: ${response.status} ${await response.text()}`);
      await response.text();
    };
    const samples = new Map<string, number[]>(Object.keys(routes).map((name) => [name, []]));
    for (let round = 0; round <= rounds; round++) {
      for (const [name, pathOf] of Object.entries(routes)) {
        const started = process.cpuUsage();
        for (let i = 0; i < requests; i++) await call(pathOf(i));
        const used = process.cpuUsage(started);
        // Round 0 warms the JIT and the caches up; it is not counted.
        if (round > 0) samples.get(name)!.push((used.user + used.system) / requests);
      }
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const noop = median(samples.get('GET /me')!);
    process.stdout.write(`CPU per request in process (µs, median of ${rounds} rounds of ${requests}; no HTTP server):\n`);
    for (const [name, xs] of samples) {
      const m = median(xs);
      process.stdout.write(
        `  ${name.padEnd(36)} ${m.toFixed(1).padStart(7)}   × GET /me ${(m / noop).toFixed(2)}   rounds ${xs.map((x) => x.toFixed(0)).join(' ')}\n`,
      );
    }
  } finally {
    await platform.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
