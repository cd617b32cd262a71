import { join } from 'node:path';
import { SqliteStore } from '../../core/adapters/sqlite/sqlite-store';
import { runHttpLoad } from '../drivers/http-load';
import { BenchApi, inPool, onboardTenant, type BenchTenant } from '../support/api';
import { BENCH_ARTIFACT, BENCH_SCHEMA, benchModel, modelCreationWrites, usageWrite } from '../support/catalog-data';
import { required, type Measurement, type Scenario, type ScenarioContext } from './scenario';

/**
 * The catalog on the default store (embedded SQLite), as issue 10 measures it
 * against MLflow 2.17: 8 connections, an enterprise-plan tenant, CI tokens.
 * Every scenario is judged against `store-noop` of the same run: GET /me, an
 * authenticated route that touches no catalog item (the HTTP + authentication
 * ceiling of this server).
 *
 * Reads rotate over four tenants (each admits 5,000 req/s, and a read can go
 * faster than one tenant's rate limit); writes use one tenant, one model for
 * `store-register-version`, as parallel CI jobs do.
 */
const DEFAULTS = { connections: 8, durationSeconds: 10, warmupSeconds: 3 };
const TENANTS = 4;
const SCALE_SMALL = 1_000;
const SCALE_LARGE = 100_000;
const COMPARE_NOOP = { with: 'store-noop', kind: 'throughput' as const, atLeast: 0.5 };

interface StoreFixture {
  readonly tenants: readonly (BenchTenant & { projectId: string; modelIds: string[]; versions: { modelId: string; version: number }[] })[];
}

function storeFixture(context: ScenarioContext): Promise<StoreFixture> {
  return context.shared.once('store-tenants', async () => {
    const api = new BenchApi(required(context.target, 'apiUrl'));
    const tenants = await inPool(
      Array.from({ length: TENANTS }, (_, i) => i),
      2,
      async (i) => {
        const tenant = await onboardTenant(context.target, `Store Bench ${i}`, { report: context.report });
        const project = await api.call<{ projectId: string }>('POST', '/projects', { token: tenant.ciToken, body: { name: `store-bench-${i}` } });
        const modelIds = await inPool(
          Array.from({ length: 20 }, (_, m) => m),
          4,
          async (m) => {
            const model = await api.call<{ modelId: string }>('POST', '/models', {
              token: tenant.ciToken,
              body: { projectId: project.projectId, name: `store-model-${String(m).padStart(3, '0')}`, type: 'ml', framework: 'onnx', schema: BENCH_SCHEMA },
            });
            return model.modelId;
          },
        );
        const versions = await inPool(
          modelIds.flatMap((modelId) => [modelId, modelId, modelId]),
          4,
          async (modelId) => {
            const v = await api.call<{ version: number }>('POST', `/models/${modelId}/versions`, { token: tenant.ciToken, body: { artifact: BENCH_ARTIFACT } });
            return { modelId, version: v.version };
          },
        );
        return { ...tenant, projectId: project.projectId, modelIds, versions };
      },
    );
    return { tenants };
  });
}

export const storeNoop: Scenario = {
  name: 'store-noop',
  measures:
    'GET /me with a CI token over 4 enterprise tenants: routing, authentication, the rate limiter and JSON, no catalog item (the ceiling of the store scenarios)',
  requires: ['api'],
  defaults: DEFAULTS,
  async run(context) {
    const { tenants } = await storeFixture(context);
    return load(context, 'store-noop', (seq) => ({ method: 'GET', path: '/me', token: tenants[seq % tenants.length].ciToken }));
  },
};

export const storeRegisterModel: Scenario = {
  name: 'store-register-model',
  measures: 'POST /models with unique names (one tenant, one project): name guard, quota counter, model + 3 facet entries, audit event linked at commit',
  requires: ['api'],
  defaults: DEFAULTS,
  objective: { reqPerSecAtLeast: 2_000 },
  compare: COMPARE_NOOP,
  async run(context) {
    const tenant = (await storeFixture(context)).tenants[0];
    const run = Date.now().toString(36);
    return load(context, 'store-register-model', (seq) => ({
      method: 'POST',
      path: '/models',
      token: tenant.ciToken,
      body: JSON.stringify({ projectId: tenant.projectId, name: `reg-${run}-${seq}`, type: 'ml', framework: 'onnx', schema: BENCH_SCHEMA }),
    }));
  },
};

export const storeRegisterVersion: Scenario = {
  name: 'store-register-version',
  measures: 'POST /models/{id}/versions, every request on ONE model (parallel CI jobs): every call must succeed with the next number',
  requires: ['api'],
  defaults: DEFAULTS,
  objective: { reqPerSecAtLeast: 700 },
  compare: COMPARE_NOOP,
  async run(context) {
    const tenant = (await storeFixture(context)).tenants[0];
    const body = JSON.stringify({ artifact: BENCH_ARTIFACT });
    return load(context, 'store-register-version', () => ({ method: 'POST', path: `/models/${tenant.modelIds[0]}/versions`, token: tenant.ciToken, body }));
  },
};

