import { request as httpRequest } from 'node:http';
import { Hono } from 'hono';
import { validator } from 'hono/validator';
import { createApp, JSON_BODY_LIMIT_BYTES } from '../../../api/app';
import { serveApi } from '../../../infra/local/api-server';
import { testPlatform } from '../../support/test-platform';

/**
 * The local server reads JSON bodies straight from Node's request
 * (infra/local/node-json-body.ts) instead of through a fetch Request and a web
 * stream; what a client sees must not change: the same 413 for a body over
 * the limit, the same 400 for malformed JSON, a BOM or a chunked body still read.
 */

/** One raw HTTP/1.1 exchange, so the test decides Content-Length / chunking itself. */
function send(
  url: string,
  options: { method?: string; path: string; headers?: Record<string, string>; chunks: readonly (string | Buffer)[] },
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${url}${options.path}`, { method: options.method ?? 'POST', headers: options.headers }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    for (const chunk of options.chunks) req.write(chunk);
    req.end();
  });
}

describe('JSON bodies read straight from Node (local server)', () => {
  it('never builds a fetch Request for a JSON body of declared length, and reads it whole and in order', async () => {
    const app = new Hono();
    app.post(
      '/echo',
      validator('json', (value) => value),
      (c) => {
        // @hono/node-server's lightweight request caches the fetch Request it builds under a symbol named requestCache.
        const built = Object.getOwnPropertySymbols(c.req.raw).some((s) => s.description === 'requestCache');
        return c.json({ body: c.req.valid('json'), built });
      },
    );
    const served = await serveApi(app, 0);
    try {
      const text = JSON.stringify({ name: 'é 漢字 🙂', list: [1, 2, 3] });
      const bytes = Buffer.from(text, 'utf8');
      // Split inside a multi-byte character: decoding must happen once, over the whole body.
      const split = bytes.indexOf(0xe6) + 1;
      const res = await send(served.url, {
        path: '/echo',
        headers: { 'content-type': 'application/json; charset=utf-8', 'content-length': String(bytes.length) },
        chunks: [bytes.subarray(0, split), bytes.subarray(split)],
      });
      expect(res.status).toBe(200);
      expect(JSON.parse(res.body)).toEqual({ body: JSON.parse(text), built: false });
    } finally {
      await served.close();
    }
  });

  describe('through the API', () => {
    let local: Awaited<ReturnType<typeof testPlatform>>;
    let served: Awaited<ReturnType<typeof serveApi>>;
    beforeAll(async () => {
      local = await testPlatform();
      served = await serveApi(createApp(local.platform), 0);
    });
    afterAll(async () => {
      await served.close();
      await local.close();
    });

    const withoutRequestId = (body: string) => {
      const { requestId: _r, ...rest } = JSON.parse(body) as Record<string, unknown>;
      return rest;
    };

    it('answers malformed JSON with the same 400 problem as the web-stream path', async () => {
      const body = '{"email": "a@b.example", "password": ';
      const viaNode = await send(served.url, {
        path: '/auth/token',
        headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) },
        chunks: [body],
      });
      const viaFetch = await createApp(local.platform).request('/auth/token', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      expect(viaNode.status).toBe(400);
      expect(viaFetch.status).toBe(400);
      expect(withoutRequestId(viaNode.body)).toEqual(withoutRequestId(await viaFetch.text()));
    });

    it('refuses a declared body over the limit with 413 before reading it', async () => {
      const body = JSON.stringify({ padding: 'x'.repeat(JSON_BODY_LIMIT_BYTES) });
      const res = await send(served.url, {
        path: '/auth/token',
        headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) },
        chunks: [body],
      });
      expect(res.status).toBe(413);
      expect(JSON.parse(res.body)).toMatchObject({
        type: 'urn:steward:problem:payload-too-large',
        invalidFields: [{ field: 'body', problem: `at most ${JSON_BODY_LIMIT_BYTES} bytes` }],
      });
    });

    it('refuses a chunked body over the limit with 413, and reads a chunked or BOM-led body as before', async () => {
      const big = JSON.stringify({ padding: 'x'.repeat(JSON_BODY_LIMIT_BYTES) });
      const over = await send(served.url, {
        path: '/auth/token',
        headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
        chunks: [big.slice(0, 1000), big.slice(1000)],
      });
      expect(over.status).toBe(413);

      // Wrong credentials reach the use case (401), so the body was read and parsed on both paths.
      const body = JSON.stringify({ email: 'nobody@body.example', password: 'not-the-password-1' });
      const chunked = await send(served.url, {
        path: '/auth/token',
        headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
        chunks: [body.slice(0, 7), body.slice(7)],
      });
      const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(body)]);
      const withBom = await send(served.url, {
        path: '/auth/token',
        headers: { 'content-type': 'application/json', 'content-length': String(bom.length) },
        chunks: [bom],
      });
      const viaFetch = await createApp(local.platform).request('/auth/token', { method: 'POST', headers: { 'content-type': 'application/json' }, body: bom });
      expect(viaFetch.status).not.toBe(400);
      expect(chunked.status).toBe(viaFetch.status);
      expect(withBom.status).toBe(viaFetch.status);
    });
  });
});
