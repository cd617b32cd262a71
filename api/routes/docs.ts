import { readFile } from 'node:fs/promises';
import { Scalar } from '@scalar/hono-api-reference';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { ApiEnv } from '../http/env';

/**
 * GET /docs renders /openapi.json. The renderer script is served from the
 * installed @scalar/api-reference package when present (local mode works with
 * no internet); a Lambda bundle without it falls back to the public CDN.
 */
export function docsRoutes(app: OpenAPIHono<ApiEnv>): void {
  const localBundle = resolveBundle();
  let cached: Promise<Buffer> | undefined;
  if (localBundle) {
    app.get('/docs/scalar.js', async (c) => {
      cached ??= readFile(localBundle);
      return c.body(new Uint8Array(await cached), 200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'public, max-age=86400' });
    });
  }
  app.get('/docs', Scalar({ url: '/openapi.json', pageTitle: 'Steward API', ...(localBundle ? { cdn: '/docs/scalar.js' } : {}) }));
}

function resolveBundle(): string | undefined {
  try {
    return require.resolve('@scalar/api-reference/dist/browser/standalone.js');
  } catch {
    return undefined;
  }
}
