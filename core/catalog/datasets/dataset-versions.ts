import { z } from 'zod';
import type { Page } from '../../ports/metadata-store';
import { auditWrite } from '../../audit/audit-event';
import { Conflict, DependencyFailed, NotFound, PayloadTooLarge, StaleWrite, ValidationFailed } from '../../errors';
import type { TenantScope } from '../../tenancy/tenant-scope';
import type { PipelineRunner } from '../../ports/pipeline-runner';
import { reserveQuota } from '../../tenancy/usage';
import { CatalogIdSchema, newCatalogId } from '../identifiers';
import { discardStaged, stageUpload } from '../staged-uploads';
import { discardDatasetObjects, failDatasetVersion } from './dataset-version-profiling';
import { MalformedDataset } from './dataset-problems';
import { DATASET_FORMATS } from './dataset-profiler';
import {
  CONTENT_TYPES,
  DATA_EXTENSIONS,
  type Dataset,
  datasetKey,
  datasetSequenceKey,
  type DatasetUpload,
  datasetUploadKey,
  DatasetUploadSchema,
  type DatasetVersion,
  type DatasetVersionRecord,
  DatasetVersionRecordSchema,
  datasetVersionWrite,
  datasetWrite,
  DatasetProfileSchema,
  loadDataset,
  loadDatasetVersion,
  loadDatasetVersionRecord,
  stagingKey,
} from './dataset-records';

/** Largest dataset file accepted (one version). */
export const MAX_DATASET_BYTES = 1024 ** 3;
const UPLOAD_URL_SECONDS = 15 * 60;
/** How long an issued upload can still be registered. */
const UPLOAD_REGISTRATION_SECONDS = 24 * 60 * 60;
const DOWNLOAD_URL_SECONDS = 15 * 60;
const MAX_WRITE_ATTEMPTS = 8;

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'a lower-case hex SHA-256');
const ColumnName = z.string().trim().min(1).max(200);
/** A tenant-relative object key, e.g. a pipeline output: no leading slash, no `.` or `..` or empty segments. */
const SourceKey = z
  .string()
  .trim()
  .min(1)
  .max(1024)
  .refine(
    (key) => !key.startsWith('/') && key.split('/').every((s) => s !== '' && s !== '.' && s !== '..'),
    'a relative object key in your storage, without . or .. segments',
  );

export const DatasetUploadInput = z.object({
  format: z.enum(DATASET_FORMATS),
  sizeBytes: z.number().int().positive(),
  sha256: Sha256,
});

export const RegisterDatasetVersionInput = z
  .object({
    uploadId: CatalogIdSchema.optional().describe('from POST …/versions/upload-url'),
    sourceKey: SourceKey.optional().describe('instead of uploadId: an object already in your storage (e.g. a pipeline output)'),
    sha256: Sha256.optional().describe('required with uploadId; checked against the object when given'),
    sizeBytes: z.number().int().positive().optional().describe('required with uploadId; checked against the object when given'),
    description: z.string().trim().max(4000).optional(),
    targetColumn: ColumnName.optional(),
    protectedAttributes: z.array(ColumnName).max(100).default([]),
  })
  .superRefine((input, ctx) => {
    if ((input.uploadId === undefined) === (input.sourceKey === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['uploadId'], message: 'give exactly one of uploadId or sourceKey' });
    }
    if (input.uploadId !== undefined) {
      if (input.sha256 === undefined) ctx.addIssue({ code: 'custom', path: ['sha256'], message: 'required with uploadId' });
      if (input.sizeBytes === undefined) ctx.addIssue({ code: 'custom', path: ['sizeBytes'], message: 'required with uploadId' });
    }
  });

export interface DatasetUploadUrl {
  readonly uploadId: string;
  readonly url: string;
  readonly method: 'PUT';
  readonly headers: Record<string, string>;
  readonly key: string;
  readonly expiresAt: string;
}

/**
 * A presigned PUT (15 minutes) for the next version's file, to a staging key
 * of the dataset, signing the declared size and SHA-256 (S3 refuses any other
 * body). The declaration (format, size, digest) is remembered for 24 hours;
 * registration checks the upload against it. The declared size is reserved
 * against the storage quota until registration or expiry.
 */
