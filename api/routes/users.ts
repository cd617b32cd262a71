import { z } from '@hono/zod-openapi';
import { Forbidden } from '../../core/errors';
import { getUser, InviteUserInput, inviteUser, listUsers, setUserStatus, UpdateUserInput, updateUser } from '../../core/identity/user-admin';
import { body, IdParam, json, PageQuery, pageOf, problems } from '../schemas/common';
import { InvitationSchema, RoleSchema, UserSchema } from '../schemas/identity';
import type { RouteDeps } from './route-deps';

const UserIdParam = IdParam('userId');

const MeSchema = z
  .object({
    kind: z.enum(['user', 'token']),
    tenantId: z.string(),
    id: z.string(),
    email: z.string().optional(),
    name: z.string().optional(),
    roles: z.array(RoleSchema),
  })
  .openapi('Me');

/** The caller, and user administration inside the caller's tenant. */
export function userRoutes({ app, guards, identity }: RouteDeps): void {
  app.openapi(
    guards.tenantRoute('tenant:read', {
      method: 'get',
      path: '/me',
      tags: ['users'],
      summary: 'Who the credential belongs to, and its roles',
      responses: { 200: json(MeSchema, 'the caller'), ...problems(401, 403) },
    }),
    (c) => {
      const p = c.get('scope').principal;
      // Pipeline principals exist only inside pipeline steps; no credential resolves to one.
      if (p.kind === 'pipeline') throw new Forbidden('a pipeline has no API identity');
      return c.json(
        p.kind === 'user'
          ? { kind: 'user' as const, tenantId: p.tenantId, id: p.userId, email: p.email, roles: [...p.roles] }
          : { kind: 'token' as const, tenantId: p.tenantId, id: p.tokenId, name: p.name, roles: [...p.roles] },
        200,
      );
    },
  );

  app.openapi(
    guards.tenantRoute('users:read', {
      method: 'get',
      path: '/users',
      tags: ['users'],
      summary: 'List the tenant’s users',
      request: { query: PageQuery },
      responses: { 200: json(pageOf(UserSchema, 'UserPage'), 'users'), ...problems(400, 401, 403) },
    }),
    async (c) => {
      const page = await listUsers(c.get('scope'), c.req.valid('query'));
      return c.json({ items: page.items, next: page.cursor }, 200);
    },
  );

  app.openapi(
    guards.tenantRoute('users:manage', {
      method: 'post',
      path: '/users',
      tags: ['users'],
      summary: 'Invite a user with roles; the invitation is returned once (local) or mailed (AWS)',
      request: body(InviteUserInput),
      responses: { 201: json(z.object({ user: UserSchema, invitation: InvitationSchema }), 'invited'), ...problems(400, 401, 403, 409) },
    }),
    async (c) => c.json(await inviteUser(c.get('scope'), identity, c.req.valid('json')), 201),
  );

  app.openapi(
    guards.tenantRoute('users:read', {
      method: 'get',
      path: '/users/{userId}',
      tags: ['users'],
      summary: 'One user',
      request: { params: UserIdParam },
      responses: { 200: json(UserSchema, 'user'), ...problems(400, 401, 403, 404) },
    }),
    async (c) => c.json(await getUser(c.get('scope'), c.req.valid('param').userId), 200),
  );

  app.openapi(
    guards.tenantRoute('users:manage', {
      method: 'patch',
      path: '/users/{userId}',
      tags: ['users'],
      summary: 'Change a user’s roles or display name',
      request: { params: UserIdParam, ...body(UpdateUserInput) },
      responses: { 200: json(UserSchema, 'updated'), ...problems(400, 401, 403, 404, 412) },
    }),
    async (c) => c.json(await updateUser(c.get('scope'), identity, c.req.valid('param').userId, c.req.valid('json')), 200),
  );

  for (const [action, status] of [
    ['disable', 'disabled'],
    ['enable', 'active'],
  ] as const) {
    app.openapi(
      guards.tenantRoute('users:manage', {
        method: 'post',
        path: `/users/{userId}/${action}`,
        tags: ['users'],
        summary: action === 'disable' ? 'Disable a user: refused from the next request on' : 'Re-enable a disabled user',
        request: { params: UserIdParam },
        responses: { 200: json(UserSchema, 'new state'), ...problems(400, 401, 403, 404, 409) },
      }),
      async (c) => c.json(await setUserStatus(c.get('scope'), identity, c.req.valid('param').userId, status), 200),
    );
  }
}
