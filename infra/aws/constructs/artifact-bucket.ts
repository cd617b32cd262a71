import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
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
   * console uploads datasets straight to S3). The presigned signature is what
   * authorizes a request; CORS only decides which pages may send it.
   *
   * @default ['*']
   */
  readonly corsAllowedOrigins?: string[];
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

/**
 * The pooled artifact store (models, datasets, outputs under
 * `tenants/<tenantId>/...`): encrypted, versioned, private, TLS-only, with
 * server access logs in a separate bucket.
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
      cors: [
        {
          allowedMethods: [s3.HttpMethods.PUT, s3.HttpMethods.GET, s3.HttpMethods.HEAD],
          allowedOrigins: props.corsAllowedOrigins ?? ['*'],
          allowedHeaders: ['*'],
          // Multipart uploads read each part's ETag in the browser.
          exposedHeaders: ['ETag'],
          maxAge: 3000,
        },
      ],
      lifecycleRules: [
        {
          id: 'ExpireNoncurrentVersions',
          noncurrentVersionExpiration: props.noncurrentVersionExpiration ?? Duration.days(90),
          expiredObjectDeleteMarker: true,
        },
        { id: 'AbortIncompleteUploads', abortIncompleteMultipartUploadAfter: Duration.days(7) },
      ],
      removalPolicy,
    });
  }
}
