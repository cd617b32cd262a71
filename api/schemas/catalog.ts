import { named } from './named';
import { z } from '@hono/zod-openapi';
import { ApprovalRecordSchema } from '../../core/catalog/approval-decision';
import { ModelSchema } from '../../core/catalog/models';
import { ProjectSchema } from '../../core/catalog/projects';
import { VersionSchema } from '../../core/catalog/versions';

export const ProjectOut = named(ProjectSchema, 'Project');
export const ModelOut = named(ModelSchema, 'Model');
export const ModelSummaryOut = named(
  ModelSchema.pick({ modelId: true, projectId: true, name: true, type: true, framework: true, owner: true, tags: true, description: true, createdAt: true }),
  'ModelSummary',
);
export const VersionOut = named(VersionSchema, 'ModelVersion');
export const ApprovalOut = named(ApprovalRecordSchema, 'Approval');

const catalogId = (name: string) => z.string().regex(/^[0-9a-hjkmnp-tv-z]{26}$/, `not a ${name}`);

export const ProjectParam = z.object({ projectId: catalogId('project id').openapi({ param: { name: 'projectId', in: 'path' } }) });
export const ModelParam = z.object({ modelId: catalogId('model id').openapi({ param: { name: 'modelId', in: 'path' } }) });
export const VersionParam = ModelParam.extend({
  version: z.coerce
    .number()
    .int()
    .min(1)
    .max(99_999_999)
    .openapi({ param: { name: 'version', in: 'path' }, type: 'integer' }),
});

export const PresignedUrlOut = z
  .object({ url: z.string(), method: z.literal('PUT'), headers: z.record(z.string(), z.string()), expiresAt: z.string() })
  .openapi('UploadUrl');
export const DownloadUrlOut = z.object({ url: z.string(), expiresAt: z.string(), sha256: z.string(), size: z.number() }).openapi('DownloadUrl');
