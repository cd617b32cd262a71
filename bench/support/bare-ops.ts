import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { counterCombiner } from '../../core/adapters/dynamodb/counter-combiner';
import { transactionCombiner } from '../../core/adapters/dynamodb/transaction-combiner';
import { auditWrite } from '../../core/audit/audit-event';
import { pad } from '../../core/catalog/identifiers';
import { facetPartition } from '../../core/catalog/models';
import { VersionNumbers } from '../../core/catalog/version-numbers';
import { type ModelVersion, versionKey, versionWrite } from '../../core/catalog/versions';
import { PLANS } from '../../core/tenancy/plans';
import { runClosedLoop } from '../drivers/closed-loop';
import type { ScenarioContext } from '../scenarios/scenario';
import { BENCH_ARTIFACT, tokenMeta } from './catalog-data';
import { type BareCatalog, bareCatalog, CATALOG_PREFIXES, CATALOG_TAGS, CATALOG_VERSIONS } from './catalog-fixture';

/**
 * The DynamoDB calls of each catalog API operation, and nothing else, for the
 * bare baselines (bench/scenarios/catalog-baseline.ts): the same requests,
 * built with the domain's own builders (versionWrite, modelWrite, auditWrite,
 * ScopedTable.prepare, VersionNumbers, versionKey, facetPartition,
 * ScopedTable.partitionKey) or, where the domain builds and sends in one method
 * (ScopedTable.adjust/get/query), a copy of that method's request.
 */
export interface BareOps {
  /**
   * reserveQuota (UpdateItem) + registerVersion's transaction (version, audit
   * event; with `--audit-chain at-commit` the event linked and one head write
   * per combined call), the writes through the same group-commit combiners as
   * ScopedTable, so concurrent callers share calls exactly as concurrent API
   * requests do; the model is read once per model, as VersionNumbers does.
   */
  createVersion(caller: number, n: number, callers: number): Promise<void>;
  /** loadVersion: one consistent GetItem. */
  getVersion(n: number): Promise<void>;
  /** searchVersions with a name prefix: one Query of 25 on gsi3. */
  searchVersions(n: number): Promise<void>;
  /** searchModels by tag: one Query of 25 search entries. */
  searchModels(n: number): Promise<void>;
  /** Transactions refused on a revision race, retried as the API retries them. */
  readonly retries: () => number;
}

