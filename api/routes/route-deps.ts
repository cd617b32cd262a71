import type { OpenAPIHono } from '@hono/zod-openapi';
import type { IdentityDeps } from '../../core/identity/identity-deps';
import type { Platform } from '../../core/platform/platform';
import type { ApiEnv } from '../http/env';
import type { Guards } from '../http/guards';

/** What each route module receives from createApp. */
export interface RouteDeps {
  readonly app: OpenAPIHono<ApiEnv>;
  readonly platform: Platform;
  readonly guards: Guards;
  readonly identity: IdentityDeps;
}
