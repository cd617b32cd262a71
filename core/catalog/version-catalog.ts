import { stagingKeyOf } from './staged-uploads';
import { z } from 'zod';
import type { Page, QueryRequest, ScopedWrite } from '../ports/metadata-store';
import { datasetVersionKey } from './dataset-keys';
import { auditWrite } from '../audit/audit-event';
import { Conflict, DependencyFailed, Forbidden, StaleWrite, ValidationFailed } from '../errors';
import { KeyedSerializer } from '../concurrency/keyed-serializer';
import type { TenantScope } from '../tenancy/tenant-scope';
import { reserveQuota } from '../tenancy/usage';
import { VersionNumbers } from './version-numbers';
import { nameKey, pad } from './identifiers';
import { loadModel, loadModelRecord, type Model, type ModelAlias, modelWrite } from './models';
import { assertVersionTransition, GOVERNED_STATUSES, VERSION_STATUSES, type VersionStatus } from './version-status';
import { ARTIFACT_FORMATS, LineageSchema, loadVersion, type ModelVersion, versionKey, versionWrite } from './versions';

/** Largest artifact accepted (the presigned upload enforces the declared size). */
export const MAX_ARTIFACT_BYTES = 2 * 1024 ** 3;

export const RegisterVersionInput = z.object({
  source: z.enum(['trained', 'imported']).default('imported'),
  description: z.string().trim().max(4000).optional(),
  artifact: z.object({
    format: z.enum(ARTIFACT_FORMATS),
    sha256: z.string().regex(/^[0-9a-f]{64}$/, 'a lower-case hex SHA-256'),
    size: z.number().int().positive().max(MAX_ARTIFACT_BYTES, `at most ${MAX_ARTIFACT_BYTES} bytes`),
  }),
  // startedBy is never the client's to claim: registerVersion takes it from a pipeline principal.
  lineage: LineageSchema.omit({ startedBy: true }).default({ datasets: [], hyperparameters: {} }),
});

export const TransitionInput = z.object({
  to: z.enum(VERSION_STATUSES),
  reason: z.string().trim().min(1).max(1000).optional(),
  expectedRevision: z.number().int().min(1).optional(),
});

export const VersionSearchInput = z.object({
  status: z.enum(VERSION_STATUSES).optional(),
  stage: z.enum(['champion', 'challenger']).optional(),
  projectId: z
    .string()
    .regex(/^[0-9a-z]{26}$/)
    .optional(),
  namePrefix: z.string().trim().max(100).optional(),
  order: z.enum(['asc', 'desc']).default('asc'),
});

/** Numbers taken by other processes in a row before giving up; each try waits a little longer. */
const MAX_ALLOCATION_ATTEMPTS = 40;

/** Registrations of one model in this process take their number one after another: none ever loses it to a sibling. */
const numbering = new KeyedSerializer();

/**
 * Registers a new version: the next number of the model, status `registered`
 * (imported) or `training` (trained by a pipeline), artifact awaiting upload.
 * One transaction writes the version (on condition that its number is free:
 * the key itself is the claim, see VersionNumbers), the back-references to
 * its datasets and the audit event; a registration that lost its number to a
 * concurrent one retries with the next.
 */
export async function registerVersion(scope: TenantScope, modelId: string, input: z.infer<typeof RegisterVersionInput>): Promise<ModelVersion> {
  const numbers = VersionNumbers.of(scope.table, modelId);
  // The reservation and the model's facts are independent: one round trip, not two.
  const [reserved, first] = await Promise.allSettled([reserveQuota(scope.table, scope.quotas, 'versions', 1), numbers.next()]);
  if (reserved.status === 'rejected') throw reserved.reason;
  const release = reserved.value;
  try {
    if (first.status === 'rejected') throw first.reason;
    assertFormatFits(first.value.facts, input.artifact.format);
    return await numbering.run(numbers.identity, () => claimNextNumber(scope, modelId, numbers, input));
  } catch (error) {
    await release();
    throw error;
  }
}

/**
 * Writes the version under the next free number. In this process the caller
 * holds the model's turn (numbering), so only another process (another
 * Lambda container, a second API) can take the number first; then the next
 * one is tried, after a short randomized wait. A server-assigned number is
 * never the client's problem: running out of tries is the store's failure
 * (503), not a 412.
 */
