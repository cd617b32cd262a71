import type { IncomingMessage } from 'node:http';
import { readsItsOwnBody } from '../../api/routes/deployments';
import { readNodeBody } from '../../serving/http/request-body';

/** The media types hono's JSON validator reads (hono/validator: `application/json`, `application/*+json`). */
const JSON_MEDIA_TYPE = /^application\/([\w.-]+\+)?json$/i;

const UTF8_BOM = [0xef, 0xbb, 0xbf] as const;

/** Where a request's body comes from, and its bytes once read. */
interface NodeBody {
  readonly incoming: IncomingMessage;
  bytes?: Promise<Buffer>;
}

const NODE_BODY = Symbol('steward.nodeBody');
type WithNodeBody = Request & { [NODE_BODY]: NodeBody };

function readOnce(request: WithNodeBody): Promise<Buffer> {
  const source = request[NODE_BODY];
  return (source.bytes ??= readNodeBody(source.incoming));
}

/**
 * The three readers, made once and shared by every request (each finds its
 * own stream under NODE_BODY): defining fresh closures per request cost a
 * JSON POST several µs, more under tsx, which names each one as it is made.
 */
const READERS: PropertyDescriptorMap = {
  text: {
    value(this: WithNodeBody): Promise<string> {
      return readOnce(this).then(utf8Decode);
    },
    configurable: true,
  },
  json: {
    value(this: WithNodeBody): Promise<unknown> {
      return readOnce(this).then((body) => JSON.parse(utf8Decode(body)) as unknown);
    },
    configurable: true,
  },
  arrayBuffer: {
    value(this: WithNodeBody): Promise<ArrayBuffer> {
      return readOnce(this).then((b) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer);
    },
    configurable: true,
  },
};

/**
 * Lets a JSON body be read straight from Node's IncomingMessage. Under
 * @hono/node-server, `c.req.json()` (the route validators, the idempotency
 * middleware) calls the lightweight request's `text()`, which first builds a
 * whole fetch Request: an AbortController, undici's Headers and Request, and
 * a web ReadableStream over the socket stream (Readable.toWeb), read chunk by
 * chunk through promises. That was about a fifth of the API's CPU on a small
 * POST (register a model). Here `text()`, `json()` and `arrayBuffer()` of the
 * request read the socket stream directly, once, on first call.
 *
 * Only for a JSON body whose length is declared (Content-Length, no
 * Transfer-Encoding): the API's body limit judges that from the header before
 * anything reads, and Node's parser never delivers more than it declares, so
 * the limit holds exactly as before. Any other body (chunked, multipart, none)
 * keeps hono's own path untouched, as does the scoring route, which reads
 * Node's request itself. Decoding is the fetch standard's UTF-8
 * decode (a leading BOM dropped, bad bytes as U+FFFD), so the same bytes parse
 * or fail (400, malformed JSON) as they did through the web stream.
 */
export function readJsonBodyFromNode(request: Request, incoming: IncomingMessage | undefined): Request {
  if (!incoming || typeof incoming.on !== 'function') return request;
  const method = incoming.method;
  if (method === 'GET' || method === 'HEAD' || method === undefined) return request;
  // Readers made for it would go unused, and giving a request its own readers is most of what this costs.
  if (readsItsOwnBody(method, incoming.url)) return request;
  const headers = incoming.headers;
  if (headers['content-length'] === undefined || headers['transfer-encoding'] !== undefined) return request;
  const contentType = headers['content-type'];
  if (!contentType || !JSON_MEDIA_TYPE.test(contentType.split(';')[0].trim())) return request;

  (request as WithNodeBody)[NODE_BODY] = { incoming };
  Object.defineProperties(request, READERS);
  return request;
}

function utf8Decode(bytes: Buffer): string {
  const bom = bytes.length >= 3 && bytes[0] === UTF8_BOM[0] && bytes[1] === UTF8_BOM[1] && bytes[2] === UTF8_BOM[2];
  return (bom ? bytes.subarray(3) : bytes).toString('utf8');
}
