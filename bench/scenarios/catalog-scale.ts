import type { Item } from '../../core/adapters/dynamodb/scoped-table';
import { runHttpLoad } from '../drivers/http-load';
import { type BenchTenant, BenchApi, inPool, onboardTenant } from '../support/api';
import {
  batchPut,
  benchModel,
  benchVersion,
  itemOf,
  modelCreationWrites,
  openCatalogStore,
  seededStatus,
  usageWrite,
  versionWriteItem,
} from '../support/catalog-data';
import { warmStore } from '../support/bare-ops';
import { required, type Scenario, type ScenarioContext } from './scenario';

/**
 * Does list/search stay flat as a tenant's catalog grows? The same five
 * queries (pages of 25, 8 connections, CI token) against a tenant with 1,000
 * versions and then one with 100,000 (1,000 models × 100), each a fresh
 * enterprise tenant onboarded through the API, with 10 projects made through
 * the API. Models and versions are seeded with BatchWriteItem from the
 * domain's own item builders (modelWrite, modelEntryWrites, the name guard,
 * versionWrite through ScopedTable.prepare): the very items the API would
 * write, minus the audit event of each creation (seeded data has none).
 * Target: p95 at 100k within 1.5× of p95 at 1k. Run together (`scale`), the
 * 1k tenant is seeded first, then the 100k one, then the 1k queries are
 * measured, then the 100k ones: same table, same (warmed) DynamoDB Local.
 */
type Size = '1k' | '100k';

const SHAPES: Record<Size, { models: number; versionsPerModel: number }> = {
  // 40 × 25: every query below still fills a page of 25 at 1k.
  '1k': { models: 40, versionsPerModel: 25 },
  '100k': { models: 1000, versionsPerModel: 100 },
};
const PROJECTS = 10;
const modelName = (i: number) => `model-${String(i).padStart(5, '0')}`;
/** Each matches 10 models (models 00000–00039 exist at both sizes): 250 versions at 1k, 1,000 at 100k. */
const NAME_PREFIXES = ['model-0000', 'model-0001', 'model-0002', 'model-0003'];
const STATUSES = ['registered', 'evaluated', 'approved'] as const;

interface ScaleCatalog {
  readonly size: Size;
  readonly tenant: BenchTenant;
  readonly projects: readonly string[];
  readonly modelIds: readonly string[];
  readonly versions: number;
  readonly seedSeconds: number;
}

function scaleCatalog(context: ScenarioContext, size: Size): Promise<ScaleCatalog> {
  return context.shared.once(`scale:${size}`, async () => {
    const shape = SHAPES[size];
    const tenant = await onboardTenant(context.target, `Bench scale ${size}`, { plan: 'enterprise', report: context.report });
    const api = new BenchApi(required(context.target, 'apiUrl'));
    const projects = await inPool(
      Array.from({ length: PROJECTS }, (_, i) => i),
      4,
      (i) =>
        api
          .call<{ projectId: string }>('POST', '/projects', { token: tenant.ciToken, body: { name: `scale-project-${i}`, tags: ['scale'] } })
          .then((p) => p.projectId),
    );
    const store = await openCatalogStore(required(context.target, 'dynamodbEndpoint'), context.target.tableName, tenant.tenantId);
    try {
      const actor = `token:${tenant.ciTokenId}`;
      const base = Date.now() - shape.models * shape.versionsPerModel * 1000;
      const models = Array.from({ length: shape.models }, (_, i) =>
        benchModel(
          {
            projectId: projects[i % PROJECTS],
            name: modelName(i),
            tags: ['scale', `team-${i % 4}`],
            framework: i % 2 ? 'onnx' : 'sklearn',
            owner: actor,
            versions: shape.versionsPerModel,
          },
          actor,
          new Date(base + i * shape.versionsPerModel * 1000),
        ),
      );
      const modelItems = models.flatMap((m) => modelCreationWrites(m).map((w) => itemOf(store.table, w)));
      const total = modelItems.length + shape.models * shape.versionsPerModel + 1;
      function* items(): Generator<Item> {
        yield* modelItems;
        for (let v = 1; v <= shape.versionsPerModel; v++) {
          for (const [i, m] of models.entries()) {
            yield versionWriteItem(store.table, benchVersion(m, v, actor, new Date(base + (i * shape.versionsPerModel + v) * 1000), seededStatus(v)));
          }
        }
        yield itemOf(store.table, usageWrite({ models: shape.models, versions: shape.models * shape.versionsPerModel }));
      }
      context.report(
        `  seeding tenant ${tenant.tenantId}: ${shape.models} models × ${shape.versionsPerModel} versions (${total.toLocaleString('en-US')} items, no audit events) with BatchWriteItem`,
      );
      const seeded = await batchPut(store.documents, store.tableName, items(), { total, label: `seed ${size}`, report: context.report, concurrency: 4 });
      context.report(
        `  seeded ${seeded.items.toLocaleString('en-US')} items in ${seeded.seconds.toFixed(1)} s (${(seeded.items / seeded.seconds).toFixed(0)} items/s)`,
      );
      return {
        size,
        tenant,
        projects,
        modelIds: models.map((m) => m.modelId),
        versions: shape.models * shape.versionsPerModel,
        seedSeconds: Math.round(seeded.seconds * 10) / 10,
      };
    } finally {
      store.close();
    }
  });
}

