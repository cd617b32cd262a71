import type { IncomingMessage } from 'node:http';
import { type ServerType, serve } from '@hono/node-server';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { ApiEnv } from '../../api/http/env';
import { readJsonBodyFromNode } from './node-json-body';

/**
 * Serves the same hono app the Lambda runs (alone, or with the console beside it), on 127.0.0.1:<port>.
 * JSON bodies are read straight from Node's request (node-json-body.ts), not through a fetch Request.
 */
export function serveApi(
  app: Pick<OpenAPIHono<ApiEnv>, 'fetch'>,
  port: number,
  hostname = '127.0.0.1',
): Promise<{ server: ServerType; url: string; close(): Promise<void> }> {
  return new Promise((resolve, reject) => {
    const fetch: typeof app.fetch = (request, env, ...rest) =>
      app.fetch(readJsonBodyFromNode(request, (env as { incoming?: IncomingMessage } | undefined)?.incoming), env, ...rest);
    const server = serve({ fetch, port, hostname }, (info) => {
      resolve({
        server,
        url: `http://${hostname}:${info.port}`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            // keep-alive sockets would hold close() open; end them.
            (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
          }),
      });
    });
    server.once('error', reject);
  });
}
