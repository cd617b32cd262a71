/**
 * The single-table design, shared by the CDK stack (infra/aws) and the local
 * bootstrap (core/adapters/dynamodb/bootstrap-table.ts) so both create the
 * same table.
 *
 * Every partition key of the table and of every index begins with
 * `T#<tenantId>#` for tenant data, or `P#` for platform (control-plane) data.
 * That is what lets IAM's `dynamodb:LeadingKeys` confine a tenant-scoped role
 * on AWS, and what TenantTable enforces in the application everywhere.
 */
export const TABLE_KEYS = { partition: 'pk', sort: 'sk' } as const;

export const TABLE_INDEXES = [
  { name: 'gsi1', partition: 'gsi1pk', sort: 'gsi1sk' },
  { name: 'gsi2', partition: 'gsi2pk', sort: 'gsi2sk' },
  { name: 'gsi3', partition: 'gsi3pk', sort: 'gsi3sk' },
  { name: 'gsi4', partition: 'gsi4pk', sort: 'gsi4sk' },
] as const;

export type IndexName = (typeof TABLE_INDEXES)[number]['name'];

/** Every attribute that is a key of the table or of an index: never plain item data. */
export const KEY_ATTRIBUTE_NAMES: ReadonlySet<string> = new Set([
  TABLE_KEYS.partition,
  TABLE_KEYS.sort,
  ...TABLE_INDEXES.flatMap((i) => [i.partition, i.sort]),
]);

/** Items carrying this attribute (epoch seconds) are expired by DynamoDB TTL. */
export const TTL_ATTRIBUTE = 'expiresAt';
