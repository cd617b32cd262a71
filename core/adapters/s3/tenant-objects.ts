import {
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

export interface StoredObject {
  readonly key: string;
  readonly size: number;
  readonly etag?: string;
  readonly contentType?: string;
}

/**
 * Artifact storage bound to one tenant: every object key is built under
 * `tenants/<tenantId>/`, so a caller holding this store cannot address
 * another tenant's objects. Relative keys only; `..` and absolute keys are refused.
 */
export class TenantObjects {
  readonly root: string;

  constructor(private readonly s3: S3Client, readonly bucket: string, readonly tenantId: string) {
    this.root = `tenants/${assertTenantId(tenantId)}/`;
  }

  /** The full bucket key of a tenant-relative key. */
  keyOf(relative: string): string {
    if (!relative || relative.startsWith('/') || relative.split('/').some((s) => s === '..' || s === '.' || s === '')) {
      throw new ValidationFailed('invalid object key', [{ field: 'key', problem: `'${relative}' is not a relative object key` }]);
    }
    return this.root + relative;
  }

  async put(relative: string, body: Uint8Array | string, contentType = 'application/octet-stream'): Promise<void> {
    await this.call(() => this.s3.send(new PutObjectCommand({ Bucket: this.bucket, Key: this.keyOf(relative), Body: body, ContentType: contentType })));
  }

  async getBytes(relative: string): Promise<Uint8Array> {
    const out = await this.call(() => this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.keyOf(relative) })), relative);
    return out.Body!.transformToByteArray();
  }

  async head(relative: string): Promise<StoredObject | undefined> {
    try {
      const out = await this.s3.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.keyOf(relative) }));
      return { key: relative, size: out.ContentLength ?? 0, etag: out.ETag, contentType: out.ContentType };
    } catch (error) {
      if (error instanceof S3NotFound || error instanceof NoSuchKey || (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return undefined;
      throw new DependencyFailed('object store request failed', { cause: error });
    }
  }

  async list(relativePrefix: string, limit = 1000): Promise<StoredObject[]> {
    const out = await this.call(() =>
      this.s3.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.root + relativePrefix, MaxKeys: limit })),
    );
    return (out.Contents ?? []).map((o) => ({ key: o.Key!.slice(this.root.length), size: o.Size ?? 0, etag: o.ETag }));
  }

  async remove(relative: string): Promise<void> {
    await this.call(() => this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.keyOf(relative) })));
  }

  /** Removes every object of the tenant (tenant deletion). Returns how many were removed. */
  async purge(): Promise<number> {
    let removed = 0;
    for (;;) {
      const out = await this.call(() => this.s3.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.root, MaxKeys: 1000 })));
      const keys = (out.Contents ?? []).map((o) => ({ Key: o.Key! }));
      if (keys.length === 0) return removed;
      await this.call(() => this.s3.send(new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: keys, Quiet: true } })));
      removed += keys.length;
    }
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
