import { createStewardClient } from '../../../web/src/api/client';
import { ApiProblem, unwrap } from '../../../web/src/api/problem';

/** A fake API: answers 401 to an expired token, else echoes what it received. */
function fakeApi(valid: string) {
  const seen: { auth: string | null; body: string }[] = [];
  const fetch = async (request: Request): Promise<Response> => {
    const auth = request.headers.get('authorization');
    const body = request.method === 'GET' ? '' : await request.text();
    seen.push({ auth, body });
    if (auth !== `Bearer ${valid}`) {
      return new Response(JSON.stringify({ type: 'urn:steward:problem:unauthenticated', title: 'Authentication required', status: 401, requestId: 'r1' }), {
        status: 401,
        headers: { 'content-type': 'application/problem+json' },
      });
    }
    return new Response(JSON.stringify({ projectId: 'p1', name: JSON.parse(body || '{}').name ?? 'x' }), {
      status: 201,
      headers: { 'content-type': 'application/json' },
    });
  };
  return { fetch: fetch as typeof globalThis.fetch, seen };
}

describe('the typed Steward client', () => {
  it('sends the credential, and on 401 waits for a new sign-in, then sends the same request again with the new token', async () => {
    const api = fakeApi('fresh');
    let token = 'expired';
    let asked = 0;
    const client = createStewardClient('http://steward.test', () => token, {
      fetch: api.fetch,
      onUnauthorized: async () => {
        asked += 1;
        token = 'fresh';
        return true;
      },
    });
    const res = await client.POST('/projects', { body: { name: 'typed-before-expiry' } });
    expect(res.response.status).toBe(201);
    expect(res.data).toMatchObject({ name: 'typed-before-expiry' });
    expect(asked).toBe(1);
    expect(api.seen).toEqual([
      { auth: 'Bearer expired', body: '{"name":"typed-before-expiry"}' },
      { auth: 'Bearer fresh', body: '{"name":"typed-before-expiry"}' },
    ]);
  });

  it('gives the 401 back when the person declines to sign in again, as an ApiProblem once unwrapped', async () => {
    const api = fakeApi('fresh');
    const client = createStewardClient('http://steward.test', () => 'expired', { fetch: api.fetch, onUnauthorized: async () => false });
    const res = await client.GET('/me');
    expect(res.response.status).toBe(401);
    expect(api.seen).toHaveLength(1);
    expect(() => unwrap(res)).toThrow(ApiProblem);
  });

  it('sends no credential and does not ask to sign in when there is none (sign-up, sign-in)', async () => {
    const api = fakeApi('fresh');
    let asked = 0;
    const client = createStewardClient('http://steward.test', () => undefined, { fetch: api.fetch, onUnauthorized: async () => (asked++, true) });
    await client.POST('/signup', { body: { name: 'Acme', adminEmail: 'a@acme.example' } });
    expect(api.seen[0].auth).toBeNull();
    expect(asked).toBe(0);
  });
});
