import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { newCatalogId } from '../../core/catalog/identifiers';
import type { Model } from '../../core/catalog/models';
import type { ScenarioContext } from '../scenarios/scenario';
import { required } from '../scenarios/scenario';
import { BenchApi, type BenchTenant, inPool, onboardTenant } from './api';
import {
  BENCH_ARTIFACT,
  BENCH_SCHEMA,
  batchPut,
  benchModel,
  benchVersion,
  type CatalogStore,
  itemOf,
  modelCreationWrites,
  openCatalogStore,
  syntheticTenantId,
  usageWrite,
  versionWriteItem,
} from './catalog-data';

/** Models of the catalog scenarios: writes are spread over them, reads rotate over their versions. */
export const CATALOG_MODELS = 100;
/** Versions registered per model before anything is measured. */
export const CATALOG_VERSIONS = 3;
/** `bench-model-000` … `bench-model-099`. */
export const catalogModelName = (i: number) => `bench-model-${String(i).padStart(3, '0')}`;
/** Name prefixes searched: each matches 10 models, 30+ versions, so every page is a full 25. */
export const CATALOG_PREFIXES = Array.from({ length: 10 }, (_, i) => `bench-model-0${i}`);
/** Tags searched: every model has `bench`, half `group-0`, half `group-1` (50 each). */
export const CATALOG_TAGS = ['bench', 'group-0', 'group-1'];
const catalogTags = (i: number) => ['bench', `group-${i % 2}`];

/** The tenant of the auth and catalog scenarios, onboarded through the API once per run. */
export function benchTenant(context: ScenarioContext): Promise<BenchTenant> {
  return context.shared.once('tenant:bench', () => onboardTenant(context.target, 'Bench catalog', { plan: 'enterprise', report: context.report }));
}

export interface ApiCatalog {
  readonly tenant: BenchTenant;
  readonly projectId: string;
  readonly models: readonly { readonly modelId: string; readonly name: string }[];
}

/**
 * The catalog the API scenarios use, made through the API with the CI token
 * (role data-scientist): one project, 100 models, 3 versions each.
 */
export function apiCatalog(context: ScenarioContext): Promise<ApiCatalog> {
  return context.shared.once('catalog:api', async () => {
    const tenant = await benchTenant(context);
    const api = new BenchApi(required(context.target, 'apiUrl'));
    const token = tenant.ciToken;
    const started = performance.now();
    const project = await api.call<{ projectId: string }>('POST', '/projects', {
      token,
      body: { name: 'bench-catalog', description: 'benchmark catalog', tags: ['bench'] },
    });
    const models = await inPool(
      Array.from({ length: CATALOG_MODELS }, (_, i) => i),
      8,
      (i) =>
        api.call<{ modelId: string; name: string }>('POST', '/models', {
          token,
          body: {
            projectId: project.projectId,
            name: catalogModelName(i),
            type: 'ml',
            framework: 'onnx',
            description: `benchmark model ${i}`,
            tags: catalogTags(i),
            schema: BENCH_SCHEMA,
          },
        }),
    );
    context.report(`  created 1 project and ${models.length} models through the API`);
    let registered = 0;
    for (let round = 0; round < CATALOG_VERSIONS; round++) {
      await inPool(models, 8, async (m) => {
        await api.call('POST', `/models/${m.modelId}/versions`, { token, body: { artifact: BENCH_ARTIFACT } });
        registered++;
      });
      context.report(`  registered ${registered}/${models.length * CATALOG_VERSIONS} versions through the API`);
    }
    context.report(`  catalog set-up took ${((performance.now() - started) / 1000).toFixed(1)} s`);
    return { tenant, projectId: project.projectId, models: models.map(({ modelId, name }) => ({ modelId, name })) };
  });
}

export interface BareCatalog {
  readonly store: CatalogStore;
  readonly tenantId: string;
  readonly tokenId: string;
  readonly models: readonly Model[];
  readonly endpoint: string;
}

/**
 * The same catalog (100 models of the same shape, 3 versions each) under a
 * synthetic tenant id that no registry entry names, written with the domain's
 * item builders into the table the bare baselines use: the platform's table on
 * its DynamoDB Local by default. Unregistered, so the audit sweep never visits
 * it: the bare baselines measure DynamoDB alone.
 */
export function bareCatalog(
  context: ScenarioContext,
  endpoint = context.target.bareDynamodbEndpoint ?? required(context.target, 'dynamodbEndpoint'),
): Promise<BareCatalog> {
  return context.shared.once(`catalog:bare:${endpoint}`, async () => {
    const tenantId = syntheticTenantId();
    const store = await openCatalogStore(endpoint, context.target.tableName, tenantId, context.target.auditChain);
    const at = new Date();
    const tokenId = newCatalogId(at);
    const actor = `token:${tokenId}`;
    const projectId = newCatalogId(at);
    const models = Array.from({ length: CATALOG_MODELS }, (_, i) =>
      benchModel({ projectId, name: catalogModelName(i), tags: catalogTags(i), owner: actor, versions: CATALOG_VERSIONS }, actor, new Date(at.getTime() + i)),
    );
    const items = [
      ...models.flatMap((m) => modelCreationWrites(m).map((w) => itemOf(store.table, w))),
      ...models.flatMap((m) => Array.from({ length: CATALOG_VERSIONS }, (_, v) => versionWriteItem(store.table, benchVersion(m, v + 1, actor, at)))),
      itemOf(store.table, usageWrite({ models: models.length, versions: models.length * CATALOG_VERSIONS })),
    ];
    context.report(`  seeding the bare baselines' catalog (synthetic tenant ${tenantId}, ${endpoint}): ${models.length} models × ${CATALOG_VERSIONS} versions`);
    await batchPut(store.documents, store.tableName, items, { total: items.length, label: 'bare catalog', report: context.report });
    return { store, tenantId, tokenId, models, endpoint };
  });
}

/** Audit events of a tenant not yet linked into its chain (the sealer's backlog). */
export async function unsealedEvents(store: CatalogStore): Promise<number> {
  let count = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const out = await store.documents.send(
      new QueryCommand({
        TableName: store.tableName,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :p',
        ExpressionAttributeValues: { ':p': store.table.partitionKey(['AUDIT', 'UNSEALED']) },
        Select: 'COUNT',
        ExclusiveStartKey: start,
      }),
    );
    count += out.Count ?? 0;
    start = out.LastEvaluatedKey;
  } while (start);
  return count;
}
