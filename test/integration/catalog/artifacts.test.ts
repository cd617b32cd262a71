import { logisticRegression30, truncated } from '../../fixtures/artifacts/build-onnx';
import { CREDIT_SCORECARD_IO, creditScorecardBytes, creditScorecardDocument, encodeJson } from '../../fixtures/artifacts/credit-scorecard';
import { LOGISTIC_30_IO } from '../../fixtures/artifacts/io-schemas';
import { bootApi, onboardTenant, type OnboardedTenant } from '../../support/api-client';
import { createModel, createProject, sha256, uploadVersion } from './catalog-fixtures';

describe('artifact upload, verification and download', () => {
  let ctx: Awaited<ReturnType<typeof bootApi>>;
  let tenant: OnboardedTenant;
  let ds: string;
  let projectId: string;
  beforeAll(async () => {
    ctx = await bootApi();
    tenant = await onboardTenant(ctx.api, ctx.adminToken, 'Artifacts', { roles: ['tenant-admin', 'data-scientist', 'viewer'] });
    ds = tenant.tokens['data-scientist'];
    projectId = (await createProject(ctx.api, ds)).projectId;
  });
  afterAll(() => ctx.local.close());

  it('verifies an ONNX model against the declared schema, counts its storage, and serves it back', async () => {
    const model = await createModel(ctx.api, ds, projectId, { name: 'breast-cancer-lr', schema: LOGISTIC_30_IO });
    const bytes = logisticRegression30();
    const { finalized } = await uploadVersion(ctx.api, ds, model.modelId, 'onnx', bytes);
    expect(finalized.status).toBe(200);
    expect(finalized.body.artifact).toMatchObject({ state: 'verified', sha256: sha256(bytes), size: bytes.length });
    expect(finalized.body.artifact.summary).toBeDefined();
    expect((await ctx.api.call('GET', '/tenant', { token: ds })).body.usage.storageBytes).toBe(bytes.length);
    const download = await ctx.api.call('GET', `/models/${model.modelId}/versions/1/artifact`, { token: tenant.tokens.viewer });
    expect(download.status).toBe(200);
    const fetched = new Uint8Array(await (await fetch(download.body.url)).arrayBuffer());
    expect(sha256(fetched)).toBe(sha256(bytes));
    // Immutable: no second upload URL once verified.
    expect((await ctx.api.call('POST', `/models/${model.modelId}/versions/1/artifact/upload-url`, { token: ds })).status).toBe(409);
  });

  it('refuses a corrupt ONNX file with a 400 naming the artifact, deletes it, and leaves the version untouched', async () => {
    const model = await createModel(ctx.api, ds, projectId, { schema: LOGISTIC_30_IO });
    const broken = truncated(logisticRegression30());
    const { finalized } = await uploadVersion(ctx.api, ds, model.modelId, 'onnx', broken);
    expect(finalized.status).toBe(400);
    expect(finalized.body.invalidFields[0].field).toBe('artifact');
    expect(finalized.body.invalidFields[0].problem).toContain('not a loadable ONNX model');
    const version = await ctx.api.call('GET', `/models/${model.modelId}/versions/1`, { token: ds });
    expect(version.body).toMatchObject({ revision: 1, artifact: { state: 'awaiting-upload' } });
    expect(await ctx.platform.tenantObjects(tenant.tenantId).head(version.body.artifact.key)).toBeUndefined();
  });

  it('refuses an ONNX model whose inputs do not match the model schema', async () => {
    const model = await createModel(ctx.api, ds, projectId, {
      schema: {
        inputs: [
          { name: 'age', type: 'int' },
          { name: 'income', type: 'double' },
        ],
        outputs: [{ name: 'probability', type: 'float' }],
      },
    });
    const { finalized } = await uploadVersion(ctx.api, ds, model.modelId, 'onnx', logisticRegression30());
    expect(finalized.status).toBe(400);
    expect(finalized.body.invalidFields.length).toBeGreaterThan(0);
  });

  it('accepts a valid rules document and refuses an invalid one with the JSON path of each problem', async () => {
    const rules = await createModel(ctx.api, ds, projectId, { name: 'scorecard', type: 'rules', framework: 'steward-rules', schema: CREDIT_SCORECARD_IO });
    const good = await uploadVersion(ctx.api, ds, rules.modelId, 'rules', creditScorecardBytes());
    expect(good.finalized.status).toBe(200);
    const doc = creditScorecardDocument();
    doc.rules[1].when.all[0].field = 'shoe_size';
    const bad = await uploadVersion(ctx.api, ds, rules.modelId, 'rules', encodeJson(doc));
    expect(bad.finalized.status).toBe(400);
    expect(bad.finalized.body.invalidFields.map((f: { field: string }) => f.field)).toContain('artifact.rules.1.when.all.0.field');
    const onnxIntoRules = await ctx.api.call('POST', `/models/${rules.modelId}/versions`, {
      token: ds,
      body: { artifact: { format: 'onnx', sha256: 'e'.repeat(64), size: 10 } },
    });
    expect(onnxIntoRules.status).toBe(400);
    expect(onnxIntoRules.body.invalidFields[0].field).toBe('body.artifact.format');
  });

  it('refuses finalize before any upload, and a size that differs from the declaration', async () => {
    const model = await createModel(ctx.api, ds, projectId, { schema: LOGISTIC_30_IO });
    const registered = await ctx.api.call('POST', `/models/${model.modelId}/versions`, {
      token: ds,
      body: { artifact: { format: 'onnx', sha256: 'f'.repeat(64), size: 1234 } },
    });
    expect((await ctx.api.call('POST', `/models/${model.modelId}/versions/${registered.body.version}/artifact/finalize`, { token: ds })).status).toBe(409);
    const bytes = logisticRegression30();
    const { finalized } = await uploadVersion(ctx.api, ds, model.modelId, 'onnx', bytes, { declareSize: bytes.length + 1 });
    expect(finalized.status).toBe(400);
    expect(finalized.body.invalidFields[0].field).toBe('artifact.size');
  });
});
