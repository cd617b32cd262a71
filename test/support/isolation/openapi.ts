import { PERMISSIONS, PLATFORM_PERMISSIONS, type Permission, type PlatformPermission } from '../../../core/access/permissions';
import type { ApiClient } from '../api-client';

/** The extension every route carries (api/http/guards.ts PERMISSION_EXTENSION). */
export const PERMISSION_EXTENSION = 'x-steward-permission';

export type JsonSchema = Record<string, any>;

export interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, any>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

export interface Parameter {
  readonly name: string;
  readonly in: 'path' | 'query' | 'header' | 'cookie';
  readonly required: boolean;
  readonly schema: JsonSchema;
}

interface BaseOperation {
  /** `METHOD /path/{param}` as written in the document. */
  readonly key: string;
  readonly method: string;
  readonly path: string;
  readonly summary?: string;
  /** Path parameters in the order they appear in the path. */
  readonly pathParams: readonly Parameter[];
  readonly queryParams: readonly Parameter[];
  /** The JSON request body schema, if the operation declares one. */
  readonly body?: { readonly required: boolean; readonly schema: JsonSchema };
  /** Anything but GET/HEAD/OPTIONS. */
  readonly mutating: boolean;
}

export type Operation =
  | (BaseOperation & { readonly kind: 'tenant'; readonly permission: Permission })
  | (BaseOperation & { readonly kind: 'platform'; readonly permission: PlatformPermission })
  | (BaseOperation & { readonly kind: 'public'; readonly permission: 'public' })
  /** No extension, or one naming no known permission: built outside the guard factories. */
  | (BaseOperation & { readonly kind: 'undeclared'; readonly permission: unknown });

export type TenantOperation = Extract<Operation, { kind: 'tenant' }>;
export type PlatformOperation = Extract<Operation, { kind: 'platform' }>;

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'];

/** The document the app serves, as a client sees it. */
export async function fetchOpenApi(api: ApiClient): Promise<OpenApiDocument> {
  const res = await api.call<OpenApiDocument>('GET', '/openapi.json');
  if (res.status !== 200 || !res.body?.paths) throw new Error(`GET /openapi.json answered ${res.status}`);
  return res.body;
}

/** Every operation of the document: `paths` × methods. */
export function operationsOf(doc: OpenApiDocument): Operation[] {
  const out: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    const shared: any[] = item.parameters ?? [];
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const params: Parameter[] = [...shared, ...(op.parameters ?? [])]
        .map((p) => deref(doc, p))
        .map((p) => ({
          name: p.name,
          in: p.in,
          required: p.in === 'path' ? true : Boolean(p.required),
          schema: deref(doc, p.schema ?? {}),
        }));
      const declaredPathNames = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      const pathParams = declaredPathNames.map(
        (name) => params.find((p) => p.in === 'path' && p.name === name) ?? { name, in: 'path' as const, required: true, schema: { type: 'string' } },
      );
      const rawBody = op.requestBody ? deref(doc, op.requestBody) : undefined;
      const bodySchema = rawBody?.content?.['application/json']?.schema;
      const permission = op[PERMISSION_EXTENSION];
      const base: BaseOperation = {
        key: `${method.toUpperCase()} ${path}`,
        method: method.toUpperCase(),
        path,
        summary: op.summary,
        pathParams,
        queryParams: params.filter((p) => p.in === 'query'),
        body: bodySchema ? { required: Boolean(rawBody.required), schema: bodySchema } : undefined,
        mutating: !['GET', 'HEAD', 'OPTIONS'].includes(method.toUpperCase()),
      };
      if (permission === 'public') out.push({ ...base, kind: 'public', permission });
      else if ((PERMISSIONS as readonly string[]).includes(permission)) out.push({ ...base, kind: 'tenant', permission });
      else if ((PLATFORM_PERMISSIONS as readonly string[]).includes(permission)) out.push({ ...base, kind: 'platform', permission });
      else out.push({ ...base, kind: 'undeclared', permission });
    }
  }
  return out;
}

/** Follows `$ref`s into `components` (one level at a time; call again on nested schemas). */
export function deref(doc: OpenApiDocument, node: any): any {
  let current = node;
  const seen = new Set<string>();
  while (current && typeof current === 'object' && typeof current.$ref === 'string') {
    const ref: string = current.$ref;
    if (seen.has(ref)) throw new Error(`circular $ref ${ref}`);
    seen.add(ref);
    if (!ref.startsWith('#/')) throw new Error(`external $ref ${ref} is not supported`);
    const target = ref
      .slice(2)
      .split('/')
      .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
      .reduce<any>((acc, segment) => acc?.[segment], doc);
    if (target === undefined) throw new Error(`unresolved $ref ${ref}`);
    const { $ref: _r, ...rest } = current;
    current = { ...target, ...rest };
  }
  return current;
}

/** Fills `{name}` segments of a path template. */
export function fillPath(template: string, values: Record<string, string>): string {
  return template.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`no value for path parameter {${name}} of ${template}`);
    return encodeURIComponent(value);
  });
}

/** A list route: a GET on a collection (no path parameters). */
export function isListRoute(op: Operation): boolean {
  return op.method === 'GET' && op.pathParams.length === 0;
}

/** A paginated list: takes the `cursor` query parameter. */
export function isPaginated(op: Operation): boolean {
  return op.queryParams.some((p) => p.name === 'cursor');
}
