import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The console: a static SPA. No React plugin (its peer range excludes Vite 8):
 * Vite's own Oxc transform compiles JSX with React's automatic runtime.
 * `npm run dev:web` proxies the API to a running `npm start`.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'react' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 1200,
    rolldownOptions: {
      // React Query marks its modules "use client" for server-component bundlers; meaningless in an SPA.
      onwarn(warning, warn) {
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
    },
  },
  server: {
    proxy: Object.fromEntries(
      ['/auth', '/signup', '/tenant', '/platform', '/me', '/users', '/tokens', '/audit', '/projects', '/models', '/versions', '/catalog', '/datasets', '/pipelines', '/executions', '/openapi.json', '/health', '/.well-known'].map(
        (p) => [p, { target: process.env.STEWARD_API ?? 'http://127.0.0.1:7700', bypass: (req: { headers: Record<string, string | string[] | undefined> }) => (String(req.headers.accept ?? '').includes('text/html') ? '/index.html' : undefined) }],
      ),
    ),
  },
});
