import { auditWrite } from '../../audit/audit-event';
import { Conflict, StaleWrite, ValidationFailed } from '../../errors';
import { errorOf } from '../../inspection/inspection-work';
import type { TenantScope } from '../../tenancy/tenant-scope';
import { releaseQuota, reserveQuota } from '../../tenancy/usage';
import { snapshotOf, storeContent } from '../content-addressed';
import { discardStaged, settleStagedWrite, stagedUpload } from '../staged-uploads';
import { MalformedDataset } from './dataset-problems';
import { type DatasetProfile, schemaOf } from './dataset-profiler';
import {
  CONTENT_TYPES,
  type Dataset,
  DatasetProfileSchema,
  type DatasetVersion,
  type DatasetVersionRecord,
  datasetVersionWrite,
  datasetWrite,
  loadDataset,
  loadDatasetVersionRecord,
  versionPrefix,
} from './dataset-records';

/** Long enough for the isolated profiler to read a 1 GiB file twice. */
const INSPECTION_URL_SECONDS = 60 * 60;
const MAX_WRITE_ATTEMPTS = 8;

/**
 * The profiling step of a pending version (functions/pipeline-steps/profile-dataset-version.ts):
 * a private snapshot of the source object is streamed once by the isolated
 * inspector (core/inspection/: heap cap, wall clock, Parquet decode caps) to
 * check its size and its declared SHA-256 and to infer its schema and
 * profile. Then storage is accounted (a staged upload's reservation carries
 * over), the snapshot filed under its content key (`datasets/sha256/<hex>`),
 * the profile written next to the version, and the version made `ready` with
 * the dataset's latest version and the audit event in one transaction.
 *
 * What is wrong with the file (a mismatch, malformed content, no rows, a
 * named column missing) throws the domain's error: the pipeline catches it
 * and records the version `failed` with it (`failDatasetVersion`). A version
 * that is no longer pending is returned as it is, so a retried step is safe.
 */
export async function profileDatasetVersion(scope: TenantScope, datasetId: string, number: number): Promise<DatasetVersionRecord> {
  const pending = await loadDatasetVersionRecord(scope.table, datasetId, number, { consistent: true });
  if (pending.status !== 'pending') return pending;
  if (!pending.sourceKey) throw new ValidationFailed('the pending version names no source object', [{ field: 'sourceKey', problem: 'missing' }]);
  const stored = await scope.objects.head(pending.sourceKey);
  if (!stored) throw new ValidationFailed(`the registered object '${pending.sourceKey}' no longer exists`, [{ field: 'sourceKey', problem: 'no such object' }]);
  if (stored.size !== pending.sizeBytes) {
    throw new ValidationFailed(`the object changed after registration: it is ${stored.size} bytes, not ${pending.sizeBytes}`, [
      { field: 'sizeBytes', problem: 'size changed' },
    ]);
  }

  const snapshot = await snapshotOf(scope.objects, pending.sourceKey);
  try {
    const url = await scope.objects.presignGet(snapshot, { expiresInSeconds: INSPECTION_URL_SECONDS });
    const inspection = await scope.inspector.inspectDataset({ url, size: stored.size, format: pending.format, expectedSha256: pending.expectedSha256 });
    if (inspection.bytes !== stored.size)
      throw new ValidationFailed(`size mismatch: the object is ${inspection.bytes} bytes, not ${stored.size}`, [
        { field: 'sizeBytes', problem: 'size mismatch' },
      ]);
    if (pending.expectedSha256 !== undefined && inspection.sha256 !== pending.expectedSha256) {
      throw new ValidationFailed(`SHA-256 mismatch: the object hashes to ${inspection.sha256}, not ${pending.expectedSha256}`, [
        { field: 'sha256', problem: 'SHA-256 mismatch' },
      ]);
    }
    if (inspection.problem) throw errorOf(inspection.problem);
    const profile = DatasetProfileSchema.parse(inspection.profile) as DatasetProfile;
    if (profile.rowCount === 0) throw new MalformedDataset(pending.format, 'the file has no data rows');
    assertColumnsExist(profile, pending);
    return await fileReadyVersion(scope, pending, { snapshot, size: stored.size, sha256: inspection.sha256, profile });
  } finally {
    await scope.objects.remove(snapshot).catch(() => undefined);
  }
}