async function claimNextNumber(
  scope: TenantScope,
  modelId: string,
  numbers: VersionNumbers,
  input: z.infer<typeof RegisterVersionInput>,
): Promise<ModelVersion> {
  // Inside the model's turn the remembered number is current, so the first try reads nothing.
  for (let attempt = 0, next = await numbers.next(); ; attempt++, next = await numbers.next()) {
    const { facts, number } = next;
    const now = scope.now();
    const version: ModelVersion = {
      modelId,
      modelName: facts.name,
      projectId: facts.projectId,
      version: number,
      status: input.source === 'trained' ? 'training' : 'registered',
      source: input.source,
      description: input.description,
      // Uploads land in staging; finalize files the checked bytes under their content key and points the version there.
      artifact: { ...input.artifact, key: stagingKeyOf('models', modelId, 'versions', pad(number), 'artifact'), state: 'awaiting-upload' },
      lineage: { ...input.lineage, ...(scope.principal.kind === 'pipeline' ? { startedBy: scope.principal.startedBy } : {}) },
      createdAt: now.toISOString(),
      createdBy: scope.meta.actor,
      updatedAt: now.toISOString(),
      revision: 1,
    };
    try {
      await scope.table.transact([
        versionWrite(version, 'new'),
        ...datasetUsageWrites(version),
        auditWrite(scope.meta, 'version.registered', { type: 'version', id: `${modelId}-${number}` }, { after: version }, now).write,
      ]);
      numbers.taken(number);
      return version;
    } catch (error) {
      if (!(error instanceof Conflict)) throw error;
      // Wait before re-reading, not after: a number read and then held through the wait was taken
      // meanwhile by the other process writing (two API workers on one model lost 40 tries in a row).
      await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(50, 2 * (attempt + 1))));
      if (await numbers.numberTaken(number)) {
        if (attempt + 1 >= MAX_ALLOCATION_ATTEMPTS)
          throw new DependencyFailed('other processes kept taking the next version number of this model; the registration was not made', { cause: error });
        continue;
      }
      if (version.lineage.datasets.length > 0) {
        throw new ValidationFailed(
          'a dataset named in the lineage does not exist',
          version.lineage.datasets.map((d, i) => ({ field: `body.lineage.datasets.${i}`, problem: `dataset ${d.datasetId} version ${d.version} must exist` })),
        );
      }
      throw error;
    }
  }
}

/**
 * Each dataset a version names must exist (checked in the transaction) and
 * gets a back-reference, so "which versions used dataset X" is one Query.
 */
function datasetUsageWrites(version: ModelVersion): ScopedWrite[] {
  return version.lineage.datasets.flatMap((d) => [
    { kind: 'check' as const, key: datasetVersionKey(d.datasetId, d.version), expect: 'exists' as const },
    {
      kind: 'put' as const,
      key: { partition: ['DATASET', d.datasetId, 'USED-BY'], sort: `${version.modelId}#${pad(version.version)}#${d.role}` },
      item: {
        entity: 'dataset-usage',
        datasetId: d.datasetId,
        datasetVersion: d.version,
        role: d.role,
        modelId: version.modelId,
        modelName: version.modelName,
        version: version.version,
        createdAt: version.createdAt,
      },
    },
  ]);
}

function assertFormatFits(model: Pick<Model, 'type'>, format: (typeof ARTIFACT_FORMATS)[number]): void {
  // Decision documents (rules, scorecards) are not ML artifacts; an ML model holds ONNX or a serving container.
  const fits =
    model.type === 'ml'
      ? format === 'onnx' || format === 'sagemaker-container'
      : model.type === 'rules'
        ? format === 'rules' || format === 'sagemaker-container'
        : format !== 'rules';
  if (!fits)
    throw new ValidationFailed(`a '${model.type}' model cannot hold a '${format}' artifact`, [
      { field: 'body.artifact.format', problem: `not allowed for model type '${model.type}'` },
    ]);
}

export function getVersion(scope: TenantScope, modelId: string, version: number): Promise<ModelVersion> {
  return loadVersion(scope.table, modelId, version);
}

/** A model's versions, newest first by default. */
export async function listModelVersions(
  scope: TenantScope,
  modelId: string,
  page: { limit: number; cursor?: string; order?: 'asc' | 'desc' },
): Promise<Page<ModelVersion>> {
  await loadModelRecord(scope.table, modelId);
  const result = await scope.table.query<ModelVersion>({
    partition: ['MODEL', modelId],
    sortBeginsWith: 'V#',
    limit: page.limit,
    cursor: page.cursor,
    descending: page.order !== 'asc',
  });
  return { items: result.items.map(withoutEntity), cursor: result.cursor };
}

/**
 * Versions across the tenant by status, stage or project (or all), with an
 * optional model-name prefix; one Query per page on the matching index.
 */
export async function searchVersions(
  scope: TenantScope,
  input: z.infer<typeof VersionSearchInput>,
  page: { limit: number; cursor?: string },
): Promise<Page<ModelVersion>> {
  const dims = (['status', 'stage', 'projectId'] as const).filter((d) => input[d] !== undefined);
  if (dims.length > 1) {
    throw new ValidationFailed(
      'filter by one of status, stage or projectId (plus namePrefix)',
      dims.slice(1).map((d) => ({ field: `query.${d}`, problem: `cannot combine with ${dims[0]}` })),
    );
  }
  const base = {
    limit: page.limit,
    cursor: page.cursor,
    descending: input.order === 'desc',
    sortBeginsWith: input.namePrefix ? nameKey(input.namePrefix) : undefined,
  };
  let request: QueryRequest;
  if (input.status) request = { ...base, index: 'gsi1', partition: ['VERSIONS', 'status', input.status] };
  else if (input.projectId) request = { ...base, index: 'gsi2', partition: ['VERSIONS', 'project', input.projectId] };
  else if (input.stage) request = { ...base, index: 'gsi4', partition: ['VERSIONS', 'stage', input.stage] };
  else request = { ...base, index: 'gsi3', partition: ['VERSIONS', 'all'] };
  const result = await scope.table.query<ModelVersion>(request);
  return { items: result.items.map(withoutEntity), cursor: result.cursor };
}

