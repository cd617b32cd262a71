import { z } from '@hono/zod-openapi';
import { ApprovalPolicySchema, PolicyRefSchema } from '../../core/governance/approval-policy';
import { InboxItemSchema } from '../../core/governance/approvals-inbox';
import { ComparisonSchema } from '../../core/governance/version-comparison';
import { named } from './named';

export const ApprovalPolicyIn = named(ApprovalPolicySchema, 'ApprovalPolicy');
export const PolicyRefOut = named(PolicyRefSchema, 'PolicyRef');

export const GoverningPolicyOut = z
  .object({
    policy: ApprovalPolicySchema,
    ref: PolicyRefSchema,
    updatedAt: z.string().optional(),
    updatedBy: z.string().optional(),
  })
  .openapi('GoverningPolicy');

export const PolicyRevisionOut = z
  .object({ policy: ApprovalPolicySchema, ref: PolicyRefSchema, updatedAt: z.string().optional(), updatedBy: z.string().optional(), active: z.boolean() })
  .openapi('PolicyRevision');

export const ProjectPolicyOut = z.object({ governing: GoverningPolicyOut, override: GoverningPolicyOut.optional() }).openapi('ProjectPolicy');

export const PolicyWriteQuery = z.object({
  expectedRevision: z.coerce.number().int().min(0).optional().openapi({ description: 'the revision you read (0: none stored); a newer one makes this a 412' }),
});

export const InboxItemOut = named(InboxItemSchema, 'ApprovalInboxItem');
export const ComparisonOut = named(ComparisonSchema, 'VersionComparison');
