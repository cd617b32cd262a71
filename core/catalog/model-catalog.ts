import { z } from 'zod';
import type { Page } from '../ports/metadata-store';
import { auditWrite } from '../audit/audit-event';
import { Conflict, QuotaExceeded, ValidationFailed } from '../errors';
import type { TenantScope } from '../tenancy/tenant-scope';
import { quotaReservationWrite, reserveQuota } from '../tenancy/usage';
import { IoSchema } from './artifacts/io-schema';
import { NameSchema, nameKey, newCatalogId, TagsSchema } from './identifiers';
import {
  facetPartition,
  loadModel,
  type Model,
  MODEL_TYPES,
  type ModelFacet,
  modelEntryWrites,
  modelKey,
  modelNameGuard,
  type ModelSummary,
  modelWrite,
} from './models';
import { getProject } from './projects';

export const CreateModelInput = z.object({
  projectId: z.string().regex(/^[0-9a-z]{26}$/, 'not a project id'),
  name: NameSchema,
  type: z.enum(MODEL_TYPES),
  framework: z
    .string()
    .trim()
    .min(1)
    .max(60)
    .regex(/^[a-z0-9][a-z0-9._-]*$/, 'lower-case letters, digits, . _ -'),
  description: z.string().trim().max(4000).optional(),
  owner: z.string().trim().min(1).max(200).optional(),
  tags: TagsSchema,
  schema: IoSchema,
});

export const UpdateModelInput = z
  .object({
    description: z.string().trim().max(4000).optional(),
    owner: z.string().trim().min(1).max(200).optional(),
    tags: TagsSchema.optional(),
    expectedRevision: z.number().int().min(1).optional(),
  })
  .refine((v) => Object.keys(v).some((k) => k !== 'expectedRevision'), { message: 'nothing to change' });

export const ModelSearchInput = z.object({
  namePrefix: z.string().trim().max(100).optional(),
  projectId: z
    .string()
    .regex(/^[0-9a-z]{26}$/)
    .optional(),
  type: z.enum(MODEL_TYPES).optional(),
  framework: z.string().max(60).optional(),
  owner: z.string().max(200).optional(),
  tag: z.string().max(64).optional(),
  order: z.enum(['asc', 'desc']).default('asc'),
});

/**
 * Registers a model in a project; its name is unique within the project
 * (case-insensitive). The project's existence is a condition of the
 * transaction, not a read before it: the project is read only to explain a
 * refusal (404 for a missing project comes before 429 and 409, as it would
 * had it been read first).
 */
export async function createModel(scope: TenantScope, input: z.infer<typeof CreateModelInput>): Promise<Model> {
  const now = scope.now();
  const model: Model = {
    modelId: newCatalogId(now),
    projectId: input.projectId,
    name: input.name,
    type: input.type,
    framework: input.framework,
    description: input.description,
    owner: input.owner ?? scope.meta.actor,
    tags: input.tags,
    schema: input.schema,
    aliases: {},
    latestVersion: 0,
    createdAt: now.toISOString(),
    createdBy: scope.meta.actor,
    updatedAt: now.toISOString(),
    revision: 1,
  };
  // Where transactions run one at a time the reservation is a write of the model's own
  // transaction; on DynamoDB the usage item would make concurrent registrations cancel
  // each other, so it is reserved first and given back if the registration fails.
  const reserveInTransaction = scope.table.serialisesTransactions;
  let release: (() => Promise<void>) | undefined;
  if (!reserveInTransaction) {
    try {
      release = await reserveQuota(scope.table, scope.quotas, 'models', 1);
    } catch (error) {
      if (error instanceof QuotaExceeded) await getProject(scope, input.projectId);
      throw error;
    }
  }
  try {
    // The project check comes before the reservation, and both before the name: 404, then 429, then 409.
    await scope.table.transact([
      { kind: 'check', key: { partition: ['PROJECT', input.projectId], sort: 'META' }, expect: 'exists' },
      ...(reserveInTransaction ? [quotaReservationWrite(scope.quotas, 'models', 1)] : []),
      { kind: 'put', key: modelNameGuard(model.projectId, model.name), item: { entity: 'model-name', modelId: model.modelId }, expect: 'new' },
      modelWrite(model, 'new'),
      ...modelEntryWrites(undefined, model),
      auditWrite(scope.meta, 'model.created', { type: 'model', id: model.modelId }, { after: model }, now).write,
    ]);
  } catch (error) {
    await release?.();
    if (error instanceof QuotaExceeded) {
      await getProject(scope, input.projectId);
      throw new QuotaExceeded('models', scope.quotas.models, { cause: error });
    }
    if (error instanceof Conflict) {
      await getProject(scope, input.projectId);
      throw new Conflict(`a model named '${input.name}' already exists in this project`, { cause: error });
    }
    throw error;
  }
  return model;
}

