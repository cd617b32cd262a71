import { z } from '@hono/zod-openapi';
import { ProblemSchema } from '../http/problem';

export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(25).openapi({ description: 'page size, 1–100' }),
  cursor: z.string().max(2048).optional().openapi({ description: 'the `next` cursor of the previous page' }),
});

export function pageOf<T extends z.ZodTypeAny>(item: T, name: string) {
  return z.object({ items: z.array(item), next: z.string().optional().openapi({ description: 'cursor of the next page; absent on the last' }) }).openapi(name);
}

/** Identifiers in paths: opaque, lower-case, no separators (they become key segments). */
export const IdParam = (name: string) =>
  z.object({
    [name]: z
      .string()
      .regex(/^[0-9a-z][0-9a-z-]{0,63}$/, 'not a valid id')
      .openapi({ param: { name, in: 'path' } }),
  });

const STATUS_TEXT: Record<number, string> = {
  400: 'invalid request (the problem names each invalid field)',
  401: 'missing, invalid or revoked credential',
  403: 'the caller may not do this',
  404: 'no such resource in the caller’s scope',
  409: 'conflicts with the current state',
  412: 'stale version',
  413: 'payload too large',
  429: 'quota or rate limit reached',
};

/** Problem+json responses for the given statuses, for the OpenAPI document. */
export function problems(...statuses: number[]) {
  return Object.fromEntries(
    statuses.map((s) => [s, { description: STATUS_TEXT[s] ?? 'error', content: { 'application/problem+json': { schema: ProblemSchema } } }]),
  );
}

export function json<T extends z.ZodTypeAny>(schema: T, description: string) {
  return { description, content: { 'application/json': { schema } } };
}

export function body<T extends z.ZodTypeAny>(schema: T) {
  return { body: { required: true, content: { 'application/json': { schema: parsedSynchronously(schema) } } } };
}

/** Marks a schema whose async parse is already the synchronous one. */
const SYNC_PARSE = Symbol('steward.syncParse');

/**
 * The schema as the route's body validator calls it. @hono/zod-validator parses with
 * `safeParseAsync`, and zod 4 gives up its compiled object parser for an async parse: a model
 * registration's body took ~21 µs instead of ~12 (in a loop; ~50 µs a request in the API's
 * profile). Its async parse becomes the synchronous one, resolved: same result, same issues;
 * a schema that does refine asynchronously (none of the bodies' does today) falls back to zod's
 * own. Set on the schema itself, not on a copy: the OpenAPI document finds a schema's name and
 * description by its identity.
 */
function parsedSynchronously<T extends z.ZodTypeAny>(schema: T): T {
  if (Object.prototype.hasOwnProperty.call(schema, SYNC_PARSE)) return schema;
  const asynchronous = schema.safeParseAsync.bind(schema);
  const safeParseAsync = async (data: unknown) => {
    try {
      return schema.safeParse(data);
    } catch (error) {
      if (error instanceof z.core.$ZodAsyncError) return asynchronous(data);
      throw error;
    }
  };
  Object.defineProperty(schema, 'safeParseAsync', { value: safeParseAsync, configurable: true, writable: true });
  Object.defineProperty(schema, SYNC_PARSE, { value: true });
  return schema;
}
