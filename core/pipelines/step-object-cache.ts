import type { PresignedUpload, StoredObject, TenantObjectStore, UploadDeclaration } from '../ports/object-store';

/**
 * A tenant's object store as one pipeline step sees it: every object the
 * step wrote or read is kept in memory for the step's lifetime, so the
 * trainer, the registration and the evaluation, which each read the data
 * and the artifact again from storage (as separate steps must), share one
 * read within a step that does all three. Writes, copies and removals go
 * through and update or drop what is kept; nothing outlives the step. Only
 * for a step's own short life: another writer's change to a kept key would
 * go unseen (the keys a step reads here are immutable by design: run
 * folders, content-addressed artifacts).
 */
export class StepObjectCache implements TenantObjectStore {
  private readonly kept = new Map<string, { bytes: Uint8Array; contentType?: string }>();

  constructor(private readonly objects: TenantObjectStore) {}

  get tenantId(): string {
    return this.objects.tenantId;
  }

  keyOf(relative: string): string {
    return this.objects.keyOf(relative);
  }

  /** Keeps bytes known to be stored under `relative` (the caller read or wrote them and checked their hash). */
  remember(relative: string, bytes: Uint8Array, contentType?: string): void {
    this.kept.set(relative, { bytes, ...(contentType ? { contentType } : {}) });
  }

  async put(relative: string, body: Uint8Array | string, contentType?: string): Promise<void> {
    this.kept.delete(relative);
    await this.objects.put(relative, body, contentType);
    this.remember(relative, typeof body === 'string' ? Buffer.from(body, 'utf8') : body, contentType);
  }

  async getBytes(relative: string): Promise<Uint8Array> {
    const hit = this.kept.get(relative);
    if (hit) return hit.bytes;
    const bytes = await this.objects.getBytes(relative);
    this.remember(relative, bytes);
    return bytes;
  }

  /** A kept object is streamed from memory as one chunk; anything else streams from storage, unkept (streams are for what is too large to keep). */
  async getStream(relative: string): Promise<AsyncIterable<Uint8Array>> {
    const hit = this.kept.get(relative);
    if (!hit) return this.objects.getStream(relative);
    return (async function* () {
      yield hit.bytes;
    })();
  }

  async head(relative: string): Promise<StoredObject | undefined> {
    const hit = this.kept.get(relative);
    if (hit) return { key: relative, size: hit.bytes.byteLength, ...(hit.contentType ? { contentType: hit.contentType } : {}) };
    return this.objects.head(relative);
  }

  list(relativePrefix: string, limit?: number): Promise<StoredObject[]> {
    return this.objects.list(relativePrefix, limit);
  }

  async remove(relative: string): Promise<void> {
    this.kept.delete(relative);
    await this.objects.remove(relative);
  }

  purge(): Promise<number> {
    this.kept.clear();
    return this.objects.purge();
  }

  presignPut(relative: string, options: { expiresInSeconds: number; contentType?: string }): Promise<string> {
    this.kept.delete(relative);
    return this.objects.presignPut(relative, options);
  }

  presignUpload(relative: string, declaration: UploadDeclaration): Promise<PresignedUpload> {
    this.kept.delete(relative);
    return this.objects.presignUpload(relative, declaration);
  }

  async copy(from: string, to: string, options?: { contentType?: string }): Promise<void> {
    this.kept.delete(to);
    await this.objects.copy(from, to, options);
  }

  presignGet(relative: string, options: { expiresInSeconds: number; downloadName?: string }): Promise<string> {
    return this.objects.presignGet(relative, options);
  }
}
