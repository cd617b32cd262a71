import { createApp } from '../../../api/app';
import { ADMIN_EMAIL, ADMIN_PASSWORD, ApiClient, signInAs } from '../../support/api-client';
import { testPlatform } from '../../support/test-platform';

describe('health, OpenAPI and docs', () => {
  let local: Awaited<ReturnType<typeof testPlatform>>;
  let api: ApiClient;
  let adminToken: string;
  beforeAll(async () => {
    local = await testPlatform({ STEWARD_BOOTSTRAP_ADMIN_EMAIL: ADMIN_EMAIL, STEWARD_BOOTSTRAP_ADMIN_PASSWORD: ADMIN_PASSWORD });
    api = new ApiClient(createApp(local.platform));
    adminToken = await signInAs(api, ADMIN_EMAIL, ADMIN_PASSWORD);
  });
  afterAll(() => local.close());

  it('reports every dependency with its status and latency to a platform administrator', async () => {
    const res = await api.call('GET', '/platform/health', { token: adminToken });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('ok');
    expect(res.body.mode).toBe('local');
    expect(res.body.dependencies.map((d: { name: string }) => d.name).sort()).toEqual(['bucket', 'metadata', 'scoring-gateway', 'state-machines']);
    for (const d of res.body.dependencies) {
      expect(d.status).toBe('ok');
      expect(typeof d.latencyMs).toBe('number');
    }
    expect(res.headers.get('x-request-id')).toMatch(/[0-9a-f-]{36}/);
  });

  it('answers 503 with the failing dependency named when one is down', async () => {
    const broken = await testPlatform({
      STEWARD_BUCKET_NAME: 'steward-bucket-that-was-never-created',
      STEWARD_BOOTSTRAP_ADMIN_EMAIL: ADMIN_EMAIL,
      STEWARD_BOOTSTRAP_ADMIN_PASSWORD: ADMIN_PASSWORD,
    });
    try {
      // bootstrap created it; point the health probe at another, missing bucket
      const app = createApp({
        ...broken.platform,
        probes: broken.platform.probes.map((p) => (p.name === 'bucket' ? { name: 'bucket', check: () => Promise.reject(new Error('NoSuchBucket')) } : p)),
      });
      const client = new ApiClient(app);
      expect((await client.call('GET', '/health')).body).toEqual({ status: 'degraded', checkedAt: expect.any(String) });
      const res = await client.call('GET', '/platform/health', { token: await signInAs(client, ADMIN_EMAIL, ADMIN_PASSWORD) });
      expect(res.status).toBe(503);
      expect(res.body.status).toBe('degraded');
      expect(res.body.dependencies.find((d: { name: string }) => d.name === 'bucket')).toMatchObject({ status: 'failing', detail: 'NoSuchBucket' });
    } finally {
      await broken.close();
    }
  });

  it('serves an OpenAPI 3.1 document generated from the route schemas, every operation with a permission and a problem shape', async () => {
    const res = await api.call('GET', '/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    const operations = Object.entries(res.body.paths as Record<string, Record<string, Record<string, unknown>>>).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => ({ path, method, op })),
    );
    expect(operations.length).toBeGreaterThan(40);
    for (const { op } of operations) expect(op['x-steward-permission']).toEqual(expect.any(String));
    expect(res.body.components.schemas.Problem.properties).toHaveProperty('invalidFields');
    expect(res.body.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    const createModel = res.body.paths['/models'].post;
    expect(createModel.requestBody.content['application/json'].schema).toBeDefined();
    expect(createModel.responses['400'].content['application/problem+json']).toBeDefined();
  });

  it('renders the docs page with a renderer served locally (no internet needed)', async () => {
    const page = await api.call('GET', '/docs');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.body).toContain("url: '/openapi.json'");
    expect(page.body).toContain('src="/docs/scalar.js"');
    const script = await createApp(local.platform).request('/docs/scalar.js');
    expect(script.status).toBe(200);
    expect((await script.text()).length).toBeGreaterThan(100_000);
  });

  it('answers unknown routes and methods with the problem shape, never a stack trace', async () => {
    const res = await api.call('GET', '/nowhere');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body).toMatchObject({ type: 'urn:steward:problem:no-such-route', status: 404 });
    expect(JSON.stringify(res.body)).not.toMatch(/\bat .*\.ts:\d+/);
  });
});