async function fileReadyVersion(
  scope: TenantScope,
  pending: DatasetVersionRecord,
  checked: { snapshot: string; size: number; sha256: string; profile: DatasetProfile },
): Promise<DatasetVersion> {
  const dataset = await loadDataset(scope.table, pending.datasetId);
  const profileJson = JSON.stringify(checked.profile);
  const stagedKey = pending.source.kind === 'upload' ? pending.sourceKey : undefined;
  const staged = stagedKey ? await stagedUpload(scope.table, stagedKey) : undefined;
  // The file's size was reserved before (the staged upload's URL, or the registration of an object): only the profile is new.
  const release = await reserveQuota(scope.table, scope.quotas, 'storageBytes', Buffer.byteLength(profileJson));
  const profileKey = `${versionPrefix(pending.datasetId, pending.version)}profile.json`;
  let ready: DatasetVersion;
  try {
    const key = await storeContent(scope.objects, checked.snapshot, 'datasets', checked.sha256, CONTENT_TYPES[dataset.format]);
    await scope.objects.put(profileKey, profileJson, 'application/json');
    const { sourceKey: _key, expectedSha256: _sha, statusReason: _reason, ...kept } = pending;
    ready = {
      ...kept,
      status: 'ready',
      key,
      profileKey,
      sha256: checked.sha256,
      rowCount: checked.profile.rowCount,
      columnCount: checked.profile.columns.length,
      schema: schemaOf(checked.profile),
      settledAt: scope.now().toISOString(),
      revision: pending.revision + 1,
    };
    await settleVersion(scope, pending, ready, 'dataset.version-ready', staged ? stagedKey : undefined);
  } catch (error) {
    await release();
    // The content object may be another version's too: it stays (at worst an orphan costing storage).
    await discardDatasetObjects(scope, [profileKey]);
    throw error;
  }
  if (stagedKey) await discardDatasetObjects(scope, [stagedKey]);
  return ready;
}

/**
 * Ends a pending version as `failed` with the reason (the pipeline's
 * failure step, or a registration whose pipeline could not start) and drops
 * its staged upload, giving back the upload's storage reservation. A version
 * that is no longer pending is returned unchanged.
 */
export async function failDatasetVersion(scope: TenantScope, datasetId: string, number: number, reason: string): Promise<DatasetVersionRecord> {
  const pending = await loadDatasetVersionRecord(scope.table, datasetId, number, { consistent: true });
  if (pending.status !== 'pending') return pending;
  const failed: DatasetVersionRecord = {
    ...pending,
    status: 'failed',
    statusReason: reason.slice(0, 2000),
    settledAt: scope.now().toISOString(),
    revision: pending.revision + 1,
  };
  await settleVersion(scope, pending, failed, 'dataset.version-failed');
  // What was reserved for the file is given back: with the staged upload (its ledger), or the object's reservation at registration.
  if (pending.source.kind === 'upload' && pending.sourceKey) await discardDatasetObjects(scope, [pending.sourceKey]);
  else await releaseQuota(scope.table, 'storageBytes', pending.sizeBytes);
  return failed;
}

/** The version's move out of pending, the dataset's latest ready version and the audit event, in one transaction; retried when the dataset moved first. */
async function settleVersion(
  scope: TenantScope,
  pending: DatasetVersionRecord,
  settled: DatasetVersionRecord,
  action: 'dataset.version-ready' | 'dataset.version-failed',
  stagedKey?: string,
): Promise<void> {
  const { schema: _schema, sourceKey: _key, expectedSha256: _sha, ...summary } = settled;
  for (let attempt = 1; ; attempt++) {
    const current = await loadDataset(scope.table, pending.datasetId);
    const now = scope.now();
    const after: Dataset = {
      ...current,
      latestVersion: settled.status === 'ready' ? Math.max(current.latestVersion, settled.version) : current.latestVersion,
      updatedAt: now.toISOString(),
      revision: current.revision + 1,
    };
    try {
      await scope.table.transact([
        datasetWrite(after, { revision: current.revision }),
        datasetVersionWrite(settled, { revision: pending.revision }),
        ...(stagedKey ? [settleStagedWrite(stagedKey)] : []),
        auditWrite(scope.meta, action, { type: 'dataset', id: pending.datasetId }, { after: summary }, now).write,
      ]);
      return;
    } catch (error) {
      if (!(error instanceof StaleWrite) || attempt >= MAX_WRITE_ATTEMPTS) throw error;
      // The version itself moved (another attempt settled it): nothing more to do here.
      const again = await loadDatasetVersionRecord(scope.table, pending.datasetId, pending.version, { consistent: true });
      if (again.revision !== pending.revision)
        throw new Conflict(`dataset ${pending.datasetId} version ${pending.version} is already ${again.status}`, { cause: error });
    }
  }
}

export function assertColumnsExist(profile: DatasetProfile, named: Pick<DatasetVersionRecord, 'targetColumn' | 'protectedAttributes'>): void {
  const names = new Set(profile.columns.map((c) => c.name));
  const problems = [
    ...(named.targetColumn !== undefined && !names.has(named.targetColumn)
      ? [{ field: 'targetColumn', problem: `no column '${named.targetColumn}' in the file` }]
      : []),
    ...named.protectedAttributes.flatMap((name, i) =>
      names.has(name) ? [] : [{ field: `protectedAttributes.${i}`, problem: `no column '${name}' in the file` }],
    ),
  ];
  if (problems.length) throw new ValidationFailed(`the named columns are not in the file: ${problems.map((p) => p.problem).join('; ')}`, problems);
}

/** Removes objects; a staged upload also gives back its reservation (core/catalog/staged-uploads.ts). */
export async function discardDatasetObjects(scope: TenantScope, keys: readonly string[]): Promise<void> {
  for (const key of keys) {
    try {
      await discardStaged(scope.table, scope.objects, key);
    } catch (error) {
      // Cleanup must not hide the error being reported; an orphan only costs storage.
      scope.log.warn('dataset object cleanup failed', { key, error: error instanceof Error ? error.message : String(error) });
    }
  }
}
