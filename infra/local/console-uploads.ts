import { PutBucketCorsCommand, type S3Client } from '@aws-sdk/client-s3';

/**
 * Lets the console, served at `origins`, PUT files to presigned URLs and read
 * downloads from the local bucket (another port, so another origin). On AWS the
 * artifact bucket's CORS rule names the console's domain the same way.
 */
export async function allowConsoleUploads(s3: S3Client, bucket: string, origins: readonly string[]): Promise<void> {
  await s3.send(
    new PutBucketCorsCommand({
      Bucket: bucket,
      CORSConfiguration: {
        CORSRules: [{ AllowedOrigins: [...origins], AllowedMethods: ['PUT', 'GET'], AllowedHeaders: ['*'], ExposeHeaders: ['ETag'], MaxAgeSeconds: 3000 }],
      },
    }),
  );
}