/**
 * Moves a version along its status machine (catalog moves only: approvals and
 * deployments make the governed ones). The status write and its audit event
 * are one transaction, guarded by the version's revision.
 */
export async function transitionVersion(scope: TenantScope, modelId: string, number: number, input: z.infer<typeof TransitionInput>): Promise<ModelVersion> {
  if (GOVERNED_STATUSES.has(input.to)) {
    throw new Forbidden(`'${input.to}' is decided through ${input.to === 'deployed' ? 'deployments' : 'the approval endpoint'}, not a status change`);
  }
  return changeStatus(scope, modelId, number, input.to, { reason: input.reason, expectedRevision: input.expectedRevision, action: 'version.status-changed' });
}

export async function changeStatus(
  scope: TenantScope,
  modelId: string,
  number: number,
  to: VersionStatus,
  options: { reason?: string; expectedRevision?: number; action: string; patch?: Partial<ModelVersion> },
): Promise<ModelVersion> {
  const before = await loadVersion(scope.table, modelId, number);
  if (options.expectedRevision !== undefined && options.expectedRevision !== before.revision) {
    throw new StaleWrite(`version is at revision ${before.revision}, not ${options.expectedRevision}; re-read and retry`);
  }
  assertVersionTransition(before.status, to);
  if (to === 'evaluating' && before.artifact.state !== 'verified') {
    throw new Conflict('the artifact has not been uploaded and verified yet (POST …/artifact/finalize)');
  }
  const now = scope.now();
  const after: ModelVersion = {
    ...before,
    ...options.patch,
    status: to,
    statusReason: options.reason,
    updatedAt: now.toISOString(),
    revision: before.revision + 1,
  };
  await scope.table.transact([
    versionWrite(after, { revision: before.revision }),
    auditWrite(
      scope.meta,
      options.action,
      { type: 'version', id: `${modelId}-${number}` },
      { before: { status: before.status, revision: before.revision }, after: { status: to, revision: after.revision, reason: options.reason } },
      now,
    ).write,
  ]);
  return after;
}

/**
 * Points an alias (champion/challenger) at a version, or clears it. The
 * champion must be approved or deployed; a challenger must at least be evaluated.
 */
export async function setAlias(scope: TenantScope, modelId: string, alias: ModelAlias, number: number | null): Promise<Model> {
  const model = await loadModel(scope.table, modelId);
  const now = scope.now();
  const previousNumber = model.aliases[alias];
  const writes = [];
  if (previousNumber !== undefined && previousNumber !== number) {
    const previous = await loadVersion(scope.table, modelId, previousNumber);
    const { stage: _s, ...rest } = previous;
    writes.push(versionWrite({ ...rest, updatedAt: now.toISOString(), revision: previous.revision + 1 }, { revision: previous.revision }));
  }
  if (number !== null && number !== previousNumber) {
    const target = await loadVersion(scope.table, modelId, number);
    const eligible: readonly VersionStatus[] = alias === 'champion' ? ['approved', 'deployed'] : ['evaluated', 'pending-approval', 'approved', 'deployed'];
    if (!eligible.includes(target.status)) throw new Conflict(`a ${alias} must be ${eligible.join(' or ')}; version ${number} is ${target.status}`);
    const other = alias === 'champion' ? 'challenger' : 'champion';
    if (model.aliases[other] === number) throw new Conflict(`version ${number} is already the ${other}`);
    writes.push(versionWrite({ ...target, stage: alias, updatedAt: now.toISOString(), revision: target.revision + 1 }, { revision: target.revision }));
  }
  const aliases = { ...model.aliases };
  if (number === null) delete aliases[alias];
  else aliases[alias] = number;
  const after: Model = { ...model, aliases, updatedAt: now.toISOString(), revision: model.revision + 1 };
  await scope.table.transact([
    modelWrite(after, { revision: model.revision }),
    ...writes,
    auditWrite(scope.meta, 'model.alias-set', { type: 'model', id: modelId }, { before: { [alias]: previousNumber ?? null }, after: { [alias]: number } }, now)
      .write,
  ]);
  return after;
}

export { versionKey };

function withoutEntity(item: ModelVersion & { entity?: string }): ModelVersion {
  const { entity: _e, ...version } = item;
  return version;
}
