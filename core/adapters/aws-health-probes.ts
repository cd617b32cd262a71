import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { GetBucketLocationCommand } from '@aws-sdk/client-s3';
import type { HealthProbe } from '../ports/health-probe';
import type { AwsClients } from './aws-clients';

/** The table answers DescribeTable and is ACTIVE. */
export function tableProbe(clients: AwsClients, tableName: string): HealthProbe {
  return {
    name: 'table',
    async check() {
      const out = await clients.dynamodb.send(new DescribeTableCommand({ TableName: tableName }));
      const status = out.Table?.TableStatus;
      if (status !== 'ACTIVE') throw new Error(`table ${tableName} is ${status ?? 'unknown'}`);
      return `${tableName} ACTIVE`;
    },
  };
}

/**
 * The bucket answers GetBucketLocation. Not HeadBucket: on AWS that needs
 * s3:ListBucket, which would let the API role list every tenant's keys.
 */
export function bucketProbe(clients: AwsClients, bucketName: string): HealthProbe {
  return {
    name: 'bucket',
    async check() {
      await clients.s3.send(new GetBucketLocationCommand({ Bucket: bucketName }));
      return bucketName;
    },
  };
}