export async function datasetUploadUrl(scope: TenantScope, datasetId: string, input: z.infer<typeof DatasetUploadInput>): Promise<DatasetUploadUrl> {
  assertSize(input.sizeBytes, 'body.sizeBytes');
  const dataset = await loadDataset(scope.table, datasetId);
  assertFormat(dataset, input.format);
  const now = scope.now();
  const uploadId = newCatalogId(now);
  const upload: DatasetUpload = {
    datasetId,
    uploadId,
    format: input.format,
    sizeBytes: input.sizeBytes,
    sha256: input.sha256,
    key: stagingKey(datasetId, uploadId),
    issuedAt: now.toISOString(),
    issuedBy: scope.meta.actor,
    expiresAt: Math.floor(now.getTime() / 1000) + UPLOAD_REGISTRATION_SECONDS,
  };
  await stageUpload(scope, upload.key, input.sizeBytes);
  try {
    await scope.table.transact([
      { kind: 'put', key: datasetUploadKey(datasetId, uploadId), item: { entity: 'dataset-upload', ...upload }, expect: 'new' },
      auditWrite(
        scope.meta,
        'dataset.upload-url-issued',
        { type: 'dataset', id: datasetId },
        { after: { uploadId, format: input.format, sizeBytes: input.sizeBytes, sha256: input.sha256 } },
        now,
      ).write,
    ]);
  } catch (error) {
    await discardStaged(scope.table, scope.objects, upload.key);
    throw error;
  }
  const contentType = CONTENT_TYPES[input.format];
  const signed = await scope.objects.presignUpload(upload.key, {
    expiresInSeconds: UPLOAD_URL_SECONDS,
    contentType,
    contentLength: input.sizeBytes,
    sha256Hex: input.sha256,
  });
  return {
    uploadId,
    url: signed.url,
    method: 'PUT',
    headers: signed.headers,
    key: upload.key,
    expiresAt: new Date(now.getTime() + UPLOAD_URL_SECONDS * 1000).toISOString(),
  };
}

export interface Source {
  readonly key: string;
  readonly field: 'body.uploadId' | 'body.sourceKey';
  readonly upload?: DatasetUpload;
  /** Staged uploads are deleted when their content is refused; other objects are never touched. */
  readonly staged: boolean;
}

/** The pipeline that hashes and profiles a registered version (state-machines/profile-dataset.asl.json). */
export const PROFILE_DATASET_PIPELINE = 'profile-dataset';

/**
 * Registers the next version of a dataset from a staged upload or an object
 * already in the tenant's storage, and starts its profiling: the request
 * does only what is cheap (the upload matches its declaration, the object
 * exists and is at most 1 GiB, the declared size is its size), takes the
 * version number and records the version `pending` with the dataset's
 * version count and the audit event in one transaction (consuming the
 * upload, so it registers once). The profile-dataset pipeline then streams
 * the object in an isolated inspector, checks its SHA-256, profiles it and
 * makes the version `ready` (core/catalog/datasets/profile-dataset-version.ts),
 * or `failed` with the reason: a 1 GiB file never has to fit in a request.
 */
