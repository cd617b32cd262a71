import { z } from '@hono/zod-openapi';
import { CreateTokenInput, createToken, listTokens, revokeToken } from '../../core/identity/token-admin';
import { body, IdParam, json, PageQuery, pageOf, problems } from '../schemas/common';
import { TokenSchema } from '../schemas/identity';
import type { RouteDeps } from './route-deps';

/** CI tokens: tenant-scoped credentials for pipelines and scheduled jobs. */
export function tokenRoutes({ app, guards, identity }: RouteDeps): void {
  app.openapi(
    guards.tenantRoute('tokens:read', {
      method: 'get',
      path: '/tokens',
      tags: ['tokens'],
      summary: 'List CI tokens (never their secrets), with last use',
      request: { query: PageQuery },
      responses: { 200: json(pageOf(TokenSchema, 'CiTokenPage'), 'tokens'), ...problems(400, 401, 403) },
    }),
    async (c) => {
      const page = await listTokens(c.get('scope'), c.req.valid('query'));
      return c.json({ items: page.items, next: page.cursor }, 200);
    },
  );

  app.openapi(
    guards.tenantRoute('tokens:manage', {
      method: 'post',
      path: '/tokens',
      tags: ['tokens'],
      summary: 'Create a CI token; the secret is in this response only',
      request: body(CreateTokenInput),
      responses: { 201: json(z.object({ token: TokenSchema, secret: z.string() }).openapi('CreatedCiToken'), 'created'), ...problems(400, 401, 403) },
    }),
    async (c) => c.json(await createToken(c.get('scope'), identity, c.req.valid('json')), 201),
  );

  app.openapi(
    guards.tenantRoute('tokens:manage', {
      method: 'delete',
      path: '/tokens/{tokenId}',
      tags: ['tokens'],
      summary: 'Revoke a CI token; refused from the next request on',
      request: { params: IdParam('tokenId') },
      responses: { 200: json(TokenSchema, 'revoked'), ...problems(400, 401, 403, 404, 409) },
    }),
    async (c) => c.json(await revokeToken(c.get('scope'), identity, c.req.valid('param').tokenId), 200),
  );
}
