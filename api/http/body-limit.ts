import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit as streamingBodyLimit } from 'hono/body-limit';

/**
 * hono's bodyLimit, without its cost on the common request: hono's version
 * reads `c.req.raw.body` first, which under @hono/node-server builds the
 * whole fetch Request (web stream over the socket, AbortController) for
 * every request, GETs included. Here a GET or HEAD (Node's adapter gives
 * them no body) passes straight on, and a declared Content-Length is judged
 * from the header, as hono itself does; only a body of unknown length (chunked,
 * or a Request without the header, as in `app.request`) is counted as it is
 * read, by hono's middleware.
 */
export function bodyLimit(options: { maxSize: number; onError: (c: Context) => Response | Promise<Response> }): MiddlewareHandler {
  const counted = streamingBodyLimit(options);
  return async (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    const declared = c.req.header('content-length');
    if (declared !== undefined && c.req.header('transfer-encoding') === undefined) {
      return Number.parseInt(declared, 10) > options.maxSize ? options.onError(c) : next();
    }
    return counted(c, next);
  };
}
