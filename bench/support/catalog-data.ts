import { auditChainAtCommit } from '../../core/adapters/dynamodb/audit-chain-at-commit';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createAwsClients, type AwsClients } from '../../core/adapters/aws-clients';
import { bootstrapTable } from '../../core/adapters/dynamodb/bootstrap-table';
import type { Item, ScopedTable, ScopedWrite } from '../../core/adapters/dynamodb/scoped-table';
import { tenantTable } from '../../core/adapters/dynamodb/tables';
import type { ActionMeta } from '../../core/audit/audit-event';
import { newCatalogId, pad } from '../../core/catalog/identifiers';
import { type Model, modelEntryWrites, modelNameGuard, modelWrite } from '../../core/catalog/models';
import type { VersionStatus } from '../../core/catalog/version-status';
import { type ModelVersion, versionWrite } from '../../core/catalog/versions';
import { readSettings } from '../../core/config/settings';

/**
 * Catalog data for the benchmarks, built with the domain's own item builders
 * (modelWrite, modelEntryWrites, modelNameGuard, versionWrite) and written
 * through ScopedTable.prepare(…).Put.Item, so every seeded item — keys, index
 * keys, attributes — is exactly what the API would have written. What seeding
 * skips, and says so: the audit event of each creation (and so the sealer's
 * work on it), and the per-request quota reservation (the USAGE counters are
 * written once with the seeded totals).
 */

/** A model's input/output schema of realistic size (12 inputs), shared by API-created and seeded models. */
export const BENCH_SCHEMA = {
  inputs: [
    ...['age', 'tenure_months', 'num_products', 'num_complaints'].map((name) => ({ name, type: 'int' as const })),
    ...['income', 'balance', 'credit_limit', 'utilisation', 'avg_monthly_spend', 'days_past_due'].map((name) => ({ name, type: 'double' as const })),
    { name: 'segment', type: 'category' as const, allowed: ['retail', 'premier', 'private', 'business'] },
    { name: 'has_mortgage', type: 'bool' as const },
  ],
  outputs: [{ name: 'score', type: 'double' as const }],
};

/** The artifact every benchmark version declares (registration only: no upload). */
export const BENCH_ARTIFACT = { format: 'onnx' as const, sha256: createHash('sha256').update('steward bench artifact').digest('hex'), size: 48_213 };

const TENANT_ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/** A well-formed tenant id that no registry entry names: data under it is invisible to the platform (no sweep, no API). */
export function syntheticTenantId(): string {
  const bytes = randomBytes(15);
  return `t${[...bytes].map((b) => TENANT_ALPHABET[b % 32]).join('')}`;
}

export interface CatalogStore {
  readonly clients: AwsClients;
  readonly documents: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly table: ScopedTable;
  close(): void;
}

/** The platform's table (created if missing: a fresh in-memory DynamoDB Local) bound to one tenant. */
export async function openCatalogStore(
  endpoint: string,
  tableName: string,
  tenantId: string,
  auditChain: 'at-commit' | 'deferred' = 'deferred',
): Promise<CatalogStore> {
  const clients = createAwsClients(readSettings({ STEWARD_MODE: 'local', STEWARD_DYNAMODB_ENDPOINT: endpoint, STEWARD_TABLE_NAME: tableName }));
  await bootstrapTable(clients.dynamodb, tableName);
  return {
    clients,
    documents: clients.documents,
    tableName,
    table: tenantTable(clients.documents, tableName, tenantId, auditChain === 'at-commit' ? { chain: auditChainAtCommit } : {}),
    close: () => clients.dynamodb.destroy(),
  };
}

export interface ModelSpec {
  readonly projectId: string;
  readonly name: string;
  readonly tags: readonly string[];
  readonly framework?: string;
  readonly owner: string;
  readonly versions: number;
}

/** Status of version `n` in seeded catalogs: mostly registered, a third evaluated, every tenth approved. */
export function seededStatus(n: number): VersionStatus {
  if (n % 10 === 0) return 'approved';
  if (n % 3 === 0) return 'evaluated';
  return 'registered';
}

export function benchModel(spec: ModelSpec, actor: string, at: Date): Model {
  return {
    modelId: newCatalogId(at),
    projectId: spec.projectId,
    name: spec.name,
    type: 'ml',
    framework: spec.framework ?? 'onnx',
    description: `benchmark model ${spec.name}`,
    owner: spec.owner,
    tags: [...new Set(spec.tags.map((t) => t.toLowerCase()))].sort(),
    schema: BENCH_SCHEMA,
    aliases: {},
    latestVersion: spec.versions,
    createdAt: at.toISOString(),
    createdBy: actor,
    updatedAt: at.toISOString(),
    // One revision for the creation, one per registered version (registerVersion bumps it).
    revision: 1 + spec.versions,
  };
}

