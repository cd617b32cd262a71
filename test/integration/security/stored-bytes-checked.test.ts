import { BREAST_CANCER_CSV } from '../../fixtures/pipelines/breast-cancer';
import { createBreastCancerModel, registerBreastCancerDataset, waitForExecution } from '../../fixtures/pipelines/catalog-model';
import { bootApi, onboardTenant, type OnboardedTenant } from '../../support/api-client';

/**
 * Issue 14, "whatever loads an artifact checks its SHA-256 against the record
 * before use": a catalog dataset version whose stored file was changed behind
 * the record (possible only below the API: on AWS the bucket policy refuses
 * any write to a content key but a copy) is refused by training, naming the
 * mismatch, and no version is registered.
 */
describe('security: stored bytes are checked against their record before use', () => {
  let ctx: Awaited<ReturnType<typeof bootApi>>;
  let tenant: OnboardedTenant;
  beforeAll(async () => {
    ctx = await bootApi();
    tenant = await onboardTenant(ctx.api, ctx.adminToken, 'Checked', { roles: ['tenant-admin', 'data-scientist'] });
  });
  afterAll(() => ctx.local.close());

  it('refuses to train on a dataset version whose file no longer hashes to its recorded SHA-256', async () => {
    const ds = tenant.tokens['data-scientist'];
    const { modelId } = await createBreastCancerModel(ctx.api, ds);
    const dataset = await registerBreastCancerDataset(ctx.api, ds, ctx.platform, tenant.tenantId);
    expect(dataset.key).toMatch(/^datasets\/sha256\/[0-9a-f]{64}$/);
    const lines = BREAST_CANCER_CSV.trim().split('\n');
    await ctx.platform.tenantObjects(tenant.tenantId).put(dataset.key, `${lines.slice(0, -5).join('\n')}\n`, 'text/csv');

    const started = await ctx.api.call('POST', '/pipelines/train-evaluate/executions', {
      token: ds,
      body: { modelId, dataset: { datasetId: dataset.datasetId, version: dataset.version }, target: 'benign' },
    });
    expect(started.status).toBe(202);
    const done = await waitForExecution(ctx.api, ds, started.body.executionId);
    expect(done.body).toMatchObject({ status: 'FAILED', error: 'ValidationFailed' });
    expect(done.body.cause).toContain('does not match its recorded SHA-256');
    expect((await ctx.api.call('GET', `/models/${modelId}/versions`, { token: ds })).body.items).toEqual([]);
  }, 120_000);
});
