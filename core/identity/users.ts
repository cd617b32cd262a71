import { z } from 'zod';
import type { Page, MetadataTable, ScopedWrite } from '../ports/metadata-store';
import { TenantRoleSchema } from '../access/roles';

export const USER_STATUSES = ['invited', 'active', 'disabled'] as const;

export const TenantUserSchema = z.object({
  userId: z.string(),
  email: z.string(),
  displayName: z.string().optional(),
  roles: z.array(TenantRoleSchema),
  status: z.enum(USER_STATUSES),
  createdAt: z.string(),
  updatedAt: z.string(),
  createdBy: z.string(),
  revision: z.number().int(),
});
export type TenantUser = z.infer<typeof TenantUserSchema>;

/** A tenant's users, in the tenant's own partition space (`T#<tenantId>#USER#<userId>`). */
export class TenantUsers {
  constructor(private readonly table: MetadataTable) {}

  static key(userId: string) {
    return { partition: ['USER', userId], sort: 'META' };
  }

  async get(userId: string): Promise<TenantUser | undefined> {
    const item = await this.table.get(TenantUsers.key(userId));
    return item ? TenantUserSchema.parse(item) : undefined;
  }

  /** The tenant's user with this address, if any (the USERS index sorts by `email#userId`). */
  async findByEmail(email: string): Promise<TenantUser | undefined> {
    const page = await this.table.query({ index: 'gsi1', partition: ['USERS'], sortBeginsWith: `${email.toLowerCase()}#`, limit: 1 });
    return page.items[0] ? TenantUserSchema.parse(page.items[0]) : undefined;
  }

  async list(options: { limit: number; cursor?: string }): Promise<Page<TenantUser>> {
    const page = await this.table.query({ index: 'gsi1', partition: ['USERS'], limit: options.limit, cursor: options.cursor });
    return { items: page.items.map((i) => TenantUserSchema.parse(i)), cursor: page.cursor };
  }

  write(user: TenantUser, previousVersion?: number): ScopedWrite {
    return {
      kind: 'put',
      key: TenantUsers.key(user.userId),
      indexes: { gsi1: { partition: ['USERS'], sort: `${user.email.toLowerCase()}#${user.userId}` } },
      item: { entity: 'user', ...user },
      expect: previousVersion === undefined ? 'new' : { revision: previousVersion },
    };
  }
}
