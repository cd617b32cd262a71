import { z } from 'zod';
import type { MetadataTable, ScopedWrite } from '../ports/metadata-store';
import { NotFound } from '../errors';
import { IoSchema } from './artifacts/io-schema';
import { facetValue, nameKey } from './identifiers';
import { latestVersionNumber } from './versions';

export const MODEL_TYPES = ['ml', 'rules', 'scorecard'] as const;
export const MODEL_ALIASES = ['champion', 'challenger'] as const;
export type ModelAlias = (typeof MODEL_ALIASES)[number];

export const ModelSchema = z.object({
  modelId: z.string(),
  projectId: z.string(),
  name: z.string(),
  type: z.enum(MODEL_TYPES),
  framework: z.string(),
  description: z.string().optional(),
  owner: z.string(),
  tags: z.array(z.string()),
  schema: IoSchema,
  aliases: z.object({ champion: z.number().int().optional(), challenger: z.number().int().optional() }),
  latestVersion: z.number().int(),
  createdAt: z.string(),
  createdBy: z.string(),
  updatedAt: z.string(),
  revision: z.number().int(),
});
export type Model = z.infer<typeof ModelSchema>;

/** The fields a catalog search returns for a model (carried by every facet entry, so a page is one Query). */
export type ModelSummary = Pick<Model, 'modelId' | 'projectId' | 'name' | 'type' | 'framework' | 'owner' | 'tags' | 'description' | 'createdAt'>;

/** Dimensions a model can be found by; each value has its own partition of entries sorted by name. */
export type ModelFacet = 'all' | 'project' | 'type' | 'framework' | 'owner' | 'tag';

export function modelKey(modelId: string) {
  return { partition: ['MODEL', modelId], sort: 'META' };
}

export function modelNameGuard(projectId: string, name: string) {
  return { partition: ['MODELNAME', projectId, facetValue(nameKey(name))], sort: 'META' };
}

export function facetPartition(facet: ModelFacet, value: string): string[] {
  switch (facet) {
    case 'all':
      return ['MX', 'all'];
    case 'project':
      return ['MX', 'project', value];
    case 'type':
      return ['MX', 'type', value];
    default:
      return ['MX', facet, facetValue(value)];
  }
}

function facetsOf(model: ModelSummary): Array<[ModelFacet, string]> {
  return [
    ['all', ''],
    ['project', model.projectId],
    ['type', model.type],
    ['framework', model.framework],
    ['owner', model.owner],
    ...model.tags.map((t) => ['tag', t] as [ModelFacet, string]),
  ];
}

function summaryOf(model: ModelSummary): ModelSummary {
  const { modelId, projectId, name, type, framework, owner, tags, description, createdAt } = model;
  return { modelId, projectId, name, type, framework, owner, tags, description: description?.slice(0, 280), createdAt };
}

const entrySort = (model: ModelSummary) => `${nameKey(model.name)}#${model.modelId}`;

/**
 * Writes that keep the model's search entries in step with it: removed for
 * facets it left, (re)written for the ones it has. Only searchable fields are
 * in entries, so creating versions never rewrites them.
 */
export function modelEntryWrites(before: ModelSummary | undefined, after: ModelSummary): ScopedWrite[] {
  const writes: ScopedWrite[] = [];
  const keyOf = ([facet, value]: [ModelFacet, string]) => facetPartition(facet, value).join('|');
  const afterFacets = facetsOf(after);
  const afterKeys = new Set(afterFacets.map(keyOf));
  const changed = !before || JSON.stringify(summaryOf(before)) !== JSON.stringify(summaryOf(after));
  if (before) {
    for (const f of facetsOf(before)) {
      if (!afterKeys.has(keyOf(f))) writes.push({ kind: 'delete', key: { partition: facetPartition(...f), sort: entrySort(before) } });
    }
  }
  if (changed) {
    // One entry for every facet: the same fields under each partition (stores copy an item, never change it).
    const sort = entrySort(after);
    const item = { entity: 'model-entry', ...summaryOf(after) };
    for (const f of afterFacets) writes.push({ kind: 'put', key: { partition: facetPartition(...f), sort }, item });
  }
  return writes;
}

/**
 * The model's item. `latestVersion` is not stored: registering a version
 * writes only the version and its audit event (the number is claimed by the
 * version key itself, see registerVersion), and loadModel reads the highest
 * version key instead.
 */
export function modelWrite(model: Model, expect: 'new' | { revision: number }): ScopedWrite {
  const { latestVersion: _derived, ...stored } = model;
  return { kind: 'put', key: modelKey(model.modelId), item: { entity: 'model', ...stored }, expect };
}

/** The model as stored: everything but `latestVersion`, which is derived. */
export type ModelRecord = Omit<Model, 'latestVersion'>;

/**
 * How a stored model is read back. Built once: zod compiles a schema on its
 * first parse, so a schema derived per read (`.omit()` in the read path) cost
 * a compilation on every GET. The input/output schema is checked for its
 * shape only: it was validated in full (IoSchema) before it was ever written,
 * and re-running those refinements on every read was most of a read's cost.
 */
const StoredModelSchema = ModelSchema.omit({ latestVersion: true }).extend({
  schema: z.custom<z.infer<typeof IoSchema>>(
    (value) =>
      typeof value === 'object' &&
      value !== null &&
      Array.isArray((value as { inputs?: unknown }).inputs) &&
      Array.isArray((value as { outputs?: unknown }).outputs),
    'a stored input/output schema',
  ),
});

/** The stored model, one GetItem (NotFound if there is none): for rules that do not need `latestVersion`. */
export async function loadModelRecord(table: MetadataTable, modelId: string): Promise<ModelRecord> {
  const item = await table.get(modelKey(modelId));
  if (!item) throw new NotFound('model', modelId);
  return StoredModelSchema.parse(item);
}

/** The model as the API shows it: the stored item and, beside it, its highest version key. */
export async function loadModel(table: MetadataTable, modelId: string): Promise<Model> {
  const [record, latestVersion] = await Promise.all([loadModelRecord(table, modelId), latestVersionNumber(table, modelId)]);
  return { ...record, latestVersion };
}
