import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readUsage } from '../../../core/tenancy/usage';
import { bootApi, onboardTenant, type OnboardedTenant } from '../../support/api-client';
import { writeParquet } from '../../fixtures/datasets/parquet-writer';
import { createBreastCancerModel, waitForDatasetVersion, waitForExecution } from '../../fixtures/pipelines/catalog-model';
import { datasetVersionWrite } from '../../../core/catalog/datasets/dataset-records';

const BREAST_CANCER = readFileSync(join(__dirname, '../../../../shared/datasets/breast-cancer.csv'));
const JSONL = readFileSync(join(__dirname, '../../fixtures/datasets/breast-cancer-every-14th.jsonl'));

const sha256 = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

describe('datasets', () => {
  let ctx: Awaited<ReturnType<typeof bootApi>>;
  let tenant: OnboardedTenant;
  let other: OnboardedTenant;
  let ds: string;

  beforeAll(async () => {
    ctx = await bootApi();
    tenant = await onboardTenant(ctx.api, ctx.adminToken, 'Oncology Lab', { roles: ['tenant-admin', 'data-scientist', 'viewer'] });
    other = await onboardTenant(ctx.api, ctx.adminToken, 'Other Lab', { roles: ['tenant-admin', 'data-scientist'] });
    ds = tenant.tokens['data-scientist'];
  }, 60_000);
  afterAll(() => ctx.local.close());

  const objects = () => ctx.platform.tenantObjects(tenant.tenantId);
  const usage = () => readUsage(ctx.platform.tenantTable(tenant.tenantId));

  async function createDataset(name: string, format = 'csv', token = ds) {
    const res = await ctx.api.call('POST', '/datasets', { token, body: { name, format, description: 'diagnostic features', tags: ['Oncology'] } });
    expect(res.status).toBe(201);
    return res.body as { datasetId: string; name: string };
  }

  /** Asks for an upload URL declaring `declare` (default: the truth), and PUTs `bytes` there as a browser or CLI would. */
  async function upload(
    datasetId: string,
    bytes: Uint8Array,
    options: { format?: string; declare?: { sha256?: string; sizeBytes?: number }; token?: string } = {},
  ) {
    const declared = { sha256: options.declare?.sha256 ?? sha256(bytes), sizeBytes: options.declare?.sizeBytes ?? bytes.length };
    const res = await ctx.api.call('POST', `/datasets/${datasetId}/versions/upload-url`, {
      token: options.token ?? ds,
      body: { format: options.format ?? 'csv', ...declared },
    });
    expect(res.status).toBe(201);
    const put = await fetch(res.body.url, { method: 'PUT', headers: res.body.headers, body: new Blob([new Uint8Array(bytes)]) });
    expect(put.status).toBe(200);
    return { uploadId: res.body.uploadId as string, key: res.body.key as string, ...declared };
  }

  /**
   * Registers a version: 202 with the version pending and its Location, then the
   * profile-dataset pipeline settles it. Returns the POST's answer and the settled version (GET, with profile when ready).
   */
  async function register(datasetId: string, body: Record<string, unknown>, token = ds) {
    const res = await ctx.api.call('POST', `/datasets/${datasetId}/versions`, { token, body });
    expect([res.status, res.body.detail]).toEqual([202, undefined]);
    expect(res.body).toMatchObject({ datasetId, status: 'pending' });
    expect(res.headers.get('location')).toBe(`/datasets/${datasetId}/versions/${res.body.version}`);
    const settled = await waitForDatasetVersion(ctx.api, token, datasetId, res.body.version);
    return { registered: res.body, settled: settled.body };
  }

  it('registers the breast cancer CSV from a presigned upload: pending, then ready with hash, schema and profile', async () => {
    const dataset = await createDataset('breast-cancer');
    const before = await usage();
    const staged = await upload(dataset.datasetId, BREAST_CANCER);
    expect(staged.key).toBe(`staging/datasets/${dataset.datasetId}/${staged.uploadId}`);
    expect(await objects().head(staged.key)).toMatchObject({ size: BREAST_CANCER.length });

    const { registered, settled } = await register(dataset.datasetId, {
      uploadId: staged.uploadId,
      sha256: staged.sha256,
      sizeBytes: staged.sizeBytes,
      targetColumn: 'benign',
    });
    // The request only checked and numbered it: no hash, no profile yet.
    expect(registered).toMatchObject({ version: 1, status: 'pending', sizeBytes: BREAST_CANCER.length });
    for (const field of ['sha256', 'key', 'schema', 'rowCount', 'sourceKey', 'expectedSha256']) expect(registered).not.toHaveProperty(field);
    const res = { body: settled };
    expect(res.body).toMatchObject({
      status: 'ready',
      datasetId: dataset.datasetId,
      version: 1,
      format: 'csv',
      rowCount: 569,
      columnCount: 31,
      sizeBytes: BREAST_CANCER.length,
      sha256: sha256(BREAST_CANCER),
      key: `datasets/sha256/${staged.sha256}`,
      targetColumn: 'benign',
      protectedAttributes: [],
      source: { kind: 'upload', uploadId: staged.uploadId },
    });
    expect(res.body.schema).toHaveLength(31);
    expect(res.body.schema.filter((c: { type: string }) => c.type === 'number')).toHaveLength(30);
    expect(res.body.schema[30]).toEqual({ name: 'benign', type: 'integer', categorical: false, nullable: false });

    // The staged upload is gone, the immutable copy holds the same bytes, and storage usage counts it.
    expect(await objects().head(staged.key)).toBeUndefined();
    expect(Buffer.from(await objects().getBytes(res.body.key)).equals(BREAST_CANCER)).toBe(true);
    expect((await usage()).storageBytes - before.storageBytes).toBeGreaterThanOrEqual(BREAST_CANCER.length);

    const detail = await ctx.api.call('GET', `/datasets/${dataset.datasetId}/versions/1`, { token: tenant.tokens.viewer });
    expect(detail.status).toBe(200);
    const { profile } = detail.body;
    expect(profile).toMatchObject({ rowCount: 569, reservoirCapacity: 100_000, quantilesEstimated: false });
    const benign = profile.columns.find((c: { name: string }) => c.name === 'benign');
    expect(benign).toMatchObject({ type: 'integer', count: 569, missing: 0, min: 0, max: 1, distinct: 2, quantilesEstimated: false });
    expect(benign.mean).toBeCloseTo(0.6274165202108963, 12);
    expect(benign.std).toBeCloseTo(0.48391795640316865, 12);
    expect(benign.quantiles).toEqual({ p01: 0, p05: 0, p25: 0, p50: 1, p75: 1, p95: 1, p99: 1 });
    expect(sum(benign.histogram.counts)).toBe(569);
    expect(benign.histogram.counts[0]).toBe(212);
    expect(benign.histogram.counts[19]).toBe(357);
    // Reference values from numpy (mean, std(ddof=1), percentile, histogram(bins=20)).
    const radius = profile.columns.find((c: { name: string }) => c.name === 'mean_radius');
    expect(radius).toMatchObject({ type: 'number', min: 6.981, max: 28.11 });
    expect(radius.mean).toBeCloseTo(14.127291739894552, 10);
    expect(radius.std).toBeCloseTo(3.5240488262120775, 10);
    expect(radius.quantiles.p05).toBeCloseTo(9.5292, 10);
    expect(radius.quantiles.p50).toBeCloseTo(13.37, 10);
    expect(radius.quantiles.p99).toBeCloseTo(24.3716, 10);
    expect(radius.histogram.counts).toEqual([4, 15, 31, 48, 93, 92, 71, 58, 32, 23, 22, 28, 27, 11, 2, 5, 2, 2, 0, 3]);
    for (const column of profile.columns) expect(sum(column.histogram.counts)).toBe(column.count);

    const trail = await ctx.api.call('GET', `/audit/events?targetType=dataset&targetId=${dataset.datasetId}`, { token: tenant.tokens.viewer });
    expect(trail.body.items.map((e: { action: string }) => e.action)).toEqual([
      'dataset.version-ready',
      'dataset.version-registered',
      'dataset.upload-url-issued',
      'dataset.created',
    ]);
    // The hashing and profiling ran as a pipeline execution of the tenant, started by the registering user.
    // The version turns ready in the pipeline's last step; the run itself is recorded as stopped just after, so wait for it.
    const runs = await ctx.api.call('GET', '/executions?pipeline=profile-dataset&limit=100', { token: tenant.tokens.viewer });
    const run = runs.body.items.find((e: { name: string }) => e.name === `profile-${dataset.datasetId}-1`);
    expect(run).toMatchObject({ actor: `user:${tenant.userIds['data-scientist']}` });
    expect((await waitForExecution(ctx.api, tenant.tokens.viewer, run.executionId)).body).toMatchObject({
      status: 'SUCCEEDED',
      actor: `user:${tenant.userIds['data-scientist']}`,
    });

    // The download URL serves exactly the registered bytes.
    const download = await ctx.api.call('GET', `/datasets/${dataset.datasetId}/versions/1/download`, { token: tenant.tokens.viewer });
    expect(download.status).toBe(200);
    expect(download.body).toMatchObject({ sha256: sha256(BREAST_CANCER), sizeBytes: BREAST_CANCER.length, format: 'csv' });
    const fetched = Buffer.from(await (await fetch(download.body.url)).arrayBuffer());
    expect(fetched.equals(BREAST_CANCER)).toBe(true);
  });

  it('numbers versions 1, 2, … (uploads and objects already in storage), newest first', async () => {
    const dataset = await createDataset('cancer-versions');
    const first = await upload(dataset.datasetId, BREAST_CANCER);
    const v1 = { body: (await register(dataset.datasetId, { uploadId: first.uploadId, sha256: first.sha256, sizeBytes: first.sizeBytes })).settled };
    // A pipeline output: already in the tenant's storage, registered by key (no digest needed).
    const subset = Buffer.from(BREAST_CANCER.toString('utf8').split('\n').slice(0, 101).join('\n') + '\n');
    await objects().put('pipelines/run-7/outputs/sample.csv', subset, 'text/csv');
    const v2 = { body: (await register(dataset.datasetId, { sourceKey: 'pipelines/run-7/outputs/sample.csv', description: 'first 100 rows' })).settled };
    expect([v1.body.version, v2.body.version]).toEqual([1, 2]);
    expect(v2.body).toMatchObject({ rowCount: 100, sha256: sha256(subset), source: { kind: 'object', key: 'pipelines/run-7/outputs/sample.csv' } });
    expect(await objects().head('pipelines/run-7/outputs/sample.csv')).toBeDefined();

    // Registering the same upload again cannot add a version: the upload was consumed.
    const again = await ctx.api.call('POST', `/datasets/${dataset.datasetId}/versions`, {
      token: ds,
      body: { uploadId: first.uploadId, sha256: first.sha256, sizeBytes: first.sizeBytes },
    });
    expect(again.status).toBe(404);

    const list = await ctx.api.call('GET', `/datasets/${dataset.datasetId}/versions`, { token: ds });
    expect(list.body.items.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    expect(await ctx.api.call('GET', `/datasets/${dataset.datasetId}`, { token: ds })).toMatchObject({
      status: 200,
      body: { latestVersion: 2, versionCount: 2 },
    });
    const page = await ctx.api.call('GET', `/datasets/${dataset.datasetId}/versions?limit=1`, { token: ds });
    expect(page.body.items.map((v: { version: number }) => v.version)).toEqual([2]);
    const rest = await ctx.api.call('GET', `/datasets/${dataset.datasetId}/versions?limit=1&cursor=${encodeURIComponent(page.body.next)}`, { token: ds });
    expect(rest.body.items.map((v: { version: number }) => v.version)).toEqual([1]);
  });

  it('gives concurrent registrations distinct numbers, each written once', async () => {
    const dataset = await createDataset('cancer-concurrent');
    const lines = BREAST_CANCER.toString('utf8').split('\n');
    const keys = [0, 1, 2, 3].map((i) => `pipelines/run-${i}/part.csv`);
    await Promise.all(keys.map((key, i) => objects().put(key, `${lines[0]}\n${lines.slice(1 + i * 10, 11 + i * 10).join('\n')}\n`, 'text/csv')));
    const results = (await Promise.all(keys.map((sourceKey) => register(dataset.datasetId, { sourceKey })))).map((r) => ({ body: r.settled }));
    expect(results.map((r) => r.body.status)).toEqual(['ready', 'ready', 'ready', 'ready']);
    expect(results.map((r) => r.body.version).sort()).toEqual([1, 2, 3, 4]);
    // Each number's immutable file holds the bytes of the source registered under it.
    for (const r of results) expect(sha256(await objects().getBytes(r.body.key))).toBe(r.body.sha256);
    expect((await ctx.api.call('GET', `/datasets/${dataset.datasetId}`, { token: ds })).body).toMatchObject({ latestVersion: 4, versionCount: 4 });
  });

  it('refuses a registration past the storage quota before anything is copied or numbered', async () => {
    const dataset = await createDataset('cancer-quota');
    await objects().put('pipelines/big/out.csv', BREAST_CANCER, 'text/csv');
    const table = ctx.platform.tenantTable(tenant.tenantId);
    const room = 10_240 * 1024 ** 3 - (await usage()).storageBytes; // enterprise plan
    const fill = room - BREAST_CANCER.length + 1;
    await table.adjust({ partition: ['USAGE'], sort: 'META' }, 'storageBytes', fill);
    try {
      const before = await usage();
      const res = await ctx.api.call('POST', `/datasets/${dataset.datasetId}/versions`, { token: ds, body: { sourceKey: 'pipelines/big/out.csv' } });
      expect(res.status).toBe(429);
      expect(await usage()).toEqual(before);
      expect(await objects().list(`datasets/${dataset.datasetId}/`)).toEqual([]);
      expect((await ctx.api.call('GET', `/datasets/${dataset.datasetId}`, { token: ds })).body.latestVersion).toBe(0);
    } finally {
      await table.adjust({ partition: ['USAGE'], sort: 'META' }, 'storageBytes', -fill);
    }
  });

  it('fails a version whose file does not hash to the declared SHA-256, with the reason, deleting the staged upload and giving back its storage', async () => {
    const dataset = await createDataset('cancer-wrong-digest');
    const before = await usage();
    const wrong = sha256('not the file');
    const staged = await upload(dataset.datasetId, BREAST_CANCER, { declare: { sha256: wrong } });
    const { settled } = await register(dataset.datasetId, { uploadId: staged.uploadId, sha256: wrong, sizeBytes: staged.sizeBytes });
    expect(settled).toMatchObject({
      version: 1,
      status: 'failed',
      statusReason: `SHA-256 mismatch: the object hashes to ${sha256(BREAST_CANCER)}, not ${wrong}`,
    });
    expect(settled).not.toHaveProperty('profile');
    expect(await objects().head(staged.key)).toBeUndefined();
    expect((await ctx.api.call('GET', `/datasets/${dataset.datasetId}`, { token: ds })).body).toMatchObject({ latestVersion: 0, versionCount: 1 });
    expect(await objects().list(`datasets/${dataset.datasetId}/`)).toEqual([]);
    // The reservation is given back right after the staged object is removed (the version is failed first).
    let after = await usage();
    for (let i = 0; i < 50 && JSON.stringify(after) !== JSON.stringify(before); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      after = await usage();
    }
    expect(after).toEqual(before);
    // A failed version cannot be used.
    const download = await ctx.api.call('GET', `/datasets/${dataset.datasetId}/versions/1/download`, { token: ds });
    expect(download.status).toBe(409);
    expect(download.body.detail).toContain('failed profiling and cannot be used: SHA-256 mismatch');

    // A registration that contradicts its own upload declaration is refused at once, writing nothing.
    const second = await upload(dataset.datasetId, BREAST_CANCER);
    const contradicting = await ctx.api.call('POST', `/datasets/${dataset.datasetId}/versions`, {
      token: ds,
      body: { uploadId: second.uploadId, sha256: wrong, sizeBytes: second.sizeBytes },
    });
    expect(contradicting.status).toBe(400);
    expect(contradicting.body.invalidFields.map((f: { field: string }) => f.field)).toEqual(['body.sha256']);
    expect(await objects().head(second.key)).toBeUndefined();
    expect((await ctx.api.call('GET', `/datasets/${dataset.datasetId}/versions`, { token: ds })).body.items).toHaveLength(1);
  });

  it('fails a malformed CSV with its line as the reason, refuses a size mismatch at once, and deletes both staged uploads', async () => {
    const dataset = await createDataset('broken');
    const bad = Buffer.from('a,b\n1,2\n3,4\n5\n6,7\n');
    const staged = await upload(dataset.datasetId, bad);
    const { settled } = await register(dataset.datasetId, { uploadId: staged.uploadId, sha256: staged.sha256, sizeBytes: staged.sizeBytes });
    expect(settled).toMatchObject({ status: 'failed', statusReason: 'malformed CSV at line 4: expected 2 fields like the header, found 1' });
    expect(await objects().head(staged.key)).toBeUndefined();
    // The version is marked failed by the run's last step; the run itself ends a moment later.
    let run: unknown;
    for (let i = 0; i < 100 && !run; i++) {
      const runs = await ctx.api.call('GET', '/executions?pipeline=profile-dataset&status=FAILED&limit=100', { token: ds });
      run = runs.body.items.find((e: { name: string }) => e.name === `profile-${dataset.datasetId}-1`);
      if (!run) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(run).toMatchObject({ error: 'MalformedDataset', cause: 'malformed CSV at line 4: expected 2 fields like the header, found 1' });

    const short = await upload(dataset.datasetId, Buffer.from('a,b\n1,2\n'), { declare: { sizeBytes: 999 } });
    const mismatch = await ctx.api.call('POST', `/datasets/${dataset.datasetId}/versions`, {
      token: ds,
      body: { uploadId: short.uploadId, sha256: short.sha256, sizeBytes: 999 },
    });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.invalidFields).toEqual([{ field: 'body.sizeBytes', problem: 'the object is 8 bytes, not 999' }]);
    expect(await objects().head(short.key)).toBeUndefined();
    expect((await ctx.api.call('GET', `/datasets/${dataset.datasetId}/versions`, { token: ds })).body.items.map((v: { status: string }) => v.status)).toEqual([
      'failed',
    ]);
  });

  it('fails a version whose named columns are not in the file, naming them; a new upload with the right names is ready', async () => {
    const dataset = await createDataset('cancer-columns');
    const staged = await upload(dataset.datasetId, BREAST_CANCER);
    const body = { uploadId: staged.uploadId, sha256: staged.sha256, sizeBytes: staged.sizeBytes };
    const wrong = await register(dataset.datasetId, { ...body, targetColumn: 'malignant', protectedAttributes: ['mean_radius', 'age'] });
    expect(wrong.settled).toMatchObject({
      status: 'failed',
      statusReason: "the named columns are not in the file: no column 'malignant' in the file; no column 'age' in the file",
    });
    const again = await upload(dataset.datasetId, BREAST_CANCER);
    const fixed = await register(dataset.datasetId, {
      uploadId: again.uploadId,
      sha256: again.sha256,
      sizeBytes: again.sizeBytes,
      targetColumn: 'benign',
      protectedAttributes: ['mean_radius'],
    });
    expect(fixed.settled).toMatchObject({ version: 2, status: 'ready', targetColumn: 'benign', protectedAttributes: ['mean_radius'] });
    expect((await ctx.api.call('GET', `/datasets/${dataset.datasetId}`, { token: ds })).body).toMatchObject({ latestVersion: 2, versionCount: 2 });
  });

  it('refuses a pending version to what would use it (download, training) with a 409 saying why', async () => {
    const dataset = await createDataset('cancer-pending');
    // A version the pipeline has not settled yet (written as registration leaves it, with no pipeline behind it).
    await ctx.platform.tenantTable(tenant.tenantId).transact([
      datasetVersionWrite({
        datasetId: dataset.datasetId,
        datasetName: dataset.name,
        version: 1,
        format: 'csv',
        status: 'pending',
        sizeBytes: BREAST_CANCER.length,
        protectedAttributes: [],
        source: { kind: 'object', key: 'incoming/cancer.csv' },
        sourceKey: 'incoming/cancer.csv',
        createdAt: new Date().toISOString(),
        createdBy: 'user:x',
        revision: 1,
      }),
    ]);
    const shown = await ctx.api.call('GET', `/datasets/${dataset.datasetId}/versions/1`, { token: ds });
    expect(shown.body).toMatchObject({ status: 'pending', sizeBytes: BREAST_CANCER.length });
    expect(shown.body).not.toHaveProperty('profile');
    expect(shown.body).not.toHaveProperty('sourceKey');
    const download = await ctx.api.call('GET', `/datasets/${dataset.datasetId}/versions/1/download`, { token: ds });
    expect([download.status, download.body.detail]).toEqual([409, expect.stringContaining(`dataset ${dataset.datasetId} version 1 is pending`)]);
    const { modelId } = await createBreastCancerModel(ctx.api, ds);
    const run = await ctx.api.call('POST', '/pipelines/train-evaluate/executions', {
      token: ds,
      body: { modelId, dataset: { datasetId: dataset.datasetId, version: 1 }, target: 'benign' },
    });
    expect(run.status).toBe(409);
    expect(run.body.detail).toContain('its hash and profile are still being computed');
    expect((await ctx.api.call('GET', '/executions?pipeline=train-evaluate', { token: ds })).body.items).toEqual([]);
  });

  it('profiles JSON Lines: typed values, categorical strings and booleans', async () => {
    const dataset = await createDataset('cancer-jsonl', 'jsonl');
    const staged = await upload(dataset.datasetId, JSONL, { format: 'jsonl' });
    const res = {
      body: (
        await register(dataset.datasetId, {
          uploadId: staged.uploadId,
          sha256: staged.sha256,
          sizeBytes: staged.sizeBytes,
          targetColumn: 'benign',
          protectedAttributes: ['diagnosis'],
        })
      ).settled,
    };
    expect(res.body).toMatchObject({ rowCount: 41, columnCount: 5, key: `datasets/sha256/${staged.sha256}` });
    const { profile } = (await ctx.api.call('GET', `/datasets/${dataset.datasetId}/versions/1`, { token: ds })).body;
    const [radius, , , diagnosis, benign] = profile.columns;
    expect(radius).toMatchObject({ name: 'mean_radius', type: 'number', min: 9.268, max: 20.58 });
    expect(radius.mean).toBeCloseTo(14.329902439024393, 10);
    expect(radius.std).toBeCloseTo(2.800270556614825, 10);
    expect(radius.quantiles.p50).toBeCloseTo(13.73, 10);
    expect(radius.histogram.counts).toEqual([2, 1, 1, 0, 4, 1, 5, 8, 4, 3, 1, 2, 1, 0, 1, 1, 0, 4, 1, 1]);
    expect(diagnosis).toMatchObject({
      type: 'string',
      categorical: true,
      topCategories: [
        { value: 'benign', count: 27 },
        { value: 'malignant', count: 14 },
      ],
      otherCount: 0,
    });
    expect(benign).toMatchObject({
      type: 'boolean',
      topCategories: [
        { value: 'true', count: 27 },
        { value: 'false', count: 14 },
      ],
    });
  });

  it('profiles Parquet through ranged reads of the stored object', async () => {
    const rows = BREAST_CANCER.toString('utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => line.split(',').map(Number));
    const file = writeParquet(
      [
        { name: 'mean_radius', type: 'double' },
        { name: 'benign', type: 'int64' },
      ],
      // Three row groups of the 569 rows.
      [rows.slice(0, 200), rows.slice(200, 400), rows.slice(400)].map((group) => group.map((r) => [r[0], r[30]])),
    );
    const dataset = await createDataset('cancer-parquet', 'parquet');
    const staged = await upload(dataset.datasetId, file, { format: 'parquet' });
    const res = {
      body: (await register(dataset.datasetId, { uploadId: staged.uploadId, sha256: staged.sha256, sizeBytes: staged.sizeBytes, targetColumn: 'benign' }))
        .settled,
    };
    expect(res.body).toMatchObject({ rowCount: 569, columnCount: 2, key: `datasets/sha256/${staged.sha256}` });
    const { profile } = (await ctx.api.call('GET', `/datasets/${dataset.datasetId}/versions/1`, { token: ds })).body;
    expect(profile.columns[0].mean).toBeCloseTo(14.127291739894552, 10);
    expect(profile.columns[0].histogram.counts).toEqual([4, 15, 31, 48, 93, 92, 71, 58, 32, 23, 22, 28, 27, 11, 2, 5, 2, 2, 0, 3]);
    expect(profile.columns[1]).toMatchObject({ type: 'integer', count: 569 });
    expect(profile.columns[1].mean).toBeCloseTo(0.6274165202108963, 12);

    const notParquet = await upload(dataset.datasetId, BREAST_CANCER, { format: 'parquet' });
    const refused = (await register(dataset.datasetId, { uploadId: notParquet.uploadId, sha256: notParquet.sha256, sizeBytes: notParquet.sizeBytes })).settled;
    expect(refused.status).toBe('failed');
    expect(refused.statusReason).toMatch(/^malformed PARQUET: not a readable Parquet file/);
  });

  it('profiles a file with more rows than the quantile reservoir: exact histograms by a second pass, estimated quantiles', async () => {
    const rows = 150_000;
    const lines = ['i,x,group'];
    for (let i = 0; i < rows; i++) lines.push(`${i},${(i % 1000) / 10},${i % 3 === 0 ? 'a' : 'b'}`);
    const bytes = Buffer.from(lines.join('\n') + '\n');
    const dataset = await createDataset('synthetic-large');
    const staged = await upload(dataset.datasetId, bytes);
    const { profile } = (await register(dataset.datasetId, { uploadId: staged.uploadId, sha256: staged.sha256, sizeBytes: staged.sizeBytes })).settled;
    expect(profile).toMatchObject({ rowCount: rows, quantilesEstimated: true });
    const [i, x, group] = profile.columns;
    expect(i).toMatchObject({ type: 'integer', min: 0, max: rows - 1, quantilesEstimated: true });
    expect(i.mean).toBeCloseTo((rows - 1) / 2, 6);
    // Exact counts: 0..149,999 in 20 bins of width 7,499.95.
    expect(i.histogram.counts).toEqual([7500, ...new Array(18).fill(7500), 7500]);
    // x cycles 0.0..99.9 uniformly: each of 20 bins of width 4.995 holds 50 of every 1,000 values.
    expect(sum(x.histogram.counts)).toBe(rows);
    expect(x.histogram.counts.every((c: number) => Math.abs(c - 7500) <= 150)).toBe(true);
    // Quantiles estimated from a 100,000-value uniform sample stay close to the truth.
    expect(Math.abs(i.quantiles.p50 - 75_000)).toBeLessThan(1_500);
    expect(Math.abs(x.quantiles.p25 - 25)).toBeLessThan(1);
    expect(group).toMatchObject({
      categorical: true,
      topCategories: [
        { value: 'b', count: 100_000 },
        { value: 'a', count: 50_000 },
      ],
    });
  }, 60_000);

  it('refuses files over 1 GiB before issuing a URL, a format the dataset does not hold, and a duplicate name', async () => {
    const dataset = await createDataset('Cancer-Limits');
    const huge = await ctx.api.call('POST', `/datasets/${dataset.datasetId}/versions/upload-url`, {
      token: ds,
      body: { format: 'csv', sizeBytes: 1024 ** 3 + 1, sha256: sha256('x') },
    });
    expect(huge.status).toBe(413);
    expect(huge.body.detail).toContain('at most 1073741824 bytes');
    const format = await ctx.api.call('POST', `/datasets/${dataset.datasetId}/versions/upload-url`, {
      token: ds,
      body: { format: 'parquet', sizeBytes: 10, sha256: sha256('x') },
    });
    expect(format.status).toBe(400);
    expect(format.body.invalidFields).toEqual([{ field: 'body.format', problem: "must be 'csv'" }]);
    const both = await ctx.api.call('POST', `/datasets/${dataset.datasetId}/versions`, { token: ds, body: { uploadId: '0'.repeat(26), sourceKey: 'x.csv' } });
    expect(both.status).toBe(400);
    expect(both.body.invalidFields.map((f: { field: string }) => f.field)).toEqual(['body.uploadId', 'body.sha256', 'body.sizeBytes']);
    const dup = await ctx.api.call('POST', '/datasets', { token: ds, body: { name: 'cancer-limits', format: 'csv' } });
    expect(dup.status).toBe(409);
    expect(dup.body.detail).toBe("a dataset named 'cancer-limits' already exists");
    const listed = await ctx.api.call('GET', '/datasets?namePrefix=CANCER-L', { token: ds });
    expect(listed.body.items.map((d: { name: string }) => d.name)).toEqual(['Cancer-Limits']);
    expect((await ctx.api.call('GET', '/datasets/NOT-AN-ID', { token: ds })).status).toBe(400);
    expect((await ctx.api.call('GET', `/datasets/${dataset.datasetId}/versions/0`, { token: ds })).status).toBe(400);
  });

  it('enforces permissions: viewers read, data scientists write', async () => {
    const viewer = tenant.tokens.viewer;
    expect((await ctx.api.call('POST', '/datasets', { token: viewer, body: { name: 'nope', format: 'csv' } })).status).toBe(403);
    const dataset = await createDataset('cancer-perms');
    expect(
      (
        await ctx.api.call('POST', `/datasets/${dataset.datasetId}/versions/upload-url`, {
          token: viewer,
          body: { format: 'csv', sizeBytes: 1, sha256: sha256('x') },
        })
      ).status,
    ).toBe(403);
    expect((await ctx.api.call('POST', `/datasets/${dataset.datasetId}/versions`, { token: viewer, body: { sourceKey: 'x.csv' } })).status).toBe(403);
    expect((await ctx.api.call('GET', `/datasets/${dataset.datasetId}`, { token: viewer })).status).toBe(200);
    // Every dataset route of this module declares its permission in the OpenAPI document.
    const doc = await ctx.api.call('GET', '/openapi.json');
    const permissions = Object.fromEntries(
      Object.entries(doc.body.paths as Record<string, Record<string, Record<string, unknown>>>)
        .filter(([path]) => path.startsWith('/datasets'))
        .flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => [`${method.toUpperCase()} ${path}`, op['x-steward-permission']])),
    );
    expect(permissions).toMatchObject({
      'POST /datasets': 'catalog:write',
      'GET /datasets': 'catalog:read',
      'GET /datasets/{datasetId}': 'catalog:read',
      'POST /datasets/{datasetId}/versions/upload-url': 'artifacts:write',
      'POST /datasets/{datasetId}/versions': 'catalog:write',
      'GET /datasets/{datasetId}/versions': 'catalog:read',
      'GET /datasets/{datasetId}/versions/{version}': 'catalog:read',
      'GET /datasets/{datasetId}/versions/{version}/download': 'catalog:read',
    });
  });

  it('is invisible to another tenant', async () => {
    const dataset = await createDataset('cancer-private');
    const staged = await upload(dataset.datasetId, BREAST_CANCER);
    const registered = { body: (await register(dataset.datasetId, { uploadId: staged.uploadId, sha256: staged.sha256, sizeBytes: staged.sizeBytes })).settled };
    expect(registered.body.status).toBe('ready');
    const intruder = other.tokens['data-scientist'];
    const base = `/datasets/${dataset.datasetId}`;
    for (const path of [base, `${base}/versions`, `${base}/versions/1`, `${base}/versions/1/download`]) {
      const res = await ctx.api.call('GET', path, { token: intruder });
      expect([path, res.status]).toEqual([path, 404]);
    }
    expect(
      (await ctx.api.call('POST', `${base}/versions/upload-url`, { token: intruder, body: { format: 'csv', sizeBytes: 10, sha256: sha256('x') } })).status,
    ).toBe(404);
    expect((await ctx.api.call('POST', `${base}/versions`, { token: intruder, body: { sourceKey: registered.body.key } })).status).toBe(404);
    // Keys are tenant-relative: naming the victim's key from the intruder's own dataset finds nothing.
    const own = await ctx.api.call('POST', '/datasets', { token: intruder, body: { name: 'mine', format: 'csv' } });
    const steal = await ctx.api.call('POST', `/datasets/${own.body.datasetId}/versions`, { token: intruder, body: { sourceKey: registered.body.key } });
    expect(steal.status).toBe(400);
    expect(steal.body.invalidFields[0].field).toBe('body.sourceKey');
    const list = await ctx.api.call('GET', '/datasets', { token: intruder });
    expect(list.body.items.map((d: { name: string }) => d.name)).toEqual(['mine']);
  });
});