type Query = 'versions-by-project' | 'versions-by-status' | 'versions-by-name' | 'models-by-tag' | 'model-versions';

const QUERIES: Record<Query, { describe: string; path: (catalog: ScaleCatalog, seq: number) => string }> = {
  'versions-by-project': {
    describe: 'GET /versions?projectId=…&limit=25',
    path: (c, seq) => `/versions?projectId=${c.projects[seq % c.projects.length]}&limit=25`,
  },
  'versions-by-status': { describe: 'GET /versions?status=…&limit=25', path: (_c, seq) => `/versions?status=${STATUSES[seq % STATUSES.length]}&limit=25` },
  'versions-by-name': {
    describe: 'GET /versions?namePrefix=…&limit=25',
    path: (_c, seq) => `/versions?namePrefix=${NAME_PREFIXES[seq % NAME_PREFIXES.length]}&limit=25`,
  },
  'models-by-tag': { describe: 'GET /models?tag=scale&limit=25', path: () => '/models?tag=scale&limit=25' },
  'model-versions': {
    describe: 'GET /models/{id}/versions?limit=25',
    path: (c, seq) => `/models/${c.modelIds[(seq * 7919) % c.modelIds.length]}/versions?limit=25`,
  },
};

function scaleScenario(size: Size, query: Query): Scenario {
  const shape = SHAPES[size];
  const versions = (shape.models * shape.versionsPerModel).toLocaleString('en-US');
  return {
    name: `scale-${size}-${query}`,
    measures: `${QUERIES[query].describe} on a tenant of ${versions} versions (${shape.models} models)`,
    requires: ['api', 'dynamodb'],
    defaults: { connections: 8, durationSeconds: 10, warmupSeconds: 3 },
    compare: size === '100k' ? { with: `scale-1k-${query}`, kind: 'p95', atMost: 1.5 } : undefined,
    async run(context) {
      const catalog = await scaleCatalog(context, size);
      // With the 100k scenarios in the same run, both tenants are seeded before either is measured: the 1k
      // figures then come from the same table, and a DynamoDB Local as warm, as the 100k ones.
      if (context.selected.some((n) => n.startsWith('scale-100k-'))) await scaleCatalog(context, '100k');
      await warmStore(context, required(context.target, 'dynamodbEndpoint'));
      const measurement = await runHttpLoad(
        {
          title: `scale-${size}-${query}`,
          url: `${required(context.target, 'apiUrl')}/versions`,
          headers: { authorization: `Bearer ${catalog.tenant.ciToken}` },
          next: (seq) => ({ path: QUERIES[query].path(catalog, seq) }),
        },
        context.load,
        context.report,
        context.window,
      );
      return {
        ...measurement,
        notes: {
          tenantId: catalog.tenant.tenantId,
          models: shape.models,
          versions: catalog.versions,
          projects: PROJECTS,
          pageSize: 25,
          seedSeconds: catalog.seedSeconds,
          seeded: 'BatchWriteItem of the domain builders’ items; no audit events',
        },
      };
    },
  };
}

const QUERY_ORDER: readonly Query[] = ['versions-by-project', 'versions-by-status', 'versions-by-name', 'models-by-tag', 'model-versions'];
export const SCALE_1K = QUERY_ORDER.map((q) => scaleScenario('1k', q));
export const SCALE_100K = QUERY_ORDER.map((q) => scaleScenario('100k', q));
