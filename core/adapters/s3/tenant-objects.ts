import {
  CopyObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  NotFound as S3NotFound,
  NoSuchKey,
  PutObjectCommand,
  DeleteObjectsCommand,
  DeleteObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { DependencyFailed, NotFound, ValidationFailed } from '../../errors';
import { assertTenantId } from '../../storage/keys';
import { type PresignedUpload, STAGING_PREFIX, type UploadDeclaration } from '../../ports/object-store';

export interface StoredObject {
  readonly key: string;
  readonly size: number;
  readonly etag?: string;
  readonly contentType?: string;
  readonly lastModified?: string;
}

/**
 * Artifact storage bound to one tenant: every object key is built under
 * `tenants/<tenantId>/`, so a caller holding this store cannot address
 * another tenant's objects. Relative keys only; `..` and absolute keys are refused.
 */
export class TenantObjects {
  readonly root: string;
  /** The tenant's staging area (core/ports/object-store.ts): outside the root, so one literal lifecycle prefix expires every tenant's. */
  readonly stagingRoot: string;

  constructor(
    private readonly s3: S3Client,
    readonly bucket: string,
    readonly tenantId: string,
  ) {
    this.root = `tenants/${assertTenantId(tenantId)}/`;
    this.stagingRoot = `${STAGING_PREFIX}${tenantId}/`;
  }

  /** The full bucket key of a tenant-relative key (`staging/…` maps to `staging/<tenantId>/…`). */
  keyOf(relative: string): string {
    if (!relative || relative.startsWith('/') || relative.split('/').some((s) => s === '..' || s === '.' || s === '')) {
      throw new ValidationFailed('invalid object key', [{ field: 'key', problem: `'${relative}' is not a relative object key` }]);
    }
    if (relative.startsWith(STAGING_PREFIX)) {
      if (relative.length === STAGING_PREFIX.length)
        throw new ValidationFailed('invalid object key', [{ field: 'key', problem: `'${relative}' names no object` }]);
      return this.stagingRoot + relative.slice(STAGING_PREFIX.length);
    }
    return this.root + relative;
  }

  /** The tenant-relative key of a full bucket key (inverse of keyOf). */
  private relativeOf(key: string): string {
    return key.startsWith(this.stagingRoot) ? STAGING_PREFIX + key.slice(this.stagingRoot.length) : key.slice(this.root.length);
  }

  async put(relative: string, body: Uint8Array | string, contentType = 'application/octet-stream'): Promise<void> {
    await this.call(() => this.s3.send(new PutObjectCommand({ Bucket: this.bucket, Key: this.keyOf(relative), Body: body, ContentType: contentType })));
  }

  async getBytes(relative: string): Promise<Uint8Array> {
    const out = await this.call(() => this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.keyOf(relative) })), relative);
    return out.Body!.transformToByteArray();
  }

  /** GetObject's body as it arrives (in Node the SDK's body is the response stream). */
  async getStream(relative: string): Promise<AsyncIterable<Uint8Array>> {
    const out = await this.call(() => this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.keyOf(relative) })), relative);
    const body = out.Body as unknown;
    if (!body || typeof (body as AsyncIterable<Uint8Array>)[Symbol.asyncIterator] !== 'function')
      throw new DependencyFailed('object store returned a body that is not a stream');
    return body as AsyncIterable<Uint8Array>;
  }

  async head(relative: string): Promise<StoredObject | undefined> {
    try {
      const out = await this.s3.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.keyOf(relative) }));
      return { key: relative, size: out.ContentLength ?? 0, etag: out.ETag, contentType: out.ContentType };
    } catch (error) {
      if (error instanceof S3NotFound || error instanceof NoSuchKey || (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404)
        return undefined;
      throw new DependencyFailed('object store request failed', { cause: error });
    }
  }

  async list(relativePrefix: string, limit = 1000): Promise<StoredObject[]> {
    const prefix = relativePrefix.startsWith(STAGING_PREFIX) ? this.stagingRoot + relativePrefix.slice(STAGING_PREFIX.length) : this.root + relativePrefix;
    const out = await this.call(() => this.s3.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, MaxKeys: limit })));
    return (out.Contents ?? []).map((o) => ({ key: this.relativeOf(o.Key!), size: o.Size ?? 0, etag: o.ETag, lastModified: o.LastModified?.toISOString() }));
  }

  async remove(relative: string): Promise<void> {
    await this.call(() => this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.keyOf(relative) })));
  }

  /** Removes every object of the tenant (tenant deletion). Returns how many were removed. */
  async purge(): Promise<number> {
    let removed = 0;
    for (const prefix of [this.root, this.stagingRoot]) {
      for (;;) {
        const out = await this.call(() => this.s3.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, MaxKeys: 1000 })));
        const keys = (out.Contents ?? []).map((o) => ({ Key: o.Key! }));
        if (keys.length === 0) break;
        await this.call(() => this.s3.send(new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: keys, Quiet: true } })));
        removed += keys.length;
      }
    }
    return removed;
  }

  /**
   * Content-Length and x-amz-checksum-sha256 are signed headers of the URL:
   * S3 refuses a request whose length or checksum header differs from the
   * signed one (signature mismatch) and a body that does not hash to the
   * checksum (BadDigest). s3rver checks neither; the domain re-checks both at
   * finalize, so locally that is the layer that refuses.
   */
  async presignUpload(relative: string, declaration: UploadDeclaration): Promise<PresignedUpload> {
    const checksum = Buffer.from(declaration.sha256Hex, 'hex').toString('base64');
    const url = await getSignedUrl(
      this.s3,
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: this.keyOf(relative),
        ContentType: declaration.contentType,
        ContentLength: declaration.contentLength,
        ChecksumSHA256: checksum,
      }),
      {
        expiresIn: declaration.expiresInSeconds,
        // Kept as headers (not hoisted into the query), so they are among X-Amz-SignedHeaders and must be sent as signed.
        signableHeaders: new Set(['content-type', 'content-length', 'x-amz-checksum-sha256']),
        unhoistableHeaders: new Set(['x-amz-checksum-sha256', 'x-amz-sdk-checksum-algorithm']),
      },
    );
    return { url, headers: { 'content-type': declaration.contentType, 'x-amz-checksum-sha256': checksum } };
  }

  async copy(from: string, to: string, options: { contentType?: string } = {}): Promise<void> {
    const source = `${this.bucket}/${this.keyOf(from).split('/').map(encodeURIComponent).join('/')}`;
    const metadata = options.contentType ? { MetadataDirective: 'REPLACE' as const, ContentType: options.contentType } : { MetadataDirective: 'COPY' as const };
    await this.call(() => this.s3.send(new CopyObjectCommand({ Bucket: this.bucket, Key: this.keyOf(to), CopySource: source, ...metadata })), from);
  }

  presignPut(relative: string, options: { expiresInSeconds: number; contentType?: string }): Promise<string> {
    return getSignedUrl(this.s3, new PutObjectCommand({ Bucket: this.bucket, Key: this.keyOf(relative), ContentType: options.contentType }), {
      expiresIn: options.expiresInSeconds,
    });
  }

  presignGet(relative: string, options: { expiresInSeconds: number; downloadName?: string }): Promise<string> {
    return getSignedUrl(
      this.s3,
      new GetObjectCommand({
        Bucket: this.bucket,
        Key: this.keyOf(relative),
        ResponseContentDisposition: options.downloadName ? `attachment; filename="${options.downloadName.replace(/"/g, '')}"` : undefined,
      }),
      { expiresIn: options.expiresInSeconds },
    );
  }

  private async call<T>(run: () => Promise<T>, relative?: string): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (relative && (error instanceof NoSuchKey || error instanceof S3NotFound)) throw new NotFound('object', relative, { cause: error });
      throw new DependencyFailed('object store request failed', { cause: error });
    }
  }
}
