import { runHttpLoad } from '../drivers/http-load';
import { openCatalogStore } from '../support/catalog-data';
import { apiCatalog, CATALOG_PREFIXES, CATALOG_TAGS, CATALOG_VERSIONS, unsealedEvents } from '../support/catalog-fixture';
import { BENCH_ARTIFACT } from '../support/catalog-data';
import { warmStore } from '../support/bare-ops';
import { required, type Measurement, type Scenario, type ScenarioContext } from './scenario';

/**
 * The catalog through the API, as a CI job would use it: a CI token with the
 * role data-scientist on an enterprise tenant (5,000 req/s, so the rate
 * limiter never refuses), against the local platform as `npm start` runs it.
 * Set-up (onboarding, 1 project, 100 models, 3 versions each, all through the
 * API) happens before the warm-up and is not measured. Each is judged against
 * its bare DynamoDB calls (bench/scenarios/catalog-baseline.ts) from the same run.
 */
const DEFAULTS = { connections: 8, durationSeconds: 10, warmupSeconds: 3 };

export const catalogCreateVersion: Scenario = {
  name: 'catalog-create-version',
  measures:
    'POST /models/{id}/versions (declared artifact), spread over 100 models: quota UpdateItem + 2-item transaction (version, audit event), both group-committed with concurrent requests, the events linked into the audit chain at commit (one head write per combined call; with --audit-chain deferred the sealer links them behind)',
  requires: ['api'],
  defaults: DEFAULTS,
  objective: { reqPerSecAtLeast: 300 },
  compare: { with: 'dynamodb-create-version', kind: 'throughput', atLeast: 0.6 },
  async run(context) {
    const catalog = await apiCatalog(context);
    if (context.target.dynamodbEndpoint) await warmStore(context, context.target.dynamodbEndpoint);
    const { models } = catalog;
    const body = JSON.stringify({ artifact: BENCH_ARTIFACT });
    const measurement = await runHttpLoad(
      {
        title: 'catalog-create-version',
        url: `${required(context.target, 'apiUrl')}/models`,
        method: 'POST',
        headers: { authorization: `Bearer ${catalog.tenant.ciToken}`, 'content-type': 'application/json' },
        body,
        // Consecutive requests go to consecutive models: 8 in flight never share one of the 100.
        next: (seq) => ({ path: `/models/${models[seq % models.length].modelId}/versions` }),
      },
      context.load,
      context.report,
      context.window,
    );
    const sealer = await sealerBacklog(context, catalog.tenant.tenantId, measurement);
    return { ...measurement, notes: { tenantId: catalog.tenant.tenantId, models: models.length, credential: 'CI token, data-scientist', auditSealer: sealer } };
  },
};

/**
 * How far the in-process audit sealer fell behind: events still unsealed when
 * the measured window ended, and how long it took to link them (waited for
 * here, so the next scenario does not pay for this one's backlog).
 */
async function sealerBacklog(context: ScenarioContext, tenantId: string, measurement: Measurement): Promise<Record<string, unknown>> {
  if (!context.target.dynamodbEndpoint) return { unknown: 'no --dynamodb-endpoint given' };
  const store = await openCatalogStore(required(context.target, 'dynamodbEndpoint'), context.target.tableName, tenantId);
  try {
    const started = performance.now();
    const atEnd = await unsealedEvents(store);
    let left = atEnd;
    let lastReport = started;
    let previous = atEnd;
    let stalled = 0;
    while (left > 0 && performance.now() - started < 180_000) {
      await new Promise((r) => setTimeout(r, 500));
      left = await unsealedEvents(store);
      if (performance.now() - lastReport > 3000) {
        context.report(`  audit sealer backlog: ${left} events left`);
        lastReport = performance.now();
      }
      stalled = left >= previous ? stalled + 1 : 0;
      previous = left;
      // A stopped sealer (--audit-sealer off) never drains: do not wait for it.
      if (stalled >= 6) break;
    }
    const drainSeconds = Math.round((performance.now() - started) / 100) / 10;
    const created = measurement.statusCodes['201'] ?? 0;
    context.report(
      `  audit sealer: ${atEnd} of ${created} events unsealed when the window closed; ${left === 0 ? `drained in ${drainSeconds} s` : `${left} still unsealed after ${drainSeconds} s`}`,
    );
    return { unsealedAtEnd: atEnd, createdInWindow: created, drainSeconds: left === 0 ? drainSeconds : undefined, stillUnsealed: left || undefined };
  } finally {
    store.close();
  }
}

