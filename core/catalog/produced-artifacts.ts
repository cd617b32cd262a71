import { createHash } from 'node:crypto';
import { auditWrite } from '../audit/audit-event';
import { Conflict, ValidationFailed } from '../errors';
import type { TenantScope } from '../tenancy/tenant-scope';
import { reserveQuota } from '../tenancy/usage';
import { validateArtifact } from './artifacts/validate-artifact';
import { fileProducedContent } from './content-addressed';
import { loadModelRecord } from './models';
import { CONTENT_TYPES } from './version-artifacts';
import { loadVersion, type ModelVersion, versionWrite } from './versions';

/** Bytes the platform itself made in this process (a built-in trainer's export), and the key it already wrote them to. */
export interface ProducedArtifact {
  /** Tenant-relative key the producer wrote the bytes to (a run folder: no URL is ever issued for it). */
  readonly key: string;
  readonly bytes: Uint8Array;
}

/**
 * Verifies and files an artifact the platform produced itself, the way
 * `finalizeArtifact` does an upload, with the same outcome: the version
 * points at its content key (`artifacts/sha256/<hex>`), verified, with the
 * validator's summary, under one audited transaction.
 *
 * What differs is only what an upload needs and these bytes do not: no
 * staging key and no snapshot (nobody holds an upload URL for them), and no
 * isolated process (the platform wrote them, in this very process; tenant
 * files keep the staged, snapshotted, isolated path). The bytes in memory
 * are hashed and validated (loads, matches the model's schema, runs), then
 * the producer's own object is copied to the content key — on AWS the bucket
 * only lets a copy write there — and the copy is read back and hashed, so
 * the content key provably holds the verified bytes. A content key that
 * exists already holds these bytes (it was filled the same way) and is kept.
 *
 * Storage calls: head and copy of the content key and the read-back (three),
 * against the staged path's eight (put, head, snapshot copy, inspection read,
 * head, copy, two removals).
 */
export async function finalizeProducedArtifact(scope: TenantScope, modelId: string, number: number, produced: ProducedArtifact): Promise<ModelVersion> {
  const before = await loadVersion(scope.table, modelId, number);
  if (before.artifact.state === 'verified') throw new Conflict('the artifact is already verified');
  const sha256 = createHash('sha256').update(produced.bytes).digest('hex');
  if (produced.bytes.byteLength !== before.artifact.size) {
    const problem = `produced ${produced.bytes.byteLength} bytes, declared ${before.artifact.size}`;
    throw new ValidationFailed(`artifact rejected: ${problem}`, [{ field: 'artifact.size', problem }]);
  }
  if (sha256 !== before.artifact.sha256) {
    const problem = `produced content hashes to ${sha256}, declared ${before.artifact.sha256}`;
    throw new ValidationFailed(`artifact rejected: ${problem}`, [{ field: 'artifact.sha256', problem }]);
  }
  const model = await loadModelRecord(scope.table, modelId);
  const validated = await validateArtifact({ format: before.artifact.format, bytes: produced.bytes, ioSchema: model.schema });
  const key = await fileProducedContent(scope.objects, produced.key, 'artifacts', sha256, CONTENT_TYPES[before.artifact.format]);
  const release = await reserveQuota(scope.table, scope.quotas, 'storageBytes', before.artifact.size);
  const now = scope.now();
  const after: ModelVersion = {
    ...before,
    artifact: { ...before.artifact, key, state: 'verified', verifiedAt: now.toISOString(), summary: { ...validated.summary } },
    updatedAt: now.toISOString(),
    revision: before.revision + 1,
  };
  try {
    await scope.table.transact([
      versionWrite(after, { revision: before.revision }),
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
  return after;
}
