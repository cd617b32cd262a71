import { named } from './named';
import { z } from '@hono/zod-openapi';
import { TenantRoleSchema } from '../../core/access/roles';
import { CiTokenSchema } from '../../core/identity/ci-tokens';
import { TenantUserSchema } from '../../core/identity/users';
import { TenantSchema } from '../../core/tenancy/tenant';

export const RoleSchema = named(TenantRoleSchema, 'Role');
export const UserSchema = named(TenantUserSchema, 'User');
export const TokenSchema = named(CiTokenSchema, 'CiToken');
export const TenantInfoSchema = named(TenantSchema, 'Tenant');

export const InvitationSchema = z
  .object({
    delivery: z.literal('email').openapi({ description: 'the invitation was mailed to the invitee; its secret is in no API answer' }),
    to: z.string(),
  })
  .openapi('Invitation');

export const QuotasSchema = z.object({ models: z.number(), versions: z.number(), storageBytes: z.number(), apiRatePerSecond: z.number() }).openapi('Quotas');
export const UsageSchema = z.object({ models: z.number(), versions: z.number(), storageBytes: z.number() }).openapi('Usage');