export function benchVersion(
  model: Pick<Model, 'modelId' | 'name' | 'projectId'>,
  number: number,
  actor: string,
  at: Date,
  status: VersionStatus = 'registered',
): ModelVersion {
  const verified = status !== 'registered' && status !== 'training';
  return {
    modelId: model.modelId,
    modelName: model.name,
    projectId: model.projectId,
    version: number,
    status,
    source: 'imported',
    artifact: {
      ...BENCH_ARTIFACT,
      key: `models/${model.modelId}/versions/${pad(number)}/artifact`,
      state: verified ? 'verified' : 'awaiting-upload',
      ...(verified ? { verifiedAt: at.toISOString() } : {}),
    },
    lineage: { datasets: [], hyperparameters: {} },
    createdAt: at.toISOString(),
    createdBy: actor,
    updatedAt: at.toISOString(),
    // registered → evaluating → evaluated (→ pending-approval → approved): one revision per move.
    revision: status === 'registered' ? 1 : status === 'evaluated' ? 3 : 5,
  };
}

/** The writes the API makes for a model's creation (minus its audit event): the model, its name guard, its search entries. */
export function modelCreationWrites(model: Model): ScopedWrite[] {
  return [
    { kind: 'put', key: modelNameGuard(model.projectId, model.name), item: { entity: 'model-name', modelId: model.modelId }, expect: 'new' },
    modelWrite(model, 'new'),
    ...modelEntryWrites(undefined, model),
  ];
}

const USAGE_KEY = { partition: ['USAGE'], sort: 'META' }; // core/tenancy/usage.ts

/** The USAGE counters quota reservations would have left after seeding. */
export function usageWrite(counts: { models: number; versions: number }): ScopedWrite {
  return { kind: 'put', key: USAGE_KEY, item: { models: counts.models, versions: counts.versions } };
}

/** The item a put write stores: exactly what the API's transaction would put. */
export function itemOf(table: ScopedTable, write: ScopedWrite): Item {
  const prepared = table.prepare(write);
  if (!prepared.Put?.Item) throw new Error(`seeding writes puts only, not ${write.kind}`);
  return prepared.Put.Item as Item;
}

/**
 * Writes items with BatchWriteItem (25 a call, `concurrency` calls in flight),
 * retrying unprocessed items, with a progress line every few seconds.
 */
export async function batchPut(
  documents: DynamoDBDocumentClient,
  tableName: string,
  items: AsyncIterable<Item> | Iterable<Item>,
  options: { total: number; label: string; report: (line: string) => void; concurrency?: number; everyMs?: number },
): Promise<{ items: number; seconds: number }> {
  const started = performance.now();
  let written = 0;
  let lastReport = started;
  let lastWritten = 0;
  const progress = (force = false) => {
    const now = performance.now();
    if (!force && now - lastReport < (options.everyMs ?? 3000)) return;
    const rate = ((written - lastWritten) / (now - lastReport)) * 1000;
    const overall = (written / (now - started)) * 1000;
    const eta = overall > 0 ? (options.total - written) / overall : Number.NaN;
    options.report(
      `  ${options.label}: ${written.toLocaleString('en-US')}/${options.total.toLocaleString('en-US')} items (${rate.toFixed(0)}/s now, ${overall.toFixed(0)}/s overall${written < options.total ? `, ~${Math.ceil(eta)} s left` : ''})`,
    );
    lastReport = now;
    lastWritten = written;
  };
  const ticker = setInterval(() => progress(), options.everyMs ?? 3000);
  const inFlight = new Set<Promise<void>>();
  const limit = options.concurrency ?? 4;
  const send = async (chunk: Item[]) => {
    let requests = chunk.map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 0; requests.length; attempt++) {
      const out = await documents.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } }));
      const unprocessed = out.UnprocessedItems?.[tableName] ?? [];
      written += requests.length - unprocessed.length;
      requests = unprocessed as typeof requests;
      if (requests.length) await new Promise((r) => setTimeout(r, Math.min(1000, 20 * 2 ** attempt)));
    }
  };
  try {
    let chunk: Item[] = [];
    const flush = async () => {
      const p = send(chunk).finally(() => inFlight.delete(p));
      inFlight.add(p);
      chunk = [];
      if (inFlight.size >= limit) await Promise.race(inFlight);
    };
    for await (const item of items as AsyncIterable<Item>) {
      chunk.push(item);
      if (chunk.length === 25) await flush();
    }
    if (chunk.length) await flush();
    await Promise.all(inFlight);
  } finally {
    clearInterval(ticker);
  }
  progress(true);
  return { items: written, seconds: (performance.now() - started) / 1000 };
}

/** Request metadata as the API's tenant guard builds it for a CI-token caller. */
export function tokenMeta(tokenId: string): ActionMeta {
  return { actor: `token:${tokenId}`, requestId: randomUUID(), sourceIp: '127.0.0.1', tokenId };
}

/** A version's item, as registerVersion's transaction puts it. */
export function versionWriteItem(table: ScopedTable, version: ModelVersion): Item {
  return itemOf(table, versionWrite(version, 'new'));
}
