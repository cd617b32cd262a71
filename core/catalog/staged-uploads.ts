import { z } from 'zod';
import { Conflict } from '../errors';
import type { MetadataTable, ScopedWrite } from '../ports/metadata-store';
import { STAGING_PREFIX, type TenantObjectStore } from '../ports/object-store';
import type { TenantScope } from '../tenancy/tenant-scope';
import { releaseQuota, reserveQuota } from '../tenancy/usage';

/**
 * The ledger of staged uploads: every presigned upload reserves its declared
 * size against the storage quota when it is issued (the URL signs that size,
 * so on S3 the upload cannot be larger), and the reservation stays until the
 * upload is finalized (it then counts for the stored object), refused, or
 * expires. Expired uploads are removed by `sweepStaging` (locally an
 * in-process timer, infra/local/staging-sweep.ts) and, on AWS, their objects
 * by the bucket's lifecycle rule on `staging/`.
 */

/** How long a staged upload lives: the registration window of a dataset upload, and the lifecycle rule's one day. */
export const STAGING_SECONDS = 24 * 60 * 60;

const StagedUpload = z.object({
  key: z.string(),
  sizeBytes: z.number().int().nonnegative(),
  /** Epoch seconds. */
  expiresAt: z.number().int(),
  stagedAt: z.string(),
});
export type StagedUpload = z.infer<typeof StagedUpload>;

const ledgerKey = (key: string) => ({ partition: ['STAGING'], sort: key });

/** A staging key for one upload (tenant-relative, under `staging/`). */
export const stagingKeyOf = (...segments: readonly (string | number)[]) => `${STAGING_PREFIX}${segments.join('/')}`;

/**
 * Reserves `sizeBytes` for an upload to `key`, once: asking again for the
 * same key returns the existing reservation (its expiry unchanged).
 */
export async function stageUpload(scope: TenantScope, key: string, sizeBytes: number): Promise<StagedUpload> {
  const existing = await stagedUpload(scope.table, key);
  if (existing) return existing;
  const release = await reserveQuota(scope.table, scope.quotas, 'storageBytes', sizeBytes);
  const now = scope.now();
  const staged: StagedUpload = { key, sizeBytes, expiresAt: Math.floor(now.getTime() / 1000) + STAGING_SECONDS, stagedAt: now.toISOString() };
  try {
    await scope.table.transact([{ kind: 'put', key: ledgerKey(key), item: { entity: 'staged-upload', ...staged }, expect: 'new' }]);
    return staged;
  } catch (error) {
    await release();
    if (!(error instanceof Conflict)) throw error;
    const winner = await stagedUpload(scope.table, key);
    if (!winner) throw error;
    return winner;
  }
}

export async function stagedUpload(table: MetadataTable, key: string): Promise<StagedUpload | undefined> {
  const item = await table.get(ledgerKey(key), { consistent: true });
  return item ? StagedUpload.parse(item) : undefined;
}

/**
 * The write that settles a staged upload in the caller's transaction: its
 * reservation now counts for the object the upload became. Fails the
 * transaction (Conflict) if a sweep or a refusal took the upload first.
 */
export function settleStagedWrite(key: string): ScopedWrite {
  return { kind: 'delete', key: ledgerKey(key), expect: 'exists' };
}

/** Drops a staged upload: its object, its ledger item and (only if the item was still there) its reservation. */
export async function discardStaged(table: MetadataTable, objects: TenantObjectStore, key: string): Promise<void> {
  await objects.remove(key).catch(() => undefined);
  const staged = await stagedUpload(table, key);
  if (!staged) return;
  try {
    await table.transact([{ kind: 'delete', key: ledgerKey(key), expect: 'exists' }]);
  } catch (error) {
    if (error instanceof Conflict) return; // settled or swept meanwhile: its reservation is not ours to release
    throw error;
  }
  await releaseQuota(table, 'storageBytes', staged.sizeBytes);
}

/**
 * Removes expired staged uploads (objects, ledger items, reservations) and
 * any object under `staging/` older than STAGING_SECONDS that no ledger item
 * names (a snapshot left by a crash). Returns how many uploads it removed.
 */
export async function sweepStaging(table: MetadataTable, objects: TenantObjectStore, now: Date): Promise<number> {
  const nowSeconds = Math.floor(now.getTime() / 1000);
  let removed = 0;
  let cursor: string | undefined;
  do {
    const page = await table.query({ partition: ['STAGING'], limit: 200, cursor });
    for (const item of page.items) {
      const staged = StagedUpload.parse(item);
      if (staged.expiresAt > nowSeconds) continue;
      await discardStaged(table, objects, staged.key);
      removed++;
    }
    cursor = page.cursor;
  } while (cursor);
  const cutoff = now.getTime() - STAGING_SECONDS * 1000;
  for (const object of await objects.list(STAGING_PREFIX)) {
    if (object.lastModified && Date.parse(object.lastModified) < cutoff && !(await stagedUpload(table, object.key))) {
      await objects.remove(object.key);
    }
  }
  return removed;
}
