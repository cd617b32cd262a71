import { Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { iam5ResourceFinding } from '../nag-findings';

export interface PlatformData {
  readonly table: dynamodb.Table;
  readonly bucket: s3.Bucket;
  readonly key: kms.IKey;
}

/**
 * Gives a function's role the platform data path (read/write on the metadata
 * table and its indexes, the artifact bucket's objects, and the data key) with
 * CDK's grant methods, and acknowledges the wildcards those grants contain,
 * each with its reason. Nothing else on the role is acknowledged.
 *
 * The tenancy work narrows this: the data path moves to STS sessions tagged
 * with the tenant (dynamodb:LeadingKeys, tenants/<id>/ object ARNs), and the
 * function role keeps only sts:AssumeRole/TagSession.
 */
export function grantPlatformData(role: iam.Role, data: PlatformData): void {
  data.table.grantReadWriteData(role);
  data.bucket.grantReadWrite(role);

  const pooled =
    'Pooled store: until the tenancy issue moves the data path to tenant-tagged STS sessions, the application scopes every key to the tenant (T#<tenantId>#, tenants/<tenantId>/).';
  const acknowledgements: Array<[string, string]> = [
    [iam5ResourceFinding(role, `${data.table.tableArn}/index/*`), 'The table design queries its own GSIs (gsi1..gsi3); index ARNs are the table ARN plus /index/<name>.'],
    ['AwsSolutions-IAM5[Action::kms:GenerateDataKey*]', 'Scoped to the one data key: envelope encryption by S3 and DynamoDB (GenerateDataKey and its WithoutPlaintext variant).'],
    ['AwsSolutions-IAM5[Action::kms:ReEncrypt*]', 'Scoped to the one data key: ReEncryptFrom/To, part of CDK\'s encrypt grant, only ever re-encrypt under that same key.'],
    ['AwsSolutions-IAM5[Action::s3:Abort*]', `AbortMultipartUpload on the artifact bucket only, for large model uploads. ${pooled}`],
    ['AwsSolutions-IAM5[Action::s3:DeleteObject*]', `Delete object (and version) on the artifact bucket only. ${pooled}`],
    ['AwsSolutions-IAM5[Action::s3:GetBucket*]', 'Bucket metadata reads (location, versioning) on the artifact bucket only; HeadBucket health probe.'],
    ['AwsSolutions-IAM5[Action::s3:GetObject*]', `Object and version reads on the artifact bucket only. ${pooled}`],
    ['AwsSolutions-IAM5[Action::s3:List*]', `Listing the artifact bucket only (ListBucket, ListMultipartUploadParts). ${pooled}`],
    [iam5ResourceFinding(role, data.bucket.arnForObjects('*')), `Objects of the artifact bucket. ${pooled}`],
  ];
  for (const [id, reason] of acknowledgements) Validations.of(role).acknowledge({ id, reason });
}
