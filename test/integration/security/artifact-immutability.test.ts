import { readUsage } from '../../../core/tenancy/usage';
import { logisticRegression30, linearRegression10 } from '../../fixtures/artifacts/build-onnx';
import { LOGISTIC_30_IO } from '../../fixtures/artifacts/io-schemas';
import { bootApi, onboardTenant, type OnboardedTenant } from '../../support/api-client';
import { createModel, createProject, sha256 } from '../catalog/catalog-fixtures';

/**
 * Issue 14, "a verified artifact can be replaced after verification": the
 * upload URL stayed valid after finalize and pointed at the very key the
 * version read, signed neither length nor checksum, and staged bytes were
 * neither counted nor expired. These reproduce each finding and prove it fixed.
 *
 * Which layer refuses what: on AWS, S3 itself refuses a body whose length or
 * checksum differs from the signed Content-Length / x-amz-checksum-sha256
 * (asserted here by the URL's signed headers). s3rver checks no signature, so
 * locally it stores such a body, and finalize refuses it (asserted here).
 */
describe('security: verified artifacts stay verified', () => {
  let clock = Date.now();
  let ctx: Awaited<ReturnType<typeof bootApi>>;
  let tenant: OnboardedTenant;
  let ds: string;
  let projectId: string;
  beforeAll(async () => {
    ctx = await bootApi({ now: () => new Date(clock) });
    tenant = await onboardTenant(ctx.api, ctx.adminToken, 'Immutable', { roles: ['tenant-admin', 'data-scientist', 'approver', 'viewer'] });
    ds = tenant.tokens['data-scientist'];
    projectId = (await createProject(ctx.api, ds)).projectId;
  });
  afterAll(() => ctx.local.close());

  const storageUsed = async () => (await readUsage(ctx.platform.tenantTable(tenant.tenantId))).storageBytes;

  async function register(bytes: Uint8Array, declared: { sha256?: string; size?: number } = {}) {
    const model = await createModel(ctx.api, ds, projectId, { schema: LOGISTIC_30_IO });
    const registered = await ctx.api.call('POST', `/models/${model.modelId}/versions`, {
      token: ds,
      body: { artifact: { format: 'onnx', sha256: declared.sha256 ?? sha256(bytes), size: declared.size ?? bytes.length } },
    });
    expect(registered.status).toBe(201);
    const base = `/models/${model.modelId}/versions/${registered.body.version}`;
    const upload = await ctx.api.call('POST', `${base}/artifact/upload-url`, { token: ds });
    expect(upload.status).toBe(200);
    return { model, base, upload: upload.body as { url: string; headers: Record<string, string> } };
  }

  const put = (upload: { url: string; headers: Record<string, string> }, bytes: Uint8Array) =>
    fetch(upload.url, { method: 'PUT', headers: upload.headers, body: Buffer.from(bytes) });
  const download = async (base: string) => {
    const link = await ctx.api.call('GET', `${base}/artifact`, { token: tenant.tokens.viewer });
    expect(link.status).toBe(200);
    return new Uint8Array(await (await fetch(link.body.url)).arrayBuffer());
  };

  it('signs the declared length and SHA-256 into the upload URL, so S3 refuses any other body', async () => {
    const bytes = logisticRegression30();
    const { upload } = await register(bytes);
    const signed = new URL(upload.url).searchParams.get('X-Amz-SignedHeaders')!.split(';');
    expect(signed).toEqual(expect.arrayContaining(['content-length', 'x-amz-checksum-sha256', 'content-type']));
    expect(upload.headers['x-amz-checksum-sha256']).toBe(Buffer.from(sha256(bytes), 'hex').toString('base64'));
    // The upload goes to the staging area, never to a key a version reads.
    expect(new URL(upload.url).pathname).toContain(`/staging/${tenant.tenantId}/`);
  });

  it('refuses a swap after finalize: the upload URL cannot change what the version points to, before or after approval', async () => {
    const original = logisticRegression30();
    const { base, upload } = await register(original);
    expect((await put(upload, original)).status).toBe(200);
    const finalized = await ctx.api.call('POST', `${base}/artifact/finalize`, { token: ds });
    expect(finalized.status).toBe(200);
    expect(finalized.body.artifact).toMatchObject({ state: 'verified', key: `artifacts/sha256/${sha256(original)}` });

    // The attack of the issue: PUT other bytes to the same URL within its 15 minutes.
    const other = linearRegression10();
    await put(upload, other); // accepted or refused by the store; either way it must not matter
    expect(sha256(await download(base))).toBe(sha256(original));

    for (const to of ['evaluating', 'evaluated', 'pending-approval'])
      expect((await ctx.api.call('POST', `${base}/status`, { token: ds, body: { to } })).status).toBe(200);
    const approved = await ctx.api.call('POST', `${base}/decision`, { token: tenant.tokens.approver, body: { decision: 'approve', reason: 'reviewed' } });
    expect(approved.body.version.status).toBe('approved');

    await put(upload, other);
    expect((await ctx.api.call('POST', `${base}/artifact/upload-url`, { token: ds })).status).toBe(409);
    expect((await ctx.api.call('POST', `${base}/artifact/finalize`, { token: ds })).status).toBe(409);
    const after = await ctx.api.call('GET', base, { token: ds });
    expect(after.body).toMatchObject({ status: 'approved', artifact: { sha256: sha256(original), key: `artifacts/sha256/${sha256(original)}` } });
    expect(sha256(await download(base))).toBe(sha256(original));
    expect(sha256(await ctx.platform.tenantObjects(tenant.tenantId).getBytes(after.body.artifact.key))).toBe(sha256(original));
  });

  it('refuses an upload larger than declared, and one with other bytes of the declared size, releasing their reservations', async () => {
    const declared = logisticRegression30();
    const before = await storageUsed();

    const larger = await register(declared);
    expect(await storageUsed()).toBe(before + declared.length); // the staged upload counts at once
    const oversized = new Uint8Array(declared.length + 4096).fill(7);
    await put(larger.upload, oversized); // S3 refuses (signed length); s3rver stores it
    const refusedLarger = await ctx.api.call('POST', `${larger.base}/artifact/finalize`, { token: ds });
    expect(refusedLarger.status).toBe(400);
    expect(refusedLarger.body.invalidFields[0]).toMatchObject({ field: 'artifact.size' });

    const same = await register(declared);
    const tampered = Uint8Array.from(declared);
    tampered[tampered.length - 1] ^= 0xff;
    await put(same.upload, tampered); // S3 refuses (BadDigest against the signed checksum); s3rver stores it
    const refusedOther = await ctx.api.call('POST', `${same.base}/artifact/finalize`, { token: ds });
    expect(refusedOther.status).toBe(400);
    expect(refusedOther.body.invalidFields[0]).toMatchObject({ field: 'artifact.sha256' });

    for (const { base } of [larger, same]) {
      expect((await ctx.api.call('GET', base, { token: ds })).body.artifact.state).toBe('awaiting-upload');
    }
    expect(await storageUsed()).toBe(before);
  });

  it('counts staged bytes against the quota until they expire, then the sweep removes them and gives the bytes back', async () => {
    const bytes = logisticRegression30();
    const before = await storageUsed();
    const { upload } = await register(bytes);
    expect((await put(upload, bytes)).status).toBe(200);
    expect(await storageUsed()).toBe(before + bytes.length);
    const objects = ctx.platform.tenantObjects(tenant.tenantId);
    const staged = (await objects.list('staging/models/')).map((o) => o.key);
    expect(staged.length).toBeGreaterThan(0);

    expect(await ctx.local.stagingSweep.sweep()).toBe(0); // not expired yet
    clock += 25 * 60 * 60 * 1000;
    expect(await ctx.local.stagingSweep.sweep()).toBeGreaterThanOrEqual(1);
    expect(await storageUsed()).toBeLessThanOrEqual(before);
    for (const key of staged) expect(await objects.head(key)).toBeUndefined();
  });
});
