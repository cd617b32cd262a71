import { auditWrite } from '../audit/audit-event';
import { Conflict, ValidationFailed } from '../errors';
import { errorOf } from '../inspection/inspection-work';
import type { TenantScope } from '../tenancy/tenant-scope';
import { reserveQuota } from '../tenancy/usage';
import { snapshotOf, storeContent } from './content-addressed';
import { loadModelRecord } from './models';
import { discardStaged, settleStagedWrite, stagedUpload, stageUpload } from './staged-uploads';
import { loadVersion, type ModelVersion, versionWrite } from './versions';

const UPLOAD_URL_SECONDS = 15 * 60;
const DOWNLOAD_URL_SECONDS = 15 * 60;
/** Long enough for the isolated inspection to read a 2 GiB artifact. */
const INSPECTION_URL_SECONDS = 30 * 60;

/** The Content-Type each artifact format is stored with (also by produced-artifacts.ts). */
export const CONTENT_TYPES = {
  onnx: 'application/octet-stream',
  rules: 'application/json',
  scorecard: 'application/json',
  'sagemaker-container': 'application/json',
} as const;

/**
 * A presigned PUT for the version's artifact, valid 15 minutes, only while
 * the artifact awaits upload. It targets the version's staging key and signs
 * the declared size and SHA-256 (S3 refuses any other body); the declared
 * size is reserved against the storage quota until finalize or expiry.
 */
export async function artifactUploadUrl(
  scope: TenantScope,
  modelId: string,
  number: number,
): Promise<{ url: string; method: 'PUT'; headers: Record<string, string>; expiresAt: string }> {
  const version = await loadVersion(scope.table, modelId, number);
  if (version.artifact.state !== 'awaiting-upload') throw new Conflict('this version’s artifact is already verified; versions are immutable');
  const contentType = CONTENT_TYPES[version.artifact.format];
  await stageUpload(scope, version.artifact.key, version.artifact.size);
  const upload = await scope.objects.presignUpload(version.artifact.key, {
    expiresInSeconds: UPLOAD_URL_SECONDS,
    contentType,
    contentLength: version.artifact.size,
    sha256Hex: version.artifact.sha256,
  });
  return { url: upload.url, method: 'PUT', headers: upload.headers, expiresAt: new Date(scope.now().getTime() + UPLOAD_URL_SECONDS * 1000).toISOString() };
}

/**
 * Checks the uploaded artifact against what was declared — size, SHA-256, and
 * content (an ONNX file must load and match the model's schema, within the
 * element cap, and run within the time limit; a rules document must validate) —
 * in an isolated process (core/inspection/), on a private snapshot of the
 * upload. Only then is the snapshot filed under its content key
 * (`artifacts/sha256/<hex>`), which the version now points to: bytes PUT to
 * the upload URL afterwards change nothing the version reads. On any mismatch
 * the upload is deleted, its reservation released, and nothing is recorded:
 * the client can upload again.
 */
export async function finalizeArtifact(scope: TenantScope, modelId: string, number: number): Promise<ModelVersion> {
  const before = await loadVersion(scope.table, modelId, number);
  if (before.artifact.state === 'verified') throw new Conflict('the artifact is already verified');
  const uploaded = before.artifact.key;
  const stored = await scope.objects.head(uploaded);
  if (!stored) throw new Conflict('no artifact has been uploaded yet (PUT it to the upload URL first)');
  const refuse = async (error: ValidationFailed): Promise<never> => {
    await discardStaged(scope.table, scope.objects, uploaded);
    throw error;
  };
  if (stored.size !== before.artifact.size) {
    const problem = `uploaded ${stored.size} bytes, declared ${before.artifact.size}`;
    await refuse(new ValidationFailed(`artifact rejected: ${problem}`, [{ field: 'artifact.size', problem }]));
  }
  const model = await loadModelRecord(scope.table, modelId);
  const snapshot = await snapshotOf(scope.objects, uploaded);
  let key: string;
  let summary: Record<string, unknown>;
  try {
    const url = await scope.objects.presignGet(snapshot, { expiresInSeconds: INSPECTION_URL_SECONDS });
    const inspected = await scope.inspector
      .inspectArtifact({ url, size: before.artifact.size, format: before.artifact.format, expectedSha256: before.artifact.sha256, ioSchema: model.schema })
      .catch((error: unknown) => (error instanceof ValidationFailed ? refuse(error) : Promise.reject(error)));
    if (inspected.refusal) await refuse(errorOf(inspected.refusal));
    summary = inspected.summary ?? {};
    key = await storeContent(scope.objects, snapshot, 'artifacts', before.artifact.sha256, CONTENT_TYPES[before.artifact.format]);
  } finally {
    await scope.objects.remove(snapshot).catch(() => undefined);
  }
  // An upload through the URL reserved its size when the URL was issued; a pipeline's own write did not.
  const staged = await stagedUpload(scope.table, uploaded);
  const release = staged ? async () => undefined : await reserveQuota(scope.table, scope.quotas, 'storageBytes', stored.size);
  const now = scope.now();
  const after: ModelVersion = {
    ...before,
    artifact: { ...before.artifact, key, state: 'verified', verifiedAt: now.toISOString(), summary },
    updatedAt: now.toISOString(),
    revision: before.revision + 1,
  };
  try {
    await scope.table.transact([
      versionWrite(after, { revision: before.revision }),
      ...(staged ? [settleStagedWrite(uploaded)] : []),
      auditWrite(
        scope.meta,
        'version.artifact-verified',
        { type: 'version', id: `${modelId}-${number}` },
        { before: before.artifact, after: after.artifact },
        now,
      ).write,
    ]);
  } catch (error) {
    await release();
    throw error;
  }
  await scope.objects.remove(uploaded).catch(() => undefined);
  return after;
}

export async function artifactDownloadUrl(
  scope: TenantScope,
  modelId: string,
  number: number,
): Promise<{ url: string; expiresAt: string; sha256: string; size: number }> {
  const version = await loadVersion(scope.table, modelId, number);
  if (version.artifact.state !== 'verified') throw new Conflict('the artifact is not verified yet');
  const name = `${version.modelName}-v${number}.${version.artifact.format === 'onnx' ? 'onnx' : 'json'}`;
  const url = await scope.objects.presignGet(version.artifact.key, { expiresInSeconds: DOWNLOAD_URL_SECONDS, downloadName: name });
  return {
    url,
    expiresAt: new Date(scope.now().getTime() + DOWNLOAD_URL_SECONDS * 1000).toISOString(),
    sha256: version.artifact.sha256,
    size: version.artifact.size,
  };
}