export async function registerDatasetVersion(
  scope: TenantScope,
  pipelines: PipelineRunner,
  datasetId: string,
  input: z.infer<typeof RegisterDatasetVersionInput>,
): Promise<DatasetVersionRecord> {
  const dataset = await loadDataset(scope.table, datasetId);
  if (!pipelines.pipelines().includes(PROFILE_DATASET_PIPELINE))
    throw new DependencyFailed(`the ${PROFILE_DATASET_PIPELINE} pipeline is not deployed here; dataset versions cannot be profiled`);
  const source = await resolveSource(scope, dataset, input);
  const refuse = async (error: Error): Promise<never> => {
    if (source.staged) await discardDatasetObjects(scope, [source.key]);
    throw error;
  };

  const stored = await scope.objects.head(source.key);
  if (!stored) {
    if (source.upload) throw new Conflict(`nothing has been uploaded for upload '${source.upload.uploadId}' (PUT the file to its upload URL first)`);
    throw new ValidationFailed('no such object in your storage', [{ field: 'body.sourceKey', problem: `'${source.key}' does not exist` }]);
  }
  if (stored.size > MAX_DATASET_BYTES) await refuse(tooLarge(stored.size, source.field));
  if (input.sizeBytes !== undefined && stored.size !== input.sizeBytes) {
    await refuse(new ValidationFailed('size mismatch', [{ field: 'body.sizeBytes', problem: `the object is ${stored.size} bytes, not ${input.sizeBytes}` }]));
  }
  if (stored.size === 0) await refuse(new MalformedDataset(dataset.format, 'the file is empty'));

  // An object already in storage is accounted now, so a registration past the quota is a 429 before anything is numbered;
  // a staged upload's size was reserved when its URL was issued.
  const release = source.staged ? async () => undefined : await reserveQuota(scope.table, scope.quotas, 'storageBytes', stored.size);
  let number: number;
  try {
    number = await scope.table.adjust(datasetSequenceKey(datasetId), 'allocated', 1);
  } catch (error) {
    await release();
    throw error;
  }
  const version: DatasetVersionRecord = {
    datasetId,
    datasetName: dataset.name,
    version: number,
    format: dataset.format,
    description: input.description,
    status: 'pending',
    sizeBytes: stored.size,
    targetColumn: input.targetColumn,
    protectedAttributes: input.protectedAttributes,
    source: source.upload ? { kind: 'upload', uploadId: source.upload.uploadId } : { kind: 'object', key: source.key },
    sourceKey: source.key,
    ...(input.sha256 !== undefined ? { expectedSha256: input.sha256 } : {}),
    createdAt: scope.now().toISOString(),
    createdBy: scope.meta.actor,
    revision: 1,
  };
  try {
    await writePendingVersion(scope, version, source.upload);
  } catch (error) {
    await release();
    throw error;
  }
  try {
    await pipelines.start({
      tenantId: scope.tenantId,
      pipeline: PROFILE_DATASET_PIPELINE,
      actor: scope.meta.actor,
      input: { datasetId, version: number },
      name: `profile-${datasetId}-${number}`,
    });
  } catch (error) {
    // A version no pipeline will ever profile must not stay pending.
    await failDatasetVersion(scope, datasetId, number, `its profiling could not be started: ${error instanceof Error ? error.message : String(error)}`).catch(
      () => undefined,
    );
    throw error;
  }
  return version;
}

/** The pending version item, the dataset's version count and the audit event together; retried when another registration moved the dataset first. */
async function writePendingVersion(scope: TenantScope, version: DatasetVersionRecord, upload: DatasetUpload | undefined): Promise<void> {
  const { sourceKey: _key, expectedSha256: _sha, ...summary } = version;
  for (let attempt = 1; ; attempt++) {
    const current = await loadDataset(scope.table, version.datasetId);
    const now = scope.now();
    const after: Dataset = { ...current, versionCount: current.versionCount + 1, updatedAt: now.toISOString(), revision: current.revision + 1 };
    try {
      await scope.table.transact([
        datasetWrite(after, { revision: current.revision }),
        datasetVersionWrite(version),
        // Consuming the upload makes a second registration of it fail instead of adding a duplicate version.
        ...(upload ? [{ kind: 'delete' as const, key: datasetUploadKey(upload.datasetId, upload.uploadId), expect: 'exists' as const }] : []),
        auditWrite(scope.meta, 'dataset.version-registered', { type: 'dataset', id: version.datasetId }, { after: summary }, now).write,
      ]);
      return;
    } catch (error) {
      if (error instanceof Conflict && upload) throw new Conflict(`upload '${upload.uploadId}' was already registered`, { cause: error });
      if (!(error instanceof StaleWrite) || attempt >= MAX_WRITE_ATTEMPTS) throw error;
    }
  }
}