export function bareOps(bare: BareCatalog): BareOps {
  const { table, documents, tableName } = bare.store;
  const quota = PLANS.enterprise.versions;
  const usageKey = { pk: table.partitionKey(['USAGE']), sk: 'META' };
  const versionKeys = bare.models.flatMap((m) =>
    Array.from({ length: CATALOG_VERSIONS }, (_, v) => {
      const key = versionKey(m.modelId, v + 1);
      return { pk: table.partitionKey(key.partition), sk: key.sort };
    }),
  );
  const allVersions = table.partitionKey(['VERSIONS', 'all']);
  const tagPartitions = CATALOG_TAGS.map((tag) => table.partitionKey(facetPartition('tag', tag)));
  let retries = 0;
  return {
    retries: () => retries,
    async createVersion(caller, n, callers) {
      // Each caller owns the models i ≡ caller (mod callers): like the API run, no two calls race on one model.
      const owned = Math.floor(bare.models.length / callers);
      const modelId = bare.models[caller + callers * (n % owned)].modelId;
      // reserveQuota → ScopedTable.adjust (one conditional UpdateItem on the tenant's USAGE item, through
      // the same CounterCombiner) beside VersionNumbers.next (the model's facts and next number: the
      // same class, so a GetItem + Query only the first time a model is seen), as registerVersion runs them.
      const numbers = VersionNumbers.of(table, modelId);
      const [, first] = await Promise.all([
        counterCombiner(documents).add({ tableName, key: usageKey, attribute: 'versions', by: 1, atMost: quota }),
        numbers.next(),
      ]);
      for (let next = first; ; next = await numbers.next()) {
        const { facts, number } = next;
        const now = new Date();
        const version: ModelVersion = {
          modelId,
          modelName: facts.name,
          projectId: facts.projectId,
          version: number,
          status: 'registered',
          source: 'imported',
          artifact: { ...BENCH_ARTIFACT, key: `models/${modelId}/versions/${pad(number)}/artifact`, state: 'awaiting-upload' },
          lineage: { datasets: [], hyperparameters: {} },
          createdAt: now.toISOString(),
          createdBy: `token:${bare.tokenId}`,
          updatedAt: now.toISOString(),
          revision: 1,
        };
        const writes = [
          versionWrite(version, 'new'),
          auditWrite(tokenMeta(bare.tokenId), 'version.registered', { type: 'version', id: `${modelId}-${number}` }, { after: version }, now).write,
        ];
        try {
          // ScopedTable.transact → the same TransactionCombiner (concurrent transactions share one call),
          // the audit event linked into the tenant's chain at commit where the platform does that too.
          const chain = table.chainSequence;
          await transactionCombiner(documents).write(
            writes.map((w) => table.prepare(w)),
            chain ? [{ index: 1, sequence: chain }] : [],
          );
          numbers.taken(number);
          return;
        } catch (error) {
          // The API retries a number taken meanwhile with the next; so does the baseline (it should not happen here).
          if ((error as Error).name !== 'TransactionCanceledException' || !(await numbers.numberTaken(number))) throw error;
          retries++;
        }
      }
    },
    async getVersion(n) {
      const out = await documents.send(new GetCommand({ TableName: tableName, Key: versionKeys[(n * 7919) % versionKeys.length], ConsistentRead: true }));
      if (!out.Item) throw new Error('version not found');
    },
    async searchVersions(n) {
      // searchVersions → ScopedTable.query: the same request.
      const out = await documents.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: 'gsi3',
          KeyConditionExpression: '#p = :p AND begins_with(#s, :s)',
          ExpressionAttributeNames: { '#p': 'gsi3pk', '#s': 'gsi3sk' },
          ExpressionAttributeValues: { ':p': allVersions, ':s': CATALOG_PREFIXES[n % CATALOG_PREFIXES.length] },
          Limit: 25,
          ScanIndexForward: true,
        }),
      );
      if ((out.Items?.length ?? 0) < 25) throw new Error(`a short page (${out.Items?.length})`);
    },
    async searchModels(n) {
      // searchModels → ScopedTable.query: the same request.
      const out = await documents.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: '#p = :p',
          ExpressionAttributeNames: { '#p': 'pk' },
          ExpressionAttributeValues: { ':p': tagPartitions[n % tagPartitions.length] },
          Limit: 25,
          ScanIndexForward: true,
        }),
      );
      if ((out.Items?.length ?? 0) < 25) throw new Error(`a short page (${out.Items?.length})`);
    },
  };
}

/** Seconds of mixed catalog calls run once per DynamoDB Local before anything on it is measured. */
export const STORE_WARMUP_SECONDS = 30;

/**
 * DynamoDB Local is a JVM: its first thousands of calls run in the
 * interpreter, then get compiled. Whatever runs first in a run would pay for
 * that (and a baseline always runs before its API scenario, which would flatter
 * the API), so every DynamoDB Local the catalog scenarios use first gets
 * STORE_WARMUP_SECONDS of the four bare operations, unmeasured.
 */
export function warmStore(context: ScenarioContext, endpoint: string): Promise<void> {
  return context.shared.once(`warm:${endpoint}`, async () => {
    const bare = await bareCatalog(context, endpoint);
    const ops = bareOps(bare);
    context.report(`  warming DynamoDB Local at ${endpoint}: ${STORE_WARMUP_SECONDS} s of mixed catalog calls, not measured`);
    const quiet = () => undefined;
    await runClosedLoop(
      'warm-up',
      (caller, n) =>
        [() => ops.createVersion(caller, n, 8), () => ops.getVersion(n * 8 + caller), () => ops.searchVersions(n + caller), () => ops.searchModels(n + caller)][
          (n + caller) % 4
        ](),
      { connections: 8, durationSeconds: STORE_WARMUP_SECONDS, warmupSeconds: 0 },
      quiet,
    );
  });
}
