import { z } from '@hono/zod-openapi';
import { DecisionInput, decideOnVersion, listApprovals } from '../../core/catalog/approval-decision';
import { RULES_DOCUMENT_JSON_SCHEMA } from '../../core/catalog/artifacts/rules-document';
import { SCORECARD_DOCUMENT_JSON_SCHEMA } from '../../core/catalog/artifacts/scorecard-document';
import { artifactDownloadUrl, artifactUploadUrl, finalizeArtifact } from '../../core/catalog/version-artifacts';
import {
  getVersion,
  listModelVersions,
  RegisterVersionInput,
  registerVersion,
  searchVersions,
  TransitionInput,
  transitionVersion,
  VersionSearchInput,
} from '../../core/catalog/version-catalog';
import { ApprovalOut, DownloadUrlOut, ModelParam, PresignedUrlOut, VersionOut, VersionParam } from '../schemas/catalog';
import { body, json, PageQuery, pageOf, problems } from '../schemas/common';
import type { RouteDeps } from './route-deps';

/** Versions: registration, artifacts, status, approval decisions, search. */
export function versionRoutes({ app, guards }: RouteDeps): void {
  app.openapi(
    guards.tenantRoute('catalog:write', {
      method: 'post',
      path: '/models/{modelId}/versions',
      tags: ['versions'],
      summary: 'Register the next version (artifact declared by format, size and SHA-256; upload follows)',
      request: { params: ModelParam, ...body(RegisterVersionInput) },
      responses: { 201: json(VersionOut, 'registered'), ...problems(400, 401, 403, 404, 429) },
    }),
    async (c) => c.json(await registerVersion(c.get('scope'), c.req.valid('param').modelId, c.req.valid('json')), 201),
  );

  app.openapi(
    guards.tenantRoute('catalog:read', {
      method: 'get',
      path: '/models/{modelId}/versions',
      tags: ['versions'],
      summary: 'A model’s versions, newest first',
      request: { params: ModelParam, query: PageQuery.extend({ order: z.enum(['asc', 'desc']).default('desc') }) },
      responses: { 200: json(pageOf(VersionOut, 'VersionPage'), 'versions'), ...problems(400, 401, 403, 404) },
    }),
    async (c) => {
      const page = await listModelVersions(c.get('scope'), c.req.valid('param').modelId, c.req.valid('query'));
      return c.json({ items: page.items, next: page.cursor }, 200);
    },
  );

  app.openapi(
    guards.tenantRoute('catalog:read', {
      method: 'get',
      path: '/versions',
      tags: ['versions'],
      summary: 'Search versions across the tenant by status, stage or project, with a model-name prefix',
      request: { query: PageQuery.extend(VersionSearchInput.shape) },
      responses: { 200: json(pageOf(VersionOut, 'VersionSearchPage'), 'versions'), ...problems(400, 401, 403) },
    }),
    async (c) => {
      const { limit, cursor, ...search } = c.req.valid('query');
      const page = await searchVersions(c.get('scope'), search, { limit, cursor });
      return c.json({ items: page.items, next: page.cursor }, 200);
    },
  );

  app.openapi(
    guards.tenantRoute('catalog:read', {
      method: 'get',
      path: '/models/{modelId}/versions/{version}',
      tags: ['versions'],
      summary: 'One version',
      request: { params: VersionParam },
      responses: { 200: json(VersionOut, 'version'), ...problems(400, 401, 403, 404) },
    }),
    async (c) => {
      const { modelId, version } = c.req.valid('param');
      return c.json(await getVersion(c.get('scope'), modelId, version), 200);
    },
  );

  app.openapi(
    guards.tenantRoute('catalog:write', {
      method: 'post',
      path: '/models/{modelId}/versions/{version}/status',
      tags: ['versions'],
      summary: 'Move a version along its status machine (approval and deployment have their own endpoints)',
      request: { params: VersionParam, ...body(TransitionInput) },
      responses: { 200: json(VersionOut, 'new status'), ...problems(400, 401, 403, 404, 409, 412) },
    }),
    async (c) => {
      const { modelId, version } = c.req.valid('param');
      return c.json(await transitionVersion(c.get('scope'), modelId, version, c.req.valid('json')), 200);
    },
  );

  app.openapi(
    guards.tenantRoute('artifacts:write', {
      method: 'post',
      path: '/models/{modelId}/versions/{version}/artifact/upload-url',
      tags: ['versions'],
      summary: 'A presigned PUT URL for the version’s artifact (15 minutes)',
      request: { params: VersionParam },
      responses: { 200: json(PresignedUrlOut, 'upload URL'), ...problems(400, 401, 403, 404, 409) },
    }),
    async (c) => {
      const { modelId, version } = c.req.valid('param');
      return c.json(await artifactUploadUrl(c.get('scope'), modelId, version), 200);
    },
  );

  app.openapi(
    guards.tenantRoute('artifacts:write', {
      method: 'post',
      path: '/models/{modelId}/versions/{version}/artifact/finalize',
      tags: ['versions'],
      summary: 'Verify the uploaded artifact (size, SHA-256, content against the model schema)',
      request: { params: VersionParam },
      responses: { 200: json(VersionOut, 'artifact verified'), ...problems(400, 401, 403, 404, 409, 429) },
    }),
    async (c) => {
      const { modelId, version } = c.req.valid('param');
      return c.json(await finalizeArtifact(c.get('scope'), modelId, version), 200);
    },
  );

  app.openapi(
    guards.tenantRoute('catalog:read', {
      method: 'get',
      path: '/models/{modelId}/versions/{version}/artifact',
      tags: ['versions'],
      summary: 'A presigned GET URL for the verified artifact (15 minutes)',
      request: { params: VersionParam },
      responses: { 200: json(DownloadUrlOut, 'download URL'), ...problems(400, 401, 403, 404, 409) },
    }),
    async (c) => {
      const { modelId, version } = c.req.valid('param');
      return c.json(await artifactDownloadUrl(c.get('scope'), modelId, version), 200);
    },
  );

  app.openapi(
    guards.tenantRoute('catalog:read', {
      method: 'get',
      path: '/catalog/schemas/rules-document',
      tags: ['versions'],
      summary: 'The published JSON Schema (2020-12) of `rules` artifacts (steward-rules/v1 decision tables)',
      responses: { 200: json(z.record(z.string(), z.any()), 'JSON Schema'), ...problems(401, 403) },
    }),
    (c) => c.json(RULES_DOCUMENT_JSON_SCHEMA, 200, { 'cache-control': 'public, max-age=3600' }),
  );

  app.openapi(
    guards.tenantRoute('catalog:read', {
      method: 'get',
      path: '/catalog/schemas/scorecard-document',
      tags: ['versions'],
      summary: 'The published JSON Schema (2020-12) of `scorecard` artifacts (steward-scorecard/v1 points tables)',
      responses: { 200: json(z.record(z.string(), z.any()), 'JSON Schema'), ...problems(401, 403) },
    }),
    (c) => c.json(SCORECARD_DOCUMENT_JSON_SCHEMA, 200, { 'cache-control': 'public, max-age=3600' }),
  );

  app.openapi(
    guards.tenantRoute('approvals:decide', {
      method: 'post',
      path: '/models/{modelId}/versions/{version}/decision',
      tags: ['approvals'],
      summary: 'Approve or reject a version awaiting approval, with a reason (not your own)',
      request: { params: VersionParam, ...body(DecisionInput) },
      responses: { 200: json(z.object({ version: VersionOut, approval: ApprovalOut }), 'decided'), ...problems(400, 401, 403, 404, 409, 412) },
    }),
    async (c) => {
      const { modelId, version } = c.req.valid('param');
      return c.json(await decideOnVersion(c.get('scope'), modelId, version, c.req.valid('json')), 200);
    },
  );

  app.openapi(
    guards.tenantRoute('catalog:read', {
      method: 'get',
      path: '/models/{modelId}/versions/{version}/approvals',
      tags: ['approvals'],
      summary: 'Decisions recorded on a version',
      request: { params: VersionParam },
      responses: { 200: json(z.object({ items: z.array(ApprovalOut) }), 'decisions'), ...problems(400, 401, 403, 404) },
    }),
    async (c) => {
      const { modelId, version } = c.req.valid('param');
      await getVersion(c.get('scope'), modelId, version);
      return c.json({ items: await listApprovals(c.get('scope'), modelId, version) }, 200);
    },
  );
}
