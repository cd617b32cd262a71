import { endlessLoopModel, hugeFixedInputModel } from '../../fixtures/artifacts/hostile-onnx';
import { LOGISTIC_30_IO } from '../../fixtures/artifacts/io-schemas';
import { writeParquet } from '../../fixtures/datasets/parquet-writer';
import { bootApi, onboardTenant, type OnboardedTenant } from '../../support/api-client';
import { createModel, createProject, sha256 } from '../catalog/catalog-fixtures';
import { waitForDatasetVersion } from '../../fixtures/pipelines/catalog-model';

/**
 * Issue 14, "an uploaded ONNX file is loaded and smoke-run inside the API
 * process with no time limit and no cap on fixed input dimensions" and "a
 * Parquet row group is decoded whole with no cap on decoded size": each
 * hostile file gets a 4xx naming the limit it passed, and the API answers
 * other requests while one is being inspected.
 */
describe('security: untrusted files are inspected in isolation', () => {
  let ctx: Awaited<ReturnType<typeof bootApi>>;
  let tenant: OnboardedTenant;
  let ds: string;
  let projectId: string;
  beforeAll(async () => {
    ctx = await bootApi();
    tenant = await onboardTenant(ctx.api, ctx.adminToken, 'Hostile', { roles: ['tenant-admin', 'data-scientist', 'viewer'] });
    ds = tenant.tokens['data-scientist'];
    projectId = (await createProject(ctx.api, ds)).projectId;
  });
  afterAll(() => ctx.local.close());

  async function uploadOnnx(bytes: Uint8Array) {
    const model = await createModel(ctx.api, ds, projectId, { schema: LOGISTIC_30_IO });
    const registered = await ctx.api.call('POST', `/models/${model.modelId}/versions`, {
      token: ds,
      body: { artifact: { format: 'onnx', sha256: sha256(bytes), size: bytes.length } },
    });
    const base = `/models/${model.modelId}/versions/${registered.body.version}`;
    const upload = await ctx.api.call('POST', `${base}/artifact/upload-url`, { token: ds });
    expect((await fetch(upload.body.url, { method: 'PUT', headers: upload.body.headers, body: Buffer.from(bytes) })).status).toBe(200);
    return base;
  }

  it('refuses an ONNX model with huge fixed input dimensions, naming the element limit', async () => {
    const base = await uploadOnnx(hugeFixedInputModel());
    const res = await ctx.api.call('POST', `${base}/artifact/finalize`, { token: ds });
    expect(res.status).toBe(400);
    expect(res.body.invalidFields[0].field).toBe('artifact');
    expect(res.body.invalidFields[0].problem).toContain('maxFedElements');
    expect((await ctx.api.call('GET', base, { token: ds })).body.artifact.state).toBe('awaiting-upload');
  });

  it('stops an ONNX model whose Loop never ends at the time limit, and keeps answering other requests meanwhile', async () => {
    const base = await uploadOnnx(endlessLoopModel());
    let settled = false;
    const finalize = ctx.api.call('POST', `${base}/artifact/finalize`, { token: ds }).finally(() => {
      settled = true;
    });
    // While the Loop spins in the inspection process, the API serves others promptly.
    for (let i = 0; i < 5; i++) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      const started = Date.now();
      const other = await ctx.api.call('GET', '/models', { token: tenant.tokens.viewer });
      expect(other.status).toBe(200);
      expect(Date.now() - started).toBeLessThan(2000);
    }
    expect(settled).toBe(false);
    const res = await finalize;
    expect(res.status).toBe(400);
    expect(res.body.invalidFields[0]).toMatchObject({ field: 'artifact' });
    expect(res.body.invalidFields[0].problem).toContain('limit: inspection time');
    expect((await ctx.api.call('GET', base, { token: ds })).body.artifact.state).toBe('awaiting-upload');
  }, 90_000);

  it('refuses a Parquet file whose row group decodes past the cap, naming the limit', async () => {
    const created = await ctx.api.call('POST', '/datasets', { token: ds, body: { name: `bomb-${Date.now()}`, format: 'parquet' } });
    expect(created.status).toBe(201);
    const rows = Array.from({ length: 100 }, (_, i) => [i, i / 2]);
    const file = writeParquet(
      [
        { name: 'id', type: 'int64' },
        { name: 'x', type: 'double' },
      ],
      [rows],
      { claimedUncompressedBytes: 4 * 1024 ** 3 },
    );
    const declared = { format: 'parquet', sizeBytes: file.length, sha256: sha256(file) };
    const upload = await ctx.api.call('POST', `/datasets/${created.body.datasetId}/versions/upload-url`, { token: ds, body: declared });
    expect((await fetch(upload.body.url, { method: 'PUT', headers: upload.body.headers, body: new Uint8Array(file) })).status).toBe(200);
    const res = await ctx.api.call('POST', `/datasets/${created.body.datasetId}/versions`, {
      token: ds,
      body: { uploadId: upload.body.uploadId, sha256: declared.sha256, sizeBytes: declared.sizeBytes },
    });
    expect(res.status).toBe(202);
    // The profile-dataset pipeline reads it in the isolated inspector and fails the version, naming the limit.
    const settled = await waitForDatasetVersion(ctx.api, ds, created.body.datasetId, res.body.version);
    expect(settled.body.status).toBe('failed');
    expect(settled.body.statusReason).toContain('maxRowGroupDecodedBytes');
    expect(settled.body).not.toHaveProperty('profile');
  });
});