/** A read spread over the fixture's tenants (each admits 5,000 req/s), round robin, then over `items` of each. */
function readScenario<T>(
  name: string,
  measures: string,
  itemsOf: (tenant: StoreFixture['tenants'][number]) => readonly T[],
  pathOf: (item: T) => string,
): Scenario {
  return {
    name,
    measures,
    requires: ['api'],
    defaults: DEFAULTS,
    objective: { reqPerSecAtLeast: 4_500 },
    compare: COMPARE_NOOP,
    async run(context) {
      const { tenants } = await storeFixture(context);
      return load(context, name, (seq) => {
        const tenant = tenants[seq % tenants.length];
        const items = itemsOf(tenant);
        return { method: 'GET', path: pathOf(items[Math.floor(seq / tenants.length) % items.length]), token: tenant.ciToken };
      });
    },
  };
}

export const storeGetModel = readScenario(
  'store-get-model',
  'GET /models/{id} (with latestVersion) over 4 tenants × 20 models',
  (t) => t.modelIds,
  (modelId) => `/models/${modelId}`,
);

export const storeGetVersion = readScenario(
  'store-get-version',
  'GET /models/{id}/versions/{n} over 4 tenants × 60 versions',
  (t) => t.versions,
  (v) => `/models/${v.modelId}/versions/${v.version}`,
);

/** `store-search-1k` / `store-search-100k`: the name-prefix search on a tenant of that many models. */
function searchScenario(models: number): Scenario {
  const name = `store-search-${models >= 1000 ? `${models / 1000}k` : models}`;
  return {
    name,
    measures: `GET /models?namePrefix=…&limit=25 on a tenant of ${models.toLocaleString('en')} models (100 prefixes, each matching ${models / 100} models)`,
    requires: ['api'],
    defaults: DEFAULTS,
    ...(models === SCALE_LARGE
      ? { objective: { reqPerSecAtLeast: 3_000 }, compare: { with: 'store-search-1k', kind: 'p95' as const, atMost: 1.5 } }
      : { compare: COMPARE_NOOP }),
    async run(context) {
      const tenant = await scaleTenant(context, models);
      return load(context, name, (seq) => ({
        method: 'GET',
        path: `/models?namePrefix=scale-${String(seq % 100).padStart(2, '0')}&limit=25`,
        token: tenant.ciToken,
      }));
    },
  };
}

export const storeSearch1k = searchScenario(SCALE_SMALL);
export const storeSearch100k = searchScenario(SCALE_LARGE);

/**
 * A tenant onboarded through the API whose models are seeded straight into
 * the platform's SQLite file (a second connection; WAL lets the API go on),
 * with the domain's own builders: what POST /models writes, minus the audit
 * event of each creation, and the usage counter written once with the total.
 */
function scaleTenant(context: ScenarioContext, models: number): Promise<BenchTenant> {
  return context.shared.once(`store-scale-${models}`, async () => {
    const tenant = await onboardTenant(context.target, `Store Scale ${models}`, { report: context.report });
    const api = new BenchApi(required(context.target, 'apiUrl'));
    const project = await api.call<{ projectId: string }>('POST', '/projects', { token: tenant.ciToken, body: { name: `scale-${models}` } });
    if (!context.target.dataDir) throw new Error('seeding the search scale needs the platform the bench started (its data folder)');
    const store = new SqliteStore({ path: join(context.target.dataDir, 'metadata.sqlite'), ttlSweepMs: 0, auditChain: 'deferred' });
    const table = store.tenant(tenant.tenantId);
    const at = new Date();
    let lastReport = Date.now();
    try {
      for (let start = 0; start < models; start += 20) {
        const writes = [];
        for (let i = start; i < Math.min(models, start + 20); i++) {
          const model = benchModel(
            {
              projectId: project.projectId,
              name: `scale-${String(i % 100).padStart(2, '0')}-${String(i).padStart(6, '0')}`,
              tags: ['scale'],
              owner: 'bench:seed',
              versions: 0,
            },
            'bench:seed',
            at,
          );
          writes.push(...modelCreationWrites(model));
        }
        await table.transact(writes);
        if (Date.now() - lastReport > 3000) {
          context.report(`  seeding ${models.toLocaleString('en')} models: ${start.toLocaleString('en')} written`);
          lastReport = Date.now();
        }
      }
      await table.transact([usageWrite({ models: models + 1, versions: 0 })]);
    } finally {
      await store.close();
    }
    return tenant;
  });
}

function load(
  context: ScenarioContext,
  title: string,
  next: (seq: number) => { method: string; path: string; token: string; body?: string },
): Promise<Measurement> {
  const first = next(0);
  return runHttpLoad(
    {
      title,
      url: `${required(context.target, 'apiUrl')}${first.path}`,
      method: first.method as 'GET',
      headers: { authorization: `Bearer ${first.token}`, 'content-type': 'application/json' },
      body: first.body,
      next: (seq) => {
        const shape = next(seq);
        return {
          method: shape.method as 'GET',
          path: shape.path,
          headers: { authorization: `Bearer ${shape.token}`, 'content-type': 'application/json' },
          body: shape.body,
        };
      },
    },
    context.load,
    context.report,
    context.window,
  );
}