export const catalogGetVersion: Scenario = {
  name: 'catalog-get-version',
  measures: 'GET /models/{id}/versions/{n}, over 300 versions of 100 models: one GetItem behind the cached auth lookups',
  requires: ['api'],
  defaults: DEFAULTS,
  objective: { reqPerSecAtLeast: 1500 },
  compare: { with: 'dynamodb-get-version', kind: 'throughput', atLeast: 0.6 },
  async run(context) {
    const catalog = await apiCatalog(context);
    if (context.target.dynamodbEndpoint) await warmStore(context, context.target.dynamodbEndpoint);
    const keys = catalog.models.flatMap((m) => Array.from({ length: CATALOG_VERSIONS }, (_, v) => `/models/${m.modelId}/versions/${v + 1}`));
    const measurement = await runHttpLoad(
      {
        title: 'catalog-get-version',
        url: `${required(context.target, 'apiUrl')}/models`,
        headers: { authorization: `Bearer ${catalog.tenant.ciToken}` },
        next: (seq) => ({ path: keys[(seq * 7919) % keys.length] }),
      },
      context.load,
      context.report,
      context.window,
    );
    return { ...measurement, notes: { tenantId: catalog.tenant.tenantId, versionsRead: keys.length, credential: 'CI token, data-scientist' } };
  },
};

export const catalogSearchVersions: Scenario = {
  name: 'catalog-search-versions',
  measures: 'GET /versions?namePrefix=…&limit=25: one Query of 25 on the all-versions index',
  requires: ['api'],
  defaults: DEFAULTS,
  objective: { reqPerSecAtLeast: 600 },
  compare: { with: 'dynamodb-search-versions', kind: 'throughput', atLeast: 0.6 },
  async run(context) {
    const catalog = await apiCatalog(context);
    if (context.target.dynamodbEndpoint) await warmStore(context, context.target.dynamodbEndpoint);
    const measurement = await runHttpLoad(
      {
        title: 'catalog-search-versions',
        url: `${required(context.target, 'apiUrl')}/versions`,
        headers: { authorization: `Bearer ${catalog.tenant.ciToken}` },
        next: (seq) => ({ path: `/versions?namePrefix=${CATALOG_PREFIXES[seq % CATALOG_PREFIXES.length]}&limit=25` }),
      },
      context.load,
      context.report,
      context.window,
    );
    return { ...measurement, notes: { tenantId: catalog.tenant.tenantId, prefixes: CATALOG_PREFIXES, pageSize: 25 } };
  },
};

export const catalogSearchModels: Scenario = {
  name: 'catalog-search-models',
  measures: 'GET /models?tag=…&limit=25: one Query of 25 search entries',
  requires: ['api'],
  defaults: DEFAULTS,
  objective: { reqPerSecAtLeast: 600 },
  compare: { with: 'dynamodb-search-models', kind: 'throughput', atLeast: 0.6 },
  async run(context) {
    const catalog = await apiCatalog(context);
    if (context.target.dynamodbEndpoint) await warmStore(context, context.target.dynamodbEndpoint);
    const measurement = await runHttpLoad(
      {
        title: 'catalog-search-models',
        url: `${required(context.target, 'apiUrl')}/models`,
        headers: { authorization: `Bearer ${catalog.tenant.ciToken}` },
        next: (seq) => ({ path: `/models?tag=${CATALOG_TAGS[seq % CATALOG_TAGS.length]}&limit=25` }),
      },
      context.load,
      context.report,
      context.window,
    );
    return { ...measurement, notes: { tenantId: catalog.tenant.tenantId, tags: CATALOG_TAGS, pageSize: 25 } };
  },
};
