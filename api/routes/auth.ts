import { z } from '@hono/zod-openapi';
import { AcceptInvitationInput, acceptInvitation, SignInInput, signIn } from '../../core/identity/sign-in';
import { body, json, problems } from '../schemas/common';
import type { RouteDeps } from './route-deps';

const SignedInSchema = z
  .object({
    idToken: z.string(),
    tokenType: z.literal('Bearer'),
    expiresAt: z.string(),
    kind: z.enum(['user', 'platform-admin']),
    tenantId: z.string().optional(),
  })
  .openapi('SignedIn');

/**
 * The local identity issuer: JWKS, discovery, password sign-in and invitation
 * redemption. Mounted only where Steward issues tokens itself (local mode); on
 * AWS, Cognito serves the same roles.
 */
export function authRoutes({ app, platform, guards, identity }: RouteDeps): void {
  const issuer = platform.identity.issuer;
  if (!issuer) return;
  const issuerUrl = platform.settings.STEWARD_JWT_ISSUER ?? '';

  app.openapi(
    guards.publicRoute({
      method: 'get',
      path: '/.well-known/jwks.json',
      tags: ['identity'],
      summary: 'Public keys of the local issuer',
      responses: { 200: json(z.object({ keys: z.array(z.record(z.string(), z.unknown())) }), 'JWKS') },
    }),
    async (c) => c.json(await issuer.jwks(), 200, { 'cache-control': 'public, max-age=300' }),
  );

  app.openapi(
    guards.publicRoute({
      method: 'get',
      path: '/.well-known/openid-configuration',
      tags: ['identity'],
      summary: 'Discovery document of the local issuer',
      responses: {
        200: json(
          z.object({ issuer: z.string(), jwks_uri: z.string(), token_endpoint: z.string(), id_token_signing_alg_values_supported: z.array(z.string()) }),
          'discovery',
        ),
      },
    }),
    (c) =>
      c.json(
        {
          issuer: issuerUrl,
          jwks_uri: `${issuerUrl}/.well-known/jwks.json`,
          token_endpoint: `${issuerUrl}/auth/token`,
          id_token_signing_alg_values_supported: ['RS256'],
        },
        200,
      ),
  );

  app.openapi(
    guards.publicRoute({
      method: 'post',
      path: '/auth/token',
      tags: ['identity'],
      summary: 'Sign in with email and password; returns an ID token (RS256, 1 h)',
      request: body(SignInInput),
      responses: { 200: json(SignedInSchema, 'signed in'), ...problems(400, 401, 429) },
    }),
    async (c) => {
      const result = await signIn(platform, identity, c.req.valid('json'), c.get('meta'));
      return c.json({ ...result, tokenType: 'Bearer' as const }, 200);
    },
  );

  app.openapi(
    guards.publicRoute({
      method: 'post',
      path: '/auth/accept-invitation',
      tags: ['identity'],
      summary: 'Redeem an invitation: set a password and activate the account',
      request: body(AcceptInvitationInput),
      responses: { 200: json(z.object({ email: z.string(), tenantId: z.string().optional() }), 'account activated'), ...problems(400, 409, 429) },
    }),
    async (c) => c.json(await acceptInvitation(platform, identity, c.req.valid('json'), c.get('meta')), 200),
  );
}
