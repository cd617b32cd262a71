import { runClosedLoop } from '../drivers/closed-loop';
import { bareOps, warmStore } from '../support/bare-ops';
import { bareCatalog } from '../support/catalog-fixture';
import type { Scenario, ScenarioContext } from './scenario';

/**
 * The DynamoDB calls each catalog API operation makes, and nothing else
 * (bench/support/bare-ops.ts: the same requests, built with the domain's own
 * builders), through the same DocumentClient configuration, on the same
 * DynamoDB Local the API uses (or, with --bare-dynamodb memory, on one in
 * memory), by the same 8 concurrent callers (closed loop). The ratio API ÷
 * bare is what the API adds: HTTP, auth, validation, JSON, logging, the audit
 * sealer — on this machine, also the CPU the API takes from DynamoDB Local.
 *
 * They run on a synthetic tenant (same 100 models × 3 versions, written with
 * the item builders) that the registry does not know, so the audit sweep never
 * seals the events they write.
 */
const DEFAULTS = { connections: 8, durationSeconds: 10, warmupSeconds: 3 };

type Op = 'createVersion' | 'getVersion' | 'searchVersions' | 'searchModels';

function bareScenario(name: string, op: Op, measures: string): Scenario {
  return {
    name,
    measures,
    requires: ['dynamodb'],
    defaults: DEFAULTS,
    async run(context: ScenarioContext) {
      const bare = await bareCatalog(context);
      await warmStore(context, bare.endpoint);
      const ops = bareOps(bare);
      const callers = context.load.connections;
      const before = ops.retries();
      const measurement = await runClosedLoop(
        name,
        op === 'createVersion' ? (caller, n) => ops.createVersion(caller, n, callers) : (caller, n) => ops[op](n * callers + caller),
        context.load,
        context.report,
        context.window,
      );
      return {
        ...measurement,
        notes: {
          tenantId: bare.tenantId,
          endpoint: bare.endpoint,
          models: bare.models.length,
          ...(op === 'createVersion' ? { retries: ops.retries() - before, callsPerOperation: 2 } : { pageSize: op === 'getVersion' ? undefined : 25 }),
        },
      };
    },
  };
}

export const dynamodbCreateVersion = bareScenario(
  'dynamodb-create-version',
  'createVersion',
  'bare calls of create version, through the same group-commit combiners as the API: UpdateItem (USAGE quota, shared by concurrent callers) + TransactWriteItems (version put w/ 3 GSI keys, audit put w/ 3 GSI keys; concurrent callers share one call); the model read once per model',
);
export const dynamodbGetVersion = bareScenario('dynamodb-get-version', 'getVersion', 'bare call of get version: one consistent GetItem of a version item');
export const dynamodbSearchVersions = bareScenario(
  'dynamodb-search-versions',
  'searchVersions',
  'bare call of version search: one Query of 25 on gsi3 (all versions) with a name-prefix key condition',
);
export const dynamodbSearchModels = bareScenario(
  'dynamodb-search-models',
  'searchModels',
  'bare call of model search: one Query of 25 search entries of a tag',
);
