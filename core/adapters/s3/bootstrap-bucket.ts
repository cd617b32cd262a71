import { CreateBucketCommand, HeadBucketCommand, PutBucketVersioningCommand, type S3Client, S3ServiceException } from '@aws-sdk/client-s3';

/**
 * Creates the artifact bucket if missing (local mode; on AWS the CDK stack owns
 * it with encryption, versioning, TLS-only and public access blocked).
 */
export async function bootstrapBucket(s3: S3Client, bucketName: string): Promise<'created' | 'existed'> {
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucketName }));
    return 'existed';
  } catch (error) {
    const status = error instanceof S3ServiceException ? error.$metadata.httpStatusCode : undefined;
    if (status !== 404) throw error;
  }
  try {
    await s3.send(new CreateBucketCommand({ Bucket: bucketName }));
  } catch (error) {
    const name = error instanceof S3ServiceException ? error.name : '';
    if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') throw error;
    return 'existed';
  }
  // s3rver ignores versioning; AWS honours it. Sent for parity, tolerated if unsupported.
  await s3.send(new PutBucketVersioningCommand({ Bucket: bucketName, VersioningConfiguration: { Status: 'Enabled' } })).catch(() => undefined);
  return 'created';
}
