import { contentKey } from '../../../core/catalog/content-addressed';
import { finalizeProducedArtifact } from '../../../core/catalog/produced-artifacts';
import { DependencyFailed, ValidationFailed } from '../../../core/errors';
import { exportLinearModelToOnnx } from '../../../core/maths/onnx/linear-model-onnx';
import { PLANS } from '../../../core/tenancy/plans';
import { tenantScope } from '../../../core/tenancy/tenant-scope';
import type { TenantScope } from '../../../core/tenancy/tenant-scope';
import { bootApi, onboardTenant, type OnboardedTenant } from '../../support/api-client';
import { createProject, sha256 } from './catalog-fixtures';

/**
 * An artifact the platform produced itself (a trainer's export, train-segments)
 * is filed without the upload path's staging: verified from the bytes in
 * memory, copied from the producer's own object to its content key, read back
 * and hashed there — against the real object store and metadata store.
 */
describe('finalizeProducedArtifact: the platform’s own artifact, filed once', () => {
  let ctx: Awaited<ReturnType<typeof bootApi>>;
  let shop: OnboardedTenant;
  let ds: string;
  let scope: TenantScope;
  let projectId: string;

  const SCHEMA = {
    inputs: [
      { name: 'x1', type: 'float' },
      { name: 'x2', type: 'float' },
    ],
    outputs: [{ name: 'prediction', type: 'float' }],
  };
  const onnx = (intercept: number) =>
    exportLinearModelToOnnx({
      kind: 'linear',
      inputName: 'features',
      center: [0, 0],
      scale: [1, 1],
      coefficients: [2, -1],
      intercept,
      outputs: [{ name: 'prediction', role: 'score', elementType: 'float32', rank: 2 }],
    });

  /** A model with `schema` and a registered version declaring `bytes`, awaiting its artifact. */
  async function awaitingVersion(bytes: Uint8Array, schema: unknown = SCHEMA, declare: { sha256?: string; size?: number } = {}) {
    const model = await ctx.api.call('POST', '/models', {
      token: ds,
      body: { projectId, name: `seg-${Math.random().toString(36).slice(2, 8)}`, type: 'ml', framework: 'onnx', schema },
    });
    expect(model.status).toBe(201);
    const registered = await ctx.api.call('POST', `/models/${model.body.modelId}/versions`, {
      token: ds,
      body: { artifact: { format: 'onnx', sha256: declare.sha256 ?? sha256(bytes), size: declare.size ?? bytes.length } },
    });
    expect(registered.status).toBe(201);
    expect(registered.body.artifact.state).toBe('awaiting-upload');
    const runKey = `models/${model.body.modelId}/runs/r1/model.onnx`;
    await scope.objects.put(runKey, bytes, 'application/octet-stream');
    return { modelId: model.body.modelId as string, version: registered.body.version as number, runKey };
  }

  beforeAll(async () => {
    ctx = await bootApi();
    shop = await onboardTenant(ctx.api, ctx.adminToken, 'Produced Shop');
    ds = shop.tokens['data-scientist'];
    projectId = (await createProject(ctx.api, ds)).projectId;
    scope = tenantScope(
      ctx.platform,
      { kind: 'user', userId: shop.userIds['data-scientist'], tenantId: shop.tenantId, email: shop.emails['data-scientist'], roles: ['data-scientist'] },
      { requestId: 'produced-test' },
      PLANS.enterprise,
    );
  }, 180_000);

  afterAll(async () => {
    await ctx?.local.close();
  });

  it('verifies the bytes, files them under their content key in one audited write, and stages nothing', async () => {
    const bytes = onnx(0.5);
    const { modelId, version, runKey } = await awaitingVersion(bytes);
    const stagedBefore = await scope.objects.list('staging/');
    const filed = await finalizeProducedArtifact(scope, modelId, version, { key: runKey, bytes });
    expect(filed.artifact).toMatchObject({ state: 'verified', key: contentKey('artifacts', sha256(bytes)), sha256: sha256(bytes), size: bytes.length });
    // The same summary the isolated inspection stores: signature, binding, a smoke run.
    expect(filed.artifact.summary).toMatchObject({
      binding: { kind: 'packed', onnxInput: 'features', fields: ['x1', 'x2'] },
      smokeRun: { outputs: { prediction: { values: [0.5] } } },
    });
    expect(sha256(await scope.objects.getBytes(filed.artifact.key))).toBe(sha256(bytes));
    expect(await scope.objects.list('staging/')).toEqual(stagedBefore);
    const read = await ctx.api.call('GET', `/models/${modelId}/versions/${version}`, { token: ds });
    expect(read.body.artifact).toMatchObject({ state: 'verified', key: filed.artifact.key });
    const audit = await ctx.api.call('GET', `/audit/events?targetType=version&targetId=${modelId}-${version}`, { token: shop.tokens['tenant-admin'] });
    expect(audit.status).toBe(200);
    expect(audit.body.items.map((e: { action: string }) => e.action)).toContain('version.artifact-verified');
    // Versions are immutable: a second filing is refused.
    await expect(finalizeProducedArtifact(scope, modelId, version, { key: runKey, bytes })).rejects.toThrow(/already verified/);
  });

  it('refuses bytes other than those declared, and a model that does not match the schema, writing nothing', async () => {
    const bytes = onnx(1);
    const declaredOther = await awaitingVersion(bytes, SCHEMA, { sha256: sha256(onnx(2)) });
    await expect(finalizeProducedArtifact(scope, declaredOther.modelId, declaredOther.version, { key: declaredOther.runKey, bytes })).rejects.toThrow(
      ValidationFailed,
    );
    const wrongSchema = await awaitingVersion(onnx(3), {
      inputs: [
        { name: 'a', type: 'float' },
        { name: 'b', type: 'float' },
        { name: 'c', type: 'float' },
      ],
      outputs: [{ name: 'prediction', type: 'float' }],
    });
    await expect(finalizeProducedArtifact(scope, wrongSchema.modelId, wrongSchema.version, { key: wrongSchema.runKey, bytes: onnx(3) })).rejects.toThrow(
      /does not match the declared schema/,
    );
    for (const { modelId, version } of [declaredOther, wrongSchema]) {
      expect((await ctx.api.call('GET', `/models/${modelId}/versions/${version}`, { token: ds })).body.artifact.state).toBe('awaiting-upload');
    }
    expect(await scope.objects.head(contentKey('artifacts', sha256(onnx(3))))).toBeUndefined();
  });

  it('fails retryably, leaving no content object, when the producer’s object no longer holds the verified bytes', async () => {
    const bytes = onnx(4);
    const { modelId, version, runKey } = await awaitingVersion(bytes);
    await scope.objects.put(runKey, onnx(5), 'application/octet-stream'); // changed after it was produced
    await expect(finalizeProducedArtifact(scope, modelId, version, { key: runKey, bytes })).rejects.toThrow(DependencyFailed);
    expect(await scope.objects.head(contentKey('artifacts', sha256(bytes)))).toBeUndefined();
    expect((await ctx.api.call('GET', `/models/${modelId}/versions/${version}`, { token: ds })).body.artifact.state).toBe('awaiting-upload');
    // Once the object holds the produced bytes again, the same call files them.
    await scope.objects.put(runKey, bytes, 'application/octet-stream');
    expect((await finalizeProducedArtifact(scope, modelId, version, { key: runKey, bytes })).artifact.state).toBe('verified');
  });
});
