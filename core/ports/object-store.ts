/**
 * Artifacts, datasets and outputs as the domain sees them: one tenant's
 * objects, addressed by keys relative to the tenant's root
 * (`tenants/<tenantId>/`), so a holder cannot address another tenant's
 * objects. On AWS and locally the adapter is the same S3 code
 * (core/adapters/s3/tenant-objects.ts), pointed at S3 or at the emulator.
 */
export interface StoredObject {
  readonly key: string;
  readonly size: number;
  readonly etag?: string;
  readonly contentType?: string;
}

export interface TenantObjectStore {
  readonly tenantId: string;
  /** The full bucket key of a tenant-relative key (ValidationFailed for `..`, absolute or empty keys). */
  keyOf(relative: string): string;
  put(relative: string, body: Uint8Array | string, contentType?: string): Promise<void>;
  /** NotFound when absent. */
  getBytes(relative: string): Promise<Uint8Array>;
  head(relative: string): Promise<StoredObject | undefined>;
  list(relativePrefix: string, limit?: number): Promise<StoredObject[]>;
  remove(relative: string): Promise<void>;
  /** Removes every object of the tenant (tenant deletion). Returns how many were removed. */
  purge(): Promise<number>;
  presignPut(relative: string, options: { expiresInSeconds: number; contentType?: string }): Promise<string>;
  presignGet(relative: string, options: { expiresInSeconds: number; downloadName?: string }): Promise<string>;
}
