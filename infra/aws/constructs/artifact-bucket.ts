import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

export interface ArtifactBucketProps {
  /**
   * Customer-managed key for default encryption (SSE-KMS with an S3 Bucket
   * Key, which keeps KMS request costs flat).
   *
   * @default - SSE-S3 (S3-managed keys)
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * Origins allowed to PUT/GET through presigned URLs from a browser (the
   * console uploads datasets straight to S3): the console's own origin(s),
   * spelled out (`https://console.example.com`); a wildcard is refused. The
   * presigned signature is what authorizes a request; CORS only decides which
   * pages may send it.
   *
   * @default - no CORS rule: browsers cannot use presigned URLs
   */
  readonly corsAllowedOrigins?: string[];
  /**
   * How long a staged upload (`staging/…`, core/catalog/staged-uploads.ts)
   * is kept before the lifecycle rule removes it.
   *
   * @default Duration.days(1)
   */
  readonly stagingExpiration?: Duration;
  /**
   * How long an overwritten or deleted object version is kept.
   *
   * @default Duration.days(90)
   */
  readonly noncurrentVersionExpiration?: Duration;
  /**
   * How long server access logs are kept.
   *
   * @default Duration.days(365)
   */
  readonly accessLogExpiration?: Duration;
  /**
   * What happens to the buckets when they leave the stack.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** Where uploads land before they are checked (core/ports/object-store.ts STAGING_PREFIX). */
export const STAGING_KEY_PREFIX = 'staging/';

/** Content-addressed keys of verified artifacts and dataset files (core/catalog/content-addressed.ts), in every tenant. */
export const CONTENT_KEY_PATTERNS = ['tenants/*/artifacts/sha256/*', 'tenants/*/datasets/sha256/*'] as const;

/**
 * The pooled artifact store (models, datasets, outputs under
 * `tenants/<tenantId>/...`, uploads under `staging/<tenantId>/...`):
 * encrypted, versioned, private, TLS-only, with server access logs in a
 * separate bucket. Staged uploads expire after a day. Verified bytes at
 * content keys can be written only by a server-side copy (the API copies a
 * checked snapshot there) and no version of them can be deleted: a bucket
 * policy Deny that binds every principal, the API's own roles included.
 */
export class ArtifactBucket extends Construct {
  readonly bucket: s3.Bucket;
  readonly accessLogBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: ArtifactBucketProps = {}) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    // Server access log delivery supports SSE-S3 only, not SSE-KMS.
    this.accessLogBucket = new s3.Bucket(this, 'AccessLogBucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      lifecycleRules: [{ id: 'ExpireAccessLogs', expiration: props.accessLogExpiration ?? Duration.days(365) }],
      removalPolicy,
    });
    Validations.of(this.accessLogBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the access log bucket itself; logging it into itself would loop and into another bucket would need a third one.',
    });

    const origins = props.corsAllowedOrigins ?? [];
    for (const origin of origins) {
      if (!/^https?:\/\/[^*\s/]+$/.test(origin))
        throw new Error(`corsAllowedOrigins: '${origin}' is not an explicit origin (scheme://host[:port], no wildcard, no path)`);
    }

    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: props.encryptionKey ? s3.BucketEncryption.KMS : s3.BucketEncryption.S3_MANAGED,
      encryptionKey: props.encryptionKey,
      bucketKeyEnabled: props.encryptionKey ? true : undefined,
      versioned: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      serverAccessLogsBucket: this.accessLogBucket,
      serverAccessLogsPrefix: 'artifacts/',
      cors:
        origins.length === 0
          ? undefined
          : [
              {
                allowedMethods: [s3.HttpMethods.PUT, s3.HttpMethods.GET, s3.HttpMethods.HEAD],
                allowedOrigins: origins,
                // The signed upload headers (core/adapters/s3/tenant-objects.ts presignUpload).
                allowedHeaders: ['content-type', 'x-amz-checksum-sha256'],
                // Multipart uploads read each part's ETag in the browser.
                exposedHeaders: ['ETag'],
                maxAge: 3000,
              },
            ],
      lifecycleRules: [
        {
          id: 'ExpireStagedUploads',
          prefix: STAGING_KEY_PREFIX,
          expiration: props.stagingExpiration ?? Duration.days(1),
          noncurrentVersionExpiration: props.stagingExpiration ?? Duration.days(1),
        },
        {
          id: 'ExpireNoncurrentVersions',
          noncurrentVersionExpiration: props.noncurrentVersionExpiration ?? Duration.days(90),
          expiredObjectDeleteMarker: true,
        },
        { id: 'AbortIncompleteUploads', abortIncompleteMultipartUploadAfter: Duration.days(7) },
      ],
      removalPolicy,
    });

    const contentKeys = CONTENT_KEY_PATTERNS.map((pattern) => this.bucket.arnForObjects(pattern));
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'ContentKeysOnlyByCopy',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:PutObject'],
        resources: contentKeys,
        // A PutObject without x-amz-copy-source is an upload of new bytes; only the copy of a checked snapshot may write here.
        conditions: { Null: { 's3:x-amz-copy-source': 'true' } },
      }),
    );
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'ContentKeysKeepTheirVersions',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        // Deleting the current object only adds a delete marker (versioned bucket); the verified version stays until lifecycle expiry.
        actions: ['s3:DeleteObjectVersion'],
        resources: contentKeys,
      }),
    );
  }
}
