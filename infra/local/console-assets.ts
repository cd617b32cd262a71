import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { promisify } from 'node:util';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { getMimeType } from 'hono/utils/mime';
import type { ApiEnv } from '../../api/http/env';
import { consoleContentSecurityPolicy } from '../console-security-policy';

/** Where `npm run build:web` writes the console (web/vite.config.mts). */
export const CONSOLE_ROOT = resolve(__dirname, '../../web');
export const CONSOLE_DIST = join(CONSOLE_ROOT, 'dist');

type Fetch = OpenAPIHono<ApiEnv>['fetch'];
const execFileAsync = promisify(execFile);

/** API paths a browser may open as a page itself: they stay with the API. */
const API_DOCUMENTS = ['/docs', '/openapi.json', '/health', '/.well-known/'];

function newestChange(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newestChange(join(path, name))));
}

/** True when web/dist is missing or older than the console's sources. */
export function consoleBuildIsStale(root = CONSOLE_ROOT): boolean {
  const index = join(root, 'dist', 'index.html');
  if (!existsSync(index)) return true;
  const built = statSync(index).mtimeMs;
  const sources = ['src', 'index.html', 'vite.config.mts'].map((p) => join(root, p)).filter((p) => existsSync(p));
  return sources.some((p) => newestChange(p) > built);
}

/**
 * Builds the console with Vite when it is missing or stale, so `npm install && npm start`
 * is all a newcomer runs. Returns false (and says why) when Vite is unavailable:
 * the API still starts.
 */
export async function ensureConsoleBuilt(log: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): Promise<boolean> {
  if (!existsSync(join(CONSOLE_ROOT, 'index.html'))) return false;
  if (!consoleBuildIsStale()) return true;
  log('steward: building the web console (web/dist is missing or older than web/src)…');
  try {
    // Vite's own command in a child process: Vite is ES modules only, and a build must not share the API's process.
    // Built beside dist, then swapped in, so a second process starting at the same time never serves half a build.
    const vite = join(dirname(require.resolve('vite/package.json')), 'bin', 'vite.js');
    const fresh = join(CONSOLE_ROOT, `.dist-${process.pid}-${Date.now()}`);
    await execFileAsync(process.execPath, [vite, 'build', '--config', join(CONSOLE_ROOT, 'vite.config.mts'), '--logLevel', 'warn', '--outDir', fresh], {
      cwd: CONSOLE_ROOT,
    });
    const old = `${fresh}-old`;
    if (existsSync(CONSOLE_DIST)) renameSync(CONSOLE_DIST, old);
    renameSync(fresh, CONSOLE_DIST);
    rmSync(old, { recursive: true, force: true });
    return true;
  } catch (error) {
    log(
      `steward: the console could not be built (${error instanceof Error ? error.message : String(error)}); run \`npm run build:web\` to see why. The API runs without it.`,
    );
    return false;
  }
}

/** The console documents' headers: the shared CSP, plus what CloudFront's policy adds on AWS (no sniffing, no referrer, no framing). */
export function consoleSecurityHeaders(connectOrigins: readonly string[] = []): Record<string, string> {
  return {
    'content-security-policy': consoleContentSecurityPolicy(connectOrigins),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
  };
}

/**
 * Serves the built console beside the API on one origin: `/assets/*` are its files,
 * and a page a browser navigates to (any client route, such as /models/…) gets
 * index.html. Everything else — every fetch the console or a client makes — is the API's.
 */
export function withConsole(api: { fetch: Fetch }, options: { dist?: string; connectOrigins?: readonly string[] } = {}): { fetch: Fetch } {
  const dist = options.dist ?? CONSOLE_DIST;
  const headers = consoleSecurityHeaders(options.connectOrigins);
  const file = (path: string, cache: string): Response | undefined => {
    const full = normalize(join(dist, path));
    if (!full.startsWith(dist + sep) || !existsSync(full) || !statSync(full).isFile()) return undefined;
    return new Response(readFileSync(full), {
      headers: { 'content-type': getMimeType(full) ?? 'application/octet-stream', 'cache-control': cache, ...headers },
    });
  };
  return {
    fetch: (request, ...rest) => {
      if (request.method !== 'GET' && request.method !== 'HEAD') return api.fetch(request, ...rest);
      const { pathname } = new URL(request.url);
      if (pathname.startsWith('/assets/')) {
        // Hashed names never change content: cache for a year.
        return file(pathname, 'public, max-age=31536000, immutable') ?? api.fetch(request, ...rest);
      }
      const navigation = request.headers.get('sec-fetch-mode') === 'navigate' || (request.headers.get('accept') ?? '').includes('text/html');
      if (!navigation || API_DOCUMENTS.some((p) => pathname === p || pathname.startsWith(p.endsWith('/') ? p : `${p}/`))) return api.fetch(request, ...rest);
      if (extname(pathname) && pathname !== '/index.html') return file(pathname, 'no-cache') ?? api.fetch(request, ...rest);
      return file('index.html', 'no-cache') ?? api.fetch(request, ...rest);
    },
  };
}
