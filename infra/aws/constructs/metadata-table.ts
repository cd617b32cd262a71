import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { TABLE_INDEXES, TABLE_KEYS, TTL_ATTRIBUTE } from '../../../core/storage/table-design';

export interface MetadataTableProps {
  /**
   * Customer-managed key for encryption at rest.
   *
   * @default - the AWS managed key for DynamoDB (aws/dynamodb)
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * What happens to the table when it leaves the stack. It holds every
   * tenant's metadata, lineage and audit trail, so it is kept by default.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Refuse DeleteTable, even from CloudFormation.
   *
   * @default true
   */
  readonly deletionProtection?: boolean;
}

/**
 * The single table (metadata, lineage, audit) built from
 * core/storage/table-design.ts, the same description the local bootstrap
 * uses, so both places get the same keys, indexes, TTL and stream.
 */
export class MetadataTable extends Construct {
  readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string, props: MetadataTableProps = {}) {
    super(scope, id);
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: TABLE_KEYS.partition, type: dynamodb.AttributeType.STRING },
      sortKey: { name: TABLE_KEYS.sort, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: TTL_ATTRIBUTE,
      // Audit and lineage consumers (EventBridge Pipes, projections) need both images.
      stream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
      encryption: props.encryptionKey ? dynamodb.TableEncryption.CUSTOMER_MANAGED : dynamodb.TableEncryption.AWS_MANAGED,
      encryptionKey: props.encryptionKey,
      deletionProtection: props.deletionProtection ?? true,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    for (const index of TABLE_INDEXES) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: { name: index.partition, type: dynamodb.AttributeType.STRING },
        sortKey: { name: index.sort, type: dynamodb.AttributeType.STRING },
        projectionType: dynamodb.ProjectionType.ALL,
      });
    }
  }
}
