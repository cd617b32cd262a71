import createClient, { type Client, type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema';

export type { components, paths };
export type Schemas = components['schemas'];
export type StewardClient = Client<paths>;

/** Gives the bearer credential for the next request (an ID token or a CI token), or none. */
export type TokenProvider = () => string | undefined | Promise<string | undefined>;

export interface StewardClientOptions {
  /**
   * Called when the API answers 401 to a request that carried a credential: resolve
   * with true once a fresh credential is available and the request is sent again
   * (the console asks the user to sign in again over the page, keeping what they typed).
   */
  readonly onUnauthorized?: () => Promise<boolean>;
  readonly fetch?: typeof globalThis.fetch;
}

/**
 * The typed Steward API client, shared by the console and any script or CLI:
 * paths, parameters, bodies and answers are checked against the generated
 * schema (npm run generate:api-types).
 *
 * @example
 * const api = createStewardClient('http://127.0.0.1:7700', () => process.env.STEWARD_TOKEN);
 * const { data, error } = await api.GET('/models', { params: { query: { namePrefix: 'churn' } } });
 */
export function createStewardClient(baseUrl: string, tokenProvider: TokenProvider, options: StewardClientOptions = {}): StewardClient {
  const doFetch = options.fetch ?? ((input: Request) => globalThis.fetch(input));
  const client = createClient<paths>({ baseUrl, fetch: doFetch });
  const retries = new Map<string, Request>();
  const auth: Middleware = {
    async onRequest({ request, id }) {
      const token = await tokenProvider();
      if (token) request.headers.set('authorization', `Bearer ${token}`);
      if (options.onUnauthorized && token) retries.set(id, request.clone());
      return request;
    },
    async onResponse({ response, id }) {
      const retry = retries.get(id);
      retries.delete(id);
      if (response.status !== 401 || !retry || !options.onUnauthorized) return response;
      if (!(await options.onUnauthorized())) return response;
      const token = await tokenProvider();
      if (token) retry.headers.set('authorization', `Bearer ${token}`);
      return doFetch(retry);
    },
    onError({ id }) {
      retries.delete(id);
    },
  };
  client.use(auth);
  return client;
}
