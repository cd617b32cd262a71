import { createHash, randomUUID } from 'node:crypto';
import { DependencyFailed } from '../errors';
import type { TenantObjectStore } from '../ports/object-store';
import { stagingKeyOf } from './staged-uploads';

/**
 * Verified bytes live at keys named by their SHA-256 (`artifacts/sha256/<hex>`,
 * `datasets/sha256/<hex>`), written only here, only by a server-side copy of a
 * snapshot whose hash was checked. Nobody is ever given an upload URL for
 * such a key (and on AWS the bucket policy refuses any write there that is
 * not a copy, infra/aws/constructs/artifact-bucket.ts), so what a record
 * points to cannot change after it was verified.
 *
 * The snapshot closes the window between checking and copying: the upload
 * URL stays valid for minutes after finalize starts, so the check reads a
 * private copy taken first, and that same copy becomes the content object.
 */
export type ContentFamily = 'artifacts' | 'datasets';

const HEX_SHA256 = /^[0-9a-f]{64}$/;

export function contentKey(family: ContentFamily, sha256: string): string {
  if (!HEX_SHA256.test(sha256)) throw new Error(`not a lower-case hex SHA-256: '${sha256}'`);
  return `${family}/sha256/${sha256}`;
}

/** A private copy of `from` under staging (no URL is ever issued for it); remove it when done. */
export async function snapshotOf(objects: TenantObjectStore, from: string): Promise<string> {
  const key = stagingKeyOf('snapshots', randomUUID());
  await objects.copy(from, key);
  return key;
}

/**
 * Files a checked snapshot under its content key and returns the key. When
 * the key already exists it holds these very bytes (it was filled the same
 * way), so it is left as it is rather than written again.
 */
export async function storeContent(objects: TenantObjectStore, snapshot: string, family: ContentFamily, sha256: string, contentType?: string): Promise<string> {
  const key = contentKey(family, sha256);
  if (!(await objects.head(key))) await objects.copy(snapshot, key, contentType ? { contentType } : undefined);
  return key;
}

/**
 * Files bytes the platform produced itself (already written by it to
 * `source`, a key no URL was ever issued for) under their content key, by a
 * server-side copy — the only write the bucket allows there — and returns the
 * key. The copy is read back and hashed, so the key provably holds the bytes
 * hashed as `sha256`; if it does not (the source changed under the copy), the
 * copy is removed and the step fails as retryable. An existing content key
 * already holds these bytes (filled only this way or by `storeContent`).
 */
export async function fileProducedContent(
  objects: TenantObjectStore,
  source: string,
  family: ContentFamily,
  sha256: string,
  contentType?: string,
): Promise<string> {
  const key = contentKey(family, sha256);
  if (await objects.head(key)) return key;
  await objects.copy(source, key, contentType ? { contentType } : undefined);
  const copied = createHash('sha256')
    .update(await objects.getBytes(key))
    .digest('hex');
  if (copied !== sha256) {
    await objects.remove(key).catch(() => undefined);
    throw new DependencyFailed(`the produced object '${source}' changed before it was filed: its copy hashes to ${copied}, produced ${sha256}`);
  }
  return key;
}
