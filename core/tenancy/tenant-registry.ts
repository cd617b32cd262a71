import type { Page, MetadataTable, ScopedWrite } from '../ports/metadata-store';
import { type Tenant, TenantSchema, type TenantStatus } from './tenant';

/**
 * The control plane's list of tenants (platform table, `P#TENANT#<id>`).
 * Holds tenant metadata only, never tenant data.
 */
export class TenantRegistry {
  constructor(private readonly table: MetadataTable) {}

  static key(tenantId: string) {
    return { partition: ['TENANT', tenantId], sort: 'META' };
  }

  async get(tenantId: string): Promise<Tenant | undefined> {
    const item = await this.table.get(TenantRegistry.key(tenantId));
    return item ? TenantSchema.parse(item) : undefined;
  }

  async list(options: { status?: TenantStatus; limit: number; cursor?: string }): Promise<Page<Tenant>> {
    const page = options.status
      ? await this.table.query({ index: 'gsi2', partition: ['TENANTS', options.status], limit: options.limit, cursor: options.cursor, descending: true })
      : await this.table.query({ index: 'gsi1', partition: ['TENANTS'], limit: options.limit, cursor: options.cursor, descending: true });
    return { items: page.items.map((i) => TenantSchema.parse(i)), cursor: page.cursor };
  }

  /** The write that stores `tenant`; `previousVersion` guards against concurrent changes. */
  write(tenant: Tenant, previousVersion?: number): ScopedWrite {
    return {
      kind: 'put',
      key: TenantRegistry.key(tenant.tenantId),
      indexes: {
        gsi1: { partition: ['TENANTS'], sort: `${tenant.createdAt}#${tenant.tenantId}` },
        gsi2: { partition: ['TENANTS', tenant.status], sort: `${tenant.createdAt}#${tenant.tenantId}` },
      },
      item: { entity: 'tenant', ...tenant },
      expect: previousVersion === undefined ? 'new' : { revision: previousVersion },
    };
  }
}
