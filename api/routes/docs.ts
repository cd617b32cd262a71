import { readFile } from 'node:fs/promises';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { ApiEnv } from '../http/env';

const CDN_BUNDLE = 'https://cdn.jsdelivr.net/npm/@scalar/api-reference';

/**
 * GET /docs renders /openapi.json with Scalar's API reference. The renderer is
 * served from the installed @scalar/api-reference package when present, so the
 * local platform needs no internet; a Lambda bundle without it uses the CDN.
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
  const script = localBundle ? '/docs/scalar.js' : CDN_BUNDLE;
  const page = `<!doctype html>
<html lang="en">
  <head><meta charset="utf-8" /><meta name="viewport" content="width=device-width, initial-scale=1" /><title>Steward API</title></head>
  <body>
    <div id="app"></div>
    <script src="${script}"></script>
    <script>Scalar.createApiReference('#app', { url: '/openapi.json', hideClientButton: false })</script>
  </body>
</html>`;
  app.get('/docs', (c) => c.html(page));
}

function resolveBundle(): string | undefined {
  try {
    return require.resolve('@scalar/api-reference/browser/standalone.js');
  } catch {
    return undefined;
  }
}