async function resolveSource(scope: TenantScope, dataset: Dataset, input: z.infer<typeof RegisterDatasetVersionInput>): Promise<Source> {
  if (input.sourceKey !== undefined) return { key: input.sourceKey, field: 'body.sourceKey', staged: false };
  const item = await scope.table.get(datasetUploadKey(dataset.datasetId, input.uploadId!));
  const upload = item ? DatasetUploadSchema.parse(item) : undefined;
  const nowSeconds = Math.floor(scope.now().getTime() / 1000);
  if (!upload) throw new NotFound('upload', input.uploadId);
  if (upload.expiresAt <= nowSeconds) {
    // DynamoDB's TTL removes the record late; the upload is over all the same.
    await discardDatasetObjects(scope, [upload.key]);
    throw new NotFound('upload', input.uploadId);
  }
  const mismatch = (['sha256', 'sizeBytes'] as const).filter((field) => input[field] !== upload[field]);
  if (mismatch.length) {
    await discardDatasetObjects(scope, [upload.key]);
    throw new ValidationFailed(
      'the registration does not match what was declared for this upload; upload again',
      mismatch.map((field) => ({ field: `body.${field}`, problem: `upload '${upload.uploadId}' was declared with ${field} ${upload[field]}` })),
    );
  }
  return { key: upload.key, field: 'body.uploadId', upload, staged: true };
}

function assertSize(size: number, field: string): void {
  if (size > MAX_DATASET_BYTES) throw tooLarge(size, field);
}

function tooLarge(size: number, field: string): PayloadTooLarge {
  return new PayloadTooLarge(`${field}: a dataset file may be at most ${MAX_DATASET_BYTES} bytes (1 GiB); this one is ${size}`);
}

function assertFormat(dataset: Dataset, format: Dataset['format']): void {
  if (format !== dataset.format) {
    throw new ValidationFailed(`dataset '${dataset.name}' holds ${dataset.format} files`, [{ field: 'body.format', problem: `must be '${dataset.format}'` }]);
  }
}

/** One version's metadata and schema, for other features (lineage, training inputs). */
export function getDatasetVersion(scope: TenantScope, datasetId: string, version: number): Promise<DatasetVersion> {
  return loadDatasetVersion(scope.table, datasetId, version);
}

export type DatasetVersionDetail = DatasetVersionRecord & { readonly profile?: z.infer<typeof DatasetProfileSchema> };

/** One version in any status; a ready one with its full statistical profile (read from the profile document next to the data). */
export async function getDatasetVersionDetail(scope: TenantScope, datasetId: string, version: number): Promise<DatasetVersionDetail> {
  const found = await loadDatasetVersionRecord(scope.table, datasetId, version);
  if (found.status !== 'ready' || !found.profileKey) return found;
  const text = Buffer.from(await scope.objects.getBytes(found.profileKey)).toString('utf8');
  return { ...found, profile: DatasetProfileSchema.parse(JSON.parse(text)) };
}

/** A dataset's versions, newest first. */
export async function listDatasetVersions(
  scope: TenantScope,
  datasetId: string,
  page: { limit: number; cursor?: string },
): Promise<Page<DatasetVersionRecord>> {
  await loadDataset(scope.table, datasetId);
  const result = await scope.table.query({
    partition: datasetKey(datasetId).partition,
    sortBeginsWith: 'V#',
    descending: true,
    limit: page.limit,
    cursor: page.cursor,
  });
  return { items: result.items.map((item) => DatasetVersionRecordSchema.parse(item)), cursor: result.cursor };
}

export interface DatasetDownload {
  readonly url: string;
  readonly expiresAt: string;
  readonly sha256: string;
  readonly sizeBytes: number;
  readonly format: Dataset['format'];
}

/** A presigned GET (15 minutes) for one version's file. */
export async function datasetDownloadUrl(scope: TenantScope, datasetId: string, version: number): Promise<DatasetDownload> {
  const found = await loadDatasetVersion(scope.table, datasetId, version);
  const url = await scope.objects.presignGet(found.key, {
    expiresInSeconds: DOWNLOAD_URL_SECONDS,
    downloadName: `${found.datasetName}-v${version}.${DATA_EXTENSIONS[found.format]}`,
  });
  return {
    url,
    expiresAt: new Date(scope.now().getTime() + DOWNLOAD_URL_SECONDS * 1000).toISOString(),
    sha256: found.sha256,
    sizeBytes: found.sizeBytes,
    format: found.format,
  };
}
