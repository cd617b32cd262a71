/**
 * The storage floor of a registration, in process: how much CPU the embedded
 * store's own engine needs for the rows one registration writes, next to what
 * the whole route costs. Answers "how close to the authenticated no-op can a
 * durable, audited registration get on this machine?" (issue 10's ratio
 * objective), with no load generator and no HTTP server in the way.
 *
 *   npx tsx bench/tools/write-floor.ts [--requests 2000] [--rounds 5]
 *
 * 1. A platform on a fresh data folder (default store, SQLite on disk, WAL,
 *    audit events linked at commit, as `npm start`); a tenant, a project, a model.
 * 2. One `POST /models` and one `POST /models/{id}/versions`, each diffed
 *    against the file before it: the rows it inserted and the rows it updated
 *    (usage counter, audit chain head, the model's version counter…).
 * 3. Rounds, 8 requests in flight as the `store-*` scenarios (so the store's
 *    group commit batches them), µs of process CPU (user + system, the WAL
 *    checkpoint thread included) per request, median of rounds:
 *    - `GET /me`, `POST /models`, `POST /models/{id}/versions` through the
 *      API's hono app (`app.fetch`: routing, CI-token auth, tenant guard, zod,
 *      the use case, the store, JSON; no sockets);
 *    - raw: the same rows with better-sqlite3 prepared statements on a second
 *      connection to the same file, 8 registrations a transaction, each in a
 *      savepoint as the store runs them, and again without savepoints. New
 *      rows get a unique suffix on their sort keys (same sizes, same indexes);
 *      updated rows are updated in place.
 * The raw rows are what any registration of this item design must write: no
 * validation, no ids, no JSON building, no audit hashing, no promises.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { createApp } from '../../api/app';
import { BenchApi, type BenchTenant, onboardTenant } from '../support/api';
import { startInProcessPlatform } from '../support/in-process-platform';
import { BENCH_ARTIFACT, BENCH_SCHEMA } from '../support/catalog-data';

type Row = Record<string, string | number | null>;
const IN_FLIGHT = 8;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { requests: { type: 'string', default: '2000' }, rounds: { type: 'string', default: '5' } } });
  const requests = Math.ceil(Number(values.requests) / IN_FLIGHT) * IN_FLIGHT;
  const rounds = Number(values.rounds);
  const platform = await startInProcessPlatform('write-floor');
  const { running, dataDir, target } = platform;
  const raw = new Database(join(dataDir, 'metadata.sqlite'));
  try {
    raw.pragma('journal_mode = WAL');
    raw.pragma('synchronous = NORMAL');
    raw.pragma('temp_store = MEMORY');
    raw.pragma('busy_timeout = 5000');
    // GET /me runs faster in process than one enterprise tenant's 5,000 req/s: it rotates over four.
    const tenants: BenchTenant[] = [];
    for (let i = 0; i < 4; i++) tenants.push(await onboardTenant(target, `Write Floor ${i}`));
    const token = tenants[0].ciToken;
    const api = new BenchApi(running.apiUrl);
    const project = await api.call<{ projectId: string }>('POST', '/projects', { token, body: { name: 'write-floor' } });
    const model = await api.call<{ modelId: string }>('POST', '/models', {
      token,
      body: { projectId: project.projectId, name: 'floor-model', type: 'ml', framework: 'onnx', schema: BENCH_SCHEMA },
    });

    const app = createApp(running.local.platform);
    let sequence = 0;
    const send = async (method: string, path: string, body: unknown, bearer = token, expect = method === 'GET' ? 200 : 201) => {
      const init: RequestInit = {
        method,
        headers: { authorization: `Bearer ${bearer}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      };
      const response = await app.fetch(new Request(`http://127.0.0.1${path}`, init));
      if (response.status !== expect) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
      await response.text();
    };
    const registerModel = () =>
      send('POST', '/models', {
        projectId: project.projectId,
        name: `floor-${process.pid}-${sequence++}`,
        type: 'ml',
        framework: 'onnx',
        schema: BENCH_SCHEMA,
      });
    const registerVersion = () => send('POST', `/models/${model.modelId}/versions`, { artifact: BENCH_ARTIFACT });
    const me = (i: number) => send('GET', '/me', undefined, tenants[i % tenants.length].ciToken);

    // What one registration writes, row by row.
    const snapshot = () => new Map((raw.prepare('SELECT * FROM items').all() as Row[]).map((row) => [`${row.pk}\u0000${row.sk}`, row]));
    const diff = async (act: () => Promise<void>) => {
      await sleep(300);
      const before = snapshot();
      await act();
      await sleep(300);
      const after = snapshot();
      const inserted: Row[] = [];
      const updated: Row[] = [];
      for (const [key, row] of after) {
        const old = before.get(key);
        if (!old) inserted.push(row);
        // A CI token's lastUsedAt is written at most once a minute by authentication, not by the registration.
        else if (JSON.stringify(old) !== JSON.stringify(row) && !String(row.pk).includes('#TOKEN#')) updated.push(row);
      }
      return { inserted, updated };
    };
    const modelRows = await diff(registerModel);
    const versionRows = await diff(registerVersion);
    const describe = (name: string, rows: { inserted: Row[]; updated: Row[] }) => {
      const bytes = [...rows.inserted, ...rows.updated].reduce((sum, row) => sum + String(row.body).length, 0);
      // The partition without its tenant prefix, and the sort key's first part: what kind of item each row is.
      const kinds = (list: Row[]) =>
        list.map((row) => `${String(row.pk).split('#').slice(2).join('#') || String(row.pk)}/${String(row.sk).split('#')[0]}`).join(', ');
      process.stdout.write(
        `${name}: ${rows.inserted.length} rows inserted (${kinds(rows.inserted)}), ${rows.updated.length} updated (${kinds(rows.updated)}), ${bytes} bytes of item JSON\n`,
      );
    };
    describe('POST /models', modelRows);
    describe('POST /models/{id}/versions', versionRows);

    const columns = Object.keys(modelRows.inserted[0]).filter((c) => c !== 'rowid');
    const indexSorts = columns.filter((c) => /^gsi\d+sk$/.test(c));
    const insert = raw.prepare(`INSERT INTO items (${columns.join(', ')}) VALUES (${columns.map((c) => `@${c}`).join(', ')})`);
    const update = raw.prepare(`UPDATE items SET body = @body WHERE pk = @pk AND sk = @sk`);
    let unique = 0;
    const writeRows = (rows: { inserted: Row[]; updated: Row[] }) => {
      const suffix = `~${(unique++).toString(36).padStart(8, '0')}`;
      for (const row of rows.inserted) {
        const copy: Row = { ...row, sk: `${row.sk}${suffix}` };
        for (const c of indexSorts) if (copy[c] !== null) copy[c] = `${copy[c]}${suffix}`;
        delete copy.rowid;
        insert.run(copy);
      }
      for (const row of rows.updated) update.run({ body: row.body, pk: row.pk, sk: row.sk });
    };
    const rawGroup = (rows: { inserted: Row[]; updated: Row[] }, savepoints: boolean) =>
      raw
        .transaction(() => {
          for (let i = 0; i < IN_FLIGHT; i++) {
            if (savepoints) raw.exec('SAVEPOINT one');
            writeRows(rows);
            if (savepoints) raw.exec('RELEASE one');
          }
        })
        .immediate();

    const cases: Record<string, () => Promise<void>> = {
      'GET /me (app.fetch)': async () => {
        for (let i = 0; i < requests; i += IN_FLIGHT) await Promise.all(Array.from({ length: IN_FLIGHT }, (_, j) => me(i + j)));
      },
      'POST /models (app.fetch)': async () => {
        for (let i = 0; i < requests; i += IN_FLIGHT) await Promise.all(Array.from({ length: IN_FLIGHT }, registerModel));
      },
      'POST /models/{id}/versions (app.fetch)': async () => {
        for (let i = 0; i < requests; i += IN_FLIGHT) await Promise.all(Array.from({ length: IN_FLIGHT }, registerVersion));
      },
      'raw rows of POST /models, savepoints': async () => {
        for (let i = 0; i < requests; i += IN_FLIGHT) rawGroup(modelRows, true);
      },
      'raw rows of POST /models, one transaction': async () => {
        for (let i = 0; i < requests; i += IN_FLIGHT) rawGroup(modelRows, false);
      },
      'raw rows of POST …/versions, savepoints': async () => {
        for (let i = 0; i < requests; i += IN_FLIGHT) rawGroup(versionRows, true);
      },
    };
    const samples = new Map<string, number[]>(Object.keys(cases).map((name) => [name, []]));
    for (let round = 0; round <= rounds; round++) {
      for (const [name, run] of Object.entries(cases)) {
        const started = process.cpuUsage();
        await run();
        const used = process.cpuUsage(started);
        // Round 0 warms the JIT, the caches and the file up; it is not counted.
        if (round > 0) samples.get(name)!.push((used.user + used.system) / requests);
      }
      process.stderr.write(`round ${round}/${rounds} done\n`);
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const noop = median(samples.get('GET /me (app.fetch)')!);
    process.stdout.write(`\nCPU per request in process (µs, median of ${rounds} rounds of ${requests}, ${IN_FLIGHT} in flight; no HTTP server):\n`);
    for (const [name, xs] of samples) {
      const m = median(xs);
      process.stdout.write(
        `  ${name.padEnd(44)} ${m.toFixed(1).padStart(7)}   × GET /me ${(m / noop).toFixed(2)}   rounds ${xs.map((x) => x.toFixed(0)).join(' ')}\n`,
      );
    }
  } finally {
    raw.close();
    await platform.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
