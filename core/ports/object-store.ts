/**
 * Artifacts, datasets and outputs as the domain sees them: one tenant's
 * objects, addressed by keys relative to the tenant's root
 * (`tenants/<tenantId>/`), so a holder cannot address another tenant's
 * objects. On AWS and locally the adapter is the same S3 code
 * (core/adapters/s3/tenant-objects.ts), pointed at S3 or at the emulator.
 *
 * Relative keys under `staging/` name the tenant's staging area, which lives
 * outside the tenant root at `staging/<tenantId>/…`: uploads land there, and
 * a bucket lifecycle rule (whose prefixes are literal, without wildcards)
 * expires whatever is left under `staging/`.
 */

/** The relative prefix of the tenant's staging area (see above). */
export const STAGING_PREFIX = 'staging/';

/** What a presigned upload commits the uploader to; S3 refuses a body that differs (signed Content-Length and x-amz-checksum-sha256). */
export interface UploadDeclaration {
  readonly expiresInSeconds: number;
  readonly contentType: string;
  /** Exact body length in bytes. */
  readonly contentLength: number;
  /** Lower-case hex SHA-256 of the body. */
  readonly sha256Hex: string;
}

export interface PresignedUpload {
  readonly url: string;
  /** Headers the uploader must send as given (they are part of the signature). */
  readonly headers: Record<string, string>;
}
export interface StoredObject {
  readonly key: string;
  readonly size: number;
  readonly etag?: string;
  readonly contentType?: string;
  /** ISO time of the last write (listings). */
  readonly lastModified?: string;
}

export interface TenantObjectStore {
  readonly tenantId: string;
  /** The full bucket key of a tenant-relative key (ValidationFailed for `..`, absolute or empty keys). */
  keyOf(relative: string): string;
  put(relative: string, body: Uint8Array | string, contentType?: string): Promise<void>;
  /** NotFound when absent. */
  getBytes(relative: string): Promise<Uint8Array>;
  /** The object's bytes as they arrive, so a large object (a batch partition) is never held whole. NotFound when absent. */
  getStream(relative: string): Promise<AsyncIterable<Uint8Array>>;
  head(relative: string): Promise<StoredObject | undefined>;
  list(relativePrefix: string, limit?: number): Promise<StoredObject[]>;
  remove(relative: string): Promise<void>;
  /** Removes every object of the tenant (tenant deletion). Returns how many were removed. */
  purge(): Promise<number>;
  presignPut(relative: string, options: { expiresInSeconds: number; contentType?: string }): Promise<string>;
  /** A presigned PUT that signs the declared length and checksum. */
  presignUpload(relative: string, declaration: UploadDeclaration): Promise<PresignedUpload>;
  /** A server-side copy within the tenant's objects (no bytes through this process). NotFound when `from` is absent. */
  copy(from: string, to: string, options?: { contentType?: string }): Promise<void>;
  presignGet(relative: string, options: { expiresInSeconds: number; downloadName?: string }): Promise<string>;
}
