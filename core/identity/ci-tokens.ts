import { z } from 'zod';
import type { Page, MetadataTable, ScopedWrite } from '../ports/metadata-store';
import { TenantRoleSchema } from '../access/roles';

/** What a tenant admin sees of a token; the secret itself is never stored. */
export const CiTokenSchema = z.object({
  tokenId: z.string(),
  name: z.string(),
  roles: z.array(TenantRoleSchema),
  createdAt: z.string(),
  createdBy: z.string(),
  expiresAt: z.string(),
  revokedAt: z.string().optional(),
  revokedBy: z.string().optional(),
  lastUsedAt: z.string().optional(),
  revision: z.number().int(),
});
export type CiToken = z.infer<typeof CiTokenSchema>;

/** The platform-side lookup a request's token is checked against (tenant unknown until then). */
export const CiTokenLookupSchema = z.object({
  tokenId: z.string(),
  tenantId: z.string(),
  name: z.string(),
  secretHash: z.string(),
  roles: z.array(TenantRoleSchema),
  expiresAt: z.string(),
  revoked: z.boolean(),
});
export type CiTokenLookup = z.infer<typeof CiTokenLookupSchema>;

/** `stw_<tokenId>_<secret>`: the id locates the hash, the secret proves possession. */
export const CI_TOKEN_PATTERN = /^stw_([0-9a-z]{26})_([A-Za-z0-9_-]{43})$/;

export function formatCiToken(tokenId: string, secret: string): string {
  return `stw_${tokenId}_${secret}`;
}

export function parseCiToken(value: string): { tokenId: string; secret: string } | undefined {
  const match = CI_TOKEN_PATTERN.exec(value);
  return match ? { tokenId: match[1], secret: match[2] } : undefined;
}

export class TenantCiTokens {
  constructor(private readonly table: MetadataTable) {}

  static key(tokenId: string) {
    return { partition: ['TOKEN', tokenId], sort: 'META' };
  }

  async get(tokenId: string): Promise<CiToken | undefined> {
    const item = await this.table.get(TenantCiTokens.key(tokenId));
    return item ? CiTokenSchema.parse(item) : undefined;
  }

  async list(options: { limit: number; cursor?: string }): Promise<Page<CiToken>> {
    const page = await this.table.query({ index: 'gsi1', partition: ['TOKENS'], limit: options.limit, cursor: options.cursor, descending: true });
    return { items: page.items.map((i) => CiTokenSchema.parse(i)), cursor: page.cursor };
  }

  write(token: CiToken, previousVersion?: number): ScopedWrite {
    return {
      kind: 'put',
      key: TenantCiTokens.key(token.tokenId),
      indexes: { gsi1: { partition: ['TOKENS'], sort: token.tokenId } },
      item: { entity: 'ci-token', ...token },
      expect: previousVersion === undefined ? 'new' : { revision: previousVersion },
    };
  }
}

export class CiTokenLookups {
  constructor(private readonly table: MetadataTable) {}

  static key(tokenId: string) {
    return { partition: ['CITOKEN', tokenId], sort: 'META' };
  }

  async get(tokenId: string): Promise<CiTokenLookup | undefined> {
    const item = await this.table.get(CiTokenLookups.key(tokenId));
    return item ? CiTokenLookupSchema.parse(item) : undefined;
  }

  write(lookup: CiTokenLookup, expect: 'new' | 'any' = 'new'): ScopedWrite {
    return { kind: 'put', key: CiTokenLookups.key(lookup.tokenId), item: { entity: 'ci-token-lookup', ...lookup }, expect };
  }
}
