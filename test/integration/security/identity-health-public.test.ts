import { createApp } from '../../../api/app';
import { ApiClient } from '../../support/api-client';
import { testPlatform } from '../../support/test-platform';

/** Issue 14: the public /health tells whether the API is usable, and nothing about what it runs on. */
describe('public /health', () => {
  let local: Awaited<ReturnType<typeof testPlatform>>;
  beforeAll(async () => {
    local = await testPlatform();
  });
  afterAll(() => local.close());

  it('answers the status only, naming no table, bucket or endpoint, and keeps details for platform admins', async () => {
    const api = new ApiClient(createApp(local.platform));
    const res = await api.call('GET', '/health');
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['checkedAt', 'status']);
    const text = JSON.stringify(res.body);
    for (const name of [local.settings.STEWARD_TABLE_NAME, local.settings.STEWARD_BUCKET_NAME, '127.0.0.1', 'ACTIVE', 'scoring', 'table', 'bucket']) {
      expect(text).not.toContain(name);
    }
    expect((await api.call('GET', '/platform/health')).status).toBe(401);
  });

  it('says degraded without the failing dependency or its error text', async () => {
    const failing = {
      ...local.platform,
      probes: [{ name: 'bucket', check: () => Promise.reject(new Error(`NoSuchBucket: ${local.settings.STEWARD_BUCKET_NAME} in account 123456789012`)) }],
    };
    const res = await new ApiClient(createApp(failing)).call('GET', '/health');
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ status: 'degraded', checkedAt: expect.any(String) });
  });
});
