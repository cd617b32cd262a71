import { createApp, JSON_BODY_LIMIT_BYTES } from '../../../api/app';
import { testPlatform } from '../../support/test-platform';

/** Issue 14: no JSON body limit locally. Every route reads at most JSON_BODY_LIMIT_BYTES. */
describe('request body limit', () => {
  let local: Awaited<ReturnType<typeof testPlatform>>;
  beforeAll(async () => {
    local = await testPlatform();
  });
  afterAll(() => local.close());

  it('refuses a larger body with a 413 problem, on public and authenticated routes, writing nothing', async () => {
    const app = createApp(local.platform);
    const huge = JSON.stringify({ name: 'Big', adminEmail: 'big@body.example', padding: 'x'.repeat(JSON_BODY_LIMIT_BYTES) });
    for (const path of ['/signup', '/auth/token', '/models']) {
      const res = await app.request(path, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer x' }, body: huge });
      expect(res.status).toBe(413);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      const problem = await res.json();
      expect(problem).toMatchObject({
        type: 'urn:steward:problem:payload-too-large',
        status: 413,
        invalidFields: [{ field: 'body', problem: `at most ${JSON_BODY_LIMIT_BYTES} bytes` }],
      });
    }
    // Nothing was recorded for the refused sign-up.
    const mail = await (await fetch(`${process.env.STEWARD_TEST_INBOX_URL}/api/messages?to=big@body.example`)).json();
    expect(mail.items).toEqual([]);
  });
});
