import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { consoleBuildIsStale, withConsole } from '../../../infra/local/console-assets';

describe('the console served beside the API on one origin', () => {
  const dir = mkdtempSync(join(tmpdir(), 'steward-console-'));
  const dist = join(dir, 'dist');
  mkdirSync(join(dist, 'assets'), { recursive: true });
  writeFileSync(join(dist, 'index.html'), '<!doctype html><title>Steward</title>');
  writeFileSync(join(dist, 'assets', 'index-abc.js'), 'console.log(1)');
  writeFileSync(join(dir, 'secret.txt'), 'outside dist');
  const api = { fetch: async (req: Request) => new Response(`api ${req.method} ${new URL(req.url).pathname}`, { status: 401 }) };
  const server = withConsole(api, { dist, connectOrigins: ['http://127.0.0.1:7702'] });
  const get = (path: string, headers: Record<string, string> = {}) => server.fetch(new Request(`http://127.0.0.1:7700${path}`, { headers }));
  const page = { accept: 'text/html,application/xhtml+xml', 'sec-fetch-mode': 'navigate' };

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('answers a browser navigating to a client route (even one the API also has) with the console, under a strict CSP', async () => {
    for (const path of ['/', '/models/01jd7x0000000000000000000a', '/audit']) {
      const res = await get(path, page);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('<title>Steward</title>');
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("connect-src 'self' http://127.0.0.1:7702");
    }
  });

  it('leaves every API call to the API: fetches, other methods, and the API’s own pages', async () => {
    expect(await (await get('/models', { accept: 'application/json' })).text()).toBe('api GET /models');
    expect(await (await get('/models')).text()).toBe('api GET /models');
    expect(await (await server.fetch(new Request('http://127.0.0.1:7700/models', { method: 'POST', headers: page }))).text()).toBe('api POST /models');
    for (const path of ['/docs', '/openapi.json', '/health', '/.well-known/jwks.json']) expect(await (await get(path, page)).text()).toBe(`api GET ${path}`);
  });

  it('serves hashed assets with a long cache, and never a file outside the build folder', async () => {
    const asset = await get('/assets/index-abc.js');
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toContain('javascript');
    expect(asset.headers.get('cache-control')).toContain('immutable');
    expect((await get('/assets/missing.js')).status).toBe(401);
    expect(await (await get('/assets/../../secret.txt', page)).text()).not.toContain('outside dist');
    expect(await (await get('/assets/%2e%2e/%2e%2e/secret.txt')).text()).not.toContain('outside dist');
  });

  it('knows when the build is missing or older than the sources', () => {
    const root = join(dir, 'web');
    mkdirSync(join(root, 'src'), { recursive: true });
    writeFileSync(join(root, 'src', 'main.tsx'), 'x');
    expect(consoleBuildIsStale(root)).toBe(true);
    mkdirSync(join(root, 'dist'));
    writeFileSync(join(root, 'dist', 'index.html'), 'built');
    const past = new Date(Date.now() - 60_000);
    utimesSync(join(root, 'src', 'main.tsx'), past, past);
    utimesSync(join(root, 'src'), past, past);
    expect(consoleBuildIsStale(root)).toBe(false);
    writeFileSync(join(root, 'src', 'main.tsx'), 'changed');
    expect(consoleBuildIsStale(root)).toBe(true);
  });
});
