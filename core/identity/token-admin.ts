import { ulid } from 'ulid';
import { z } from 'zod';
import type { Page } from '../ports/metadata-store';
import { TenantRoleSchema } from '../access/roles';
import { auditWrite } from '../audit/audit-event';
import { Conflict, NotFound } from '../errors';
import type { TenantScope } from '../tenancy/tenant-scope';
import { type CiToken, CiTokenLookups, formatCiToken, TenantCiTokens } from './ci-tokens';
import type { IdentityDeps } from './identity-deps';
import { newSecret, sha256Hex } from './secrets';

const MAX_DAYS = 365;

export const CreateTokenInput = z.object({
  name: z.string().trim().min(1).max(100),
  // CI needs no user administration: least privilege keeps tenant-admin off tokens.
  roles: z
    .array(TenantRoleSchema.exclude(['tenant-admin']))
    .min(1)
    .max(4)
    .transform((r) => [...new Set(r)]),
  expiresInDays: z.number().int().min(1).max(MAX_DAYS),
});

/** Creates a CI token; the secret is in the result once and stored only as a hash. */
export async function createToken(
  scope: TenantScope,
  deps: Pick<IdentityDeps, 'controlPlane'>,
  input: z.infer<typeof CreateTokenInput>,
): Promise<{ token: CiToken; secret: string }> {
  const now = scope.now();
  const tokenId = ulid(now.getTime()).toLowerCase();
  const secret = newSecret();
  const token: CiToken = {
    tokenId,
    name: input.name,
    roles: input.roles,
    createdAt: now.toISOString(),
    createdBy: scope.meta.actor,
    expiresAt: new Date(now.getTime() + input.expiresInDays * 86_400_000).toISOString(),
    revision: 1,
  };
  const audit = auditWrite(scope.meta, 'token.created', { type: 'ci-token', id: tokenId }, { after: token }, now);
  await deps.controlPlane.transactAcross([
    [scope.table, [new TenantCiTokens(scope.table).write(token), audit.write]],
    [
      deps.controlPlane.platform(),
      [
        new CiTokenLookups(deps.controlPlane.platform()).write({
          tokenId,
          tenantId: scope.tenantId,
          name: token.name,
          secretHash: sha256Hex(secret),
          roles: token.roles,
          expiresAt: token.expiresAt,
          revoked: false,
        }),
      ],
    ],
  ]);
  return { token, secret: formatCiToken(tokenId, secret) };
}

export function listTokens(scope: TenantScope, options: { limit: number; cursor?: string }): Promise<Page<CiToken>> {
  return new TenantCiTokens(scope.table).list(options);
}

/** Revokes a token; the next request presenting it is refused. */
export async function revokeToken(scope: TenantScope, deps: IdentityDeps, tokenId: string): Promise<CiToken> {
  const tokens = new TenantCiTokens(scope.table);
  const before = await tokens.get(tokenId);
  if (!before) throw new NotFound('token', tokenId);
  if (before.revokedAt) throw new Conflict('this token is already revoked');
  const lookups = new CiTokenLookups(deps.controlPlane.platform());
  const lookup = await lookups.get(tokenId);
  const now = scope.now();
  const after: CiToken = { ...before, revokedAt: now.toISOString(), revokedBy: scope.meta.actor, revision: before.revision + 1 };
  const audit = auditWrite(scope.meta, 'token.revoked', { type: 'ci-token', id: tokenId }, { before, after }, now);
  await deps.controlPlane.transactAcross([
    [scope.table, [tokens.write(after, before.revision), audit.write]],
    [deps.controlPlane.platform(), lookup && lookup.tenantId === scope.tenantId ? [lookups.write({ ...lookup, revoked: true }, 'any')] : []],
  ]);
  deps.identityChanged();
  return after;
}
