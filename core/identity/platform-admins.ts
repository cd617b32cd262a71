import { z } from 'zod';
import type { MetadataTable, ScopedWrite } from '../ports/metadata-store';

export const PlatformAdminSchema = z.object({
  adminId: z.string(),
  email: z.string(),
  status: z.enum(['active', 'disabled']),
  createdAt: z.string(),
  revision: z.number().int(),
});
export type PlatformAdmin = z.infer<typeof PlatformAdminSchema>;

/** Platform administrators: control-plane identities that see tenant metadata, never tenant data. */
export class PlatformAdmins {
  constructor(private readonly table: MetadataTable) {}

  static key(adminId: string) {
    return { partition: ['ADMIN', adminId], sort: 'META' };
  }

  async get(adminId: string): Promise<PlatformAdmin | undefined> {
    const item = await this.table.get(PlatformAdmins.key(adminId));
    return item ? PlatformAdminSchema.parse(item) : undefined;
  }

  async any(): Promise<boolean> {
    const page = await this.table.query({ index: 'gsi1', partition: ['ADMINS'], limit: 1 });
    return page.items.length > 0;
  }

  write(admin: PlatformAdmin, previousVersion?: number): ScopedWrite {
    return {
      kind: 'put',
      key: PlatformAdmins.key(admin.adminId),
      indexes: { gsi1: { partition: ['ADMINS'], sort: admin.adminId } },
      item: { entity: 'platform-admin', ...admin },
      expect: previousVersion === undefined ? 'new' : { revision: previousVersion },
    };
  }
}
