import { createHash } from 'node:crypto';
import { auditWrite } from '../audit/audit-event';
import { Conflict, ValidationFailed } from '../errors';
import type { TenantScope } from '../tenancy/tenant-scope';
import { reserveQuota } from '../tenancy/usage';
import { validateArtifact } from './artifacts/validate-artifact';
import { loadModelRecord } from './models';
import { loadVersion, type ModelVersion, versionWrite } from './versions';

const UPLOAD_URL_SECONDS = 15 * 60;
const DOWNLOAD_URL_SECONDS = 15 * 60;

const CONTENT_TYPES = { onnx: 'application/octet-stream', rules: 'application/json', scorecard: 'application/json', 'sagemaker-container': 'application/json' } as const;

/** A presigned PUT for the version's artifact, valid 15 minutes; only while the artifact awaits upload. */
export async function artifactUploadUrl(scope: TenantScope, modelId: string, number: number): Promise<{ url: string; method: 'PUT'; headers: Record<string, string>; expiresAt: string }> {
  const version = await loadVersion(scope.table, modelId, number);
  if (version.artifact.state !== 'awaiting-upload') throw new Conflict('this version’s artifact is already verified; versions are immutable');
  const contentType = CONTENT_TYPES[version.artifact.format];
  const url = await scope.objects.presignPut(version.artifact.key, { expiresInSeconds: UPLOAD_URL_SECONDS, contentType });
  return { url, method: 'PUT', headers: { 'content-type': contentType }, expiresAt: new Date(scope.now().getTime() + UPLOAD_URL_SECONDS * 1000).toISOString() };
}

/**
 * Checks the uploaded artifact against what was declared — size, SHA-256, and
 * content (an ONNX file must load and match the model's schema; a rules
 * document must validate) — and only then marks it verified. On any mismatch
 * the upload is deleted and nothing is recorded: the client can upload again.
 */
export async function finalizeArtifact(scope: TenantScope, modelId: string, number: number): Promise<ModelVersion> {
  const before = await loadVersion(scope.table, modelId, number);
  if (before.artifact.state === 'verified') throw new Conflict('the artifact is already verified');
  const stored = await scope.objects.head(before.artifact.key);
  if (!stored) throw new Conflict('no artifact has been uploaded yet (PUT it to the upload URL first)');
  const reject = async (field: string, problem: string): Promise<never> => {
    await scope.objects.remove(before.artifact.key);
    throw new ValidationFailed(`artifact rejected: ${problem}`, [{ field, problem }]);
  };
  if (stored.size !== before.artifact.size) await reject('artifact.size', `uploaded ${stored.size} bytes, declared ${before.artifact.size}`);
  const bytes = await scope.objects.getBytes(before.artifact.key);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (sha256 !== before.artifact.sha256) await reject('artifact.sha256', `uploaded content hashes to ${sha256}, declared ${before.artifact.sha256}`);
  const model = await loadModelRecord(scope.table, modelId);
  let summary: Record<string, unknown>;
  try {
    const validated = await validateArtifact({ format: before.artifact.format, bytes, ioSchema: model.schema });
    summary = { ...validated.summary };
  } catch (error) {
    if (error instanceof ValidationFailed) {
      await scope.objects.remove(before.artifact.key);
      throw error;
    }
    throw error;
  }
  const release = await reserveQuota(scope.table, scope.quotas, 'storageBytes', stored.size).catch(async (error) => {
    await scope.objects.remove(before.artifact.key);
    throw error;
  });
  const now = scope.now();
  const after: ModelVersion = {
    ...before,
    artifact: { ...before.artifact, state: 'verified', verifiedAt: now.toISOString(), summary },
    updatedAt: now.toISOString(),
    revision: before.revision + 1,
  };
  try {
    await scope.table.transact([
      versionWrite(after, { revision: before.revision }),
      auditWrite(scope.meta, 'version.artifact-verified', { type: 'version', id: `${modelId}-${number}` }, { before: before.artifact, after: after.artifact }, now).write,
    ]);
  } catch (error) {
    await release();
    throw error;
  }
  return after;
}

export async function artifactDownloadUrl(scope: TenantScope, modelId: string, number: number): Promise<{ url: string; expiresAt: string; sha256: string; size: number }> {
  const version = await loadVersion(scope.table, modelId, number);
  if (version.artifact.state !== 'verified') throw new Conflict('the artifact is not verified yet');
  const name = `${version.modelName}-v${number}.${version.artifact.format === 'onnx' ? 'onnx' : 'json'}`;
  const url = await scope.objects.presignGet(version.artifact.key, { expiresInSeconds: DOWNLOAD_URL_SECONDS, downloadName: name });
  return { url, expiresAt: new Date(scope.now().getTime() + DOWNLOAD_URL_SECONDS * 1000).toISOString(), sha256: version.artifact.sha256, size: version.artifact.size };
}