export function getModel(scope: TenantScope, modelId: string): Promise<Model> {
  return loadModel(scope.table, modelId);
}

export async function updateModel(scope: TenantScope, modelId: string, input: z.infer<typeof UpdateModelInput>): Promise<Model> {
  const before = await getModel(scope, modelId);
  const { expectedRevision, ...changes } = input;
  const now = scope.now();
  const after: Model = { ...before, ...changes, updatedAt: now.toISOString(), revision: before.revision + 1 };
  await scope.table.transact([
    modelWrite(after, { revision: expectedRevision ?? before.revision }),
    ...modelEntryWrites(before, after),
    auditWrite(scope.meta, 'model.updated', { type: 'model', id: modelId }, { before: strip(before), after: strip(after) }, now).write,
  ]);
  return after;
}

/**
 * Finds models by one indexed dimension (project, type, framework, owner or
 * tag; all models when none), optionally narrowed by a name prefix, sorted by
 * name. Every page is one Query of `limit` entries, whatever the catalog size.
 */
export async function searchModels(
  scope: TenantScope,
  input: z.infer<typeof ModelSearchInput>,
  page: { limit: number; cursor?: string },
): Promise<Page<ModelSummary>> {
  const facets = (['projectId', 'type', 'framework', 'owner', 'tag'] as const).filter((f) => input[f] !== undefined);
  if (facets.length > 1) {
    throw new ValidationFailed(
      'filter by one of projectId, type, framework, owner or tag (plus namePrefix)',
      facets.slice(1).map((f) => ({ field: `query.${f}`, problem: `cannot combine with ${facets[0]}` })),
    );
  }
  const facet = facets[0];
  const [name, value]: [ModelFacet, string] = facet ? [facet === 'projectId' ? 'project' : facet, String(input[facet])] : ['all', ''];
  const result = await scope.table.query<ModelSummary>({
    partition: facetPartition(name, name === 'tag' ? value.toLowerCase() : value),
    sortBeginsWith: input.namePrefix ? nameKey(input.namePrefix) : undefined,
    limit: page.limit,
    cursor: page.cursor,
    descending: input.order === 'desc',
  });
  return { items: result.items.map(summaryOfEntry), cursor: result.cursor };
}

/**
 * A search entry as the API returns it: its summary fields, named one by one
 * (an entry holds exactly these and `entity`; building the object literally
 * costs a tenth of copying all but `entity` with a rest pattern, 25 times a page).
 */
function summaryOfEntry(entry: ModelSummary): ModelSummary {
  return {
    modelId: entry.modelId,
    projectId: entry.projectId,
    name: entry.name,
    type: entry.type,
    framework: entry.framework,
    owner: entry.owner,
    tags: entry.tags,
    description: entry.description,
    createdAt: entry.createdAt,
  };
}

export { modelKey };

/** Audit before/after without the (possibly large) schema when it did not change. */
function strip(model: Model): Omit<Model, 'schema'> {
  const { schema: _schema, ...rest } = model;
  return rest;
}
