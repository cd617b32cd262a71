import type { z } from '@hono/zod-openapi';

/**
 * Names a schema as an OpenAPI component. zod 4 attaches methods per instance,
 * so a domain schema built before @hono/zod-openapi loaded has no `.openapi`;
 * such a schema is still documented, only inline instead of by name.
 */
export function named<T extends z.ZodType>(schema: T, name: string): T {
  const withOpenApi = schema as T & { openapi?: (name: string) => T };
  return typeof withOpenApi.openapi === 'function' ? withOpenApi.openapi(name) : schema;
}
