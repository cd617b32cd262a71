import { parseCsvText } from '../../../core/tabular/csv-rows';
import { scoreWithOnnx } from '../../../core/pipelines/onnx-scoring';
import { bootApi, onboardTenant, type OnboardedTenant } from '../../support/api-client';
import { approvedBreastCancerVersion, FEATURE_HEADER, SAMPLE_ROWS, waitForJob } from './batch-fixtures';

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

describe('batch jobs through the API and the batch-score pipeline', () => {
  let ctx: Awaited<ReturnType<typeof bootApi>>;
  let acme: OnboardedTenant;
  let model: Awaited<ReturnType<typeof approvedBreastCancerVersion>>;

  beforeAll(async () => {
    ctx = await bootApi();
    acme = await onboardTenant(ctx.api, ctx.adminToken, 'Acme Batch');
    model = await approvedBreastCancerVersion(ctx.api, ctx.platform, acme);
  }, 180_000);

  afterAll(async () => {
    await ctx?.local.close();
  });

  const call = (token: string, method: string, path: string, body?: unknown) => ctx.api.call(method, path, { token, ...(body !== undefined ? { body } : {}) });

  it('scores every CSV partition under a prefix: every row exactly once, in the output or in the rejected-row report', async () => {
    const objects = ctx.platform.tenantObjects(acme.tenantId);
    // 190 rows with an id, over three partitions; two rows the schema refuses; a non-CSV object that is not a partition.
    const rows = SAMPLE_ROWS.map((cells, i) => ({ id: `r${String(i).padStart(3, '0')}`, features: cells.slice(0, 30) }));
    const lines = rows.map((r) => `${r.id},${r.features.join(',')}`);
    lines[17] = `${rows[17].id},${rows[17].features.slice(0, 4).join(',')},not-a-number,${rows[17].features.slice(5).join(',')}`;
    lines[101] = `${rows[101].id},${rows[101].features.slice(0, 10).join(',')}`;
    const header = `id,${FEATURE_HEADER}`;
    const parts = [lines.slice(0, 60), lines.slice(60, 130), lines.slice(130)];
    for (const [i, part] of parts.entries()) await objects.put(`incoming/day-1/part-${i}.csv`, `${header}\n${part.join('\n')}\n`, 'text/csv');
    await objects.put('incoming/day-1/README.txt', 'not a partition', 'text/plain');

    const ds = acme.tokens['data-scientist'];
    const created = await call(ds, 'POST', '/batch-jobs', {
      model: { modelId: model.modelId, version: model.version },
      input: { kind: 'prefix', prefix: 'incoming/day-1/' },
      outputPrefix: 'scores/',
      passthrough: ['id'],
    });
    expect(created.status).toBe(202);
    const jobId: string = created.body.jobId;
    expect(created.body).toMatchObject({ status: 'queued', outputPrefix: `scores/${jobId}/`, createdBy: `user:${acme.userIds['data-scientist']}` });
    expect(created.headers.get('location')).toBe(`/batch-jobs/${jobId}`);

    const done = await waitForJob(ctx.api, acme.tokens.viewer, jobId);
    expect(done.body).toMatchObject({
      status: 'succeeded',
      partitionsTotal: 3,
      progress: { partitionsTotal: 3, partitionsDone: 3, rowsIn: 190, rowsOut: 188, rowsRejected: 2 },
      totals: { partitionsTotal: 3, partitionsDone: 3, rowsIn: 190, rowsOut: 188, rowsRejected: 2 },
    });
    expect(done.body.lineage.edges).toEqual(
      expect.arrayContaining([
        { from: `version:${model.modelId}/1`, to: `batch-job:${jobId}`, relation: 'scored' },
        { from: 'objects:incoming/day-1/', to: `batch-job:${jobId}`, relation: 'scored-by' },
        { from: `batch-job:${jobId}`, to: `objects:scores/${jobId}/`, relation: 'wrote' },
      ]),
    );

    // Every good id once across the output parts, none of the refused ones.
    const outputs = (await objects.list(`scores/${jobId}/outputs/`)).map((o) => o.key).sort();
    expect(outputs).toEqual([0, 1, 2].map((i) => `scores/${jobId}/outputs/part-0000${i}.csv`));
    const scored = new Map<string, number>();
    const counts = new Map<string, number>();
    for (const key of outputs) {
      const { header: cols, records } = await parseCsvText(text(await objects.getBytes(key)));
      expect(cols?.slice(0, 2)).toEqual(['row', 'id']);
      const p = cols!.indexOf('probability');
      expect(p).toBeGreaterThan(1);
      for (const r of records) {
        counts.set(r.cells[1], (counts.get(r.cells[1]) ?? 0) + 1);
        scored.set(r.cells[1], Number(r.cells[p]));
      }
    }
    const expectedIds = rows.map((r) => r.id).filter((id) => id !== 'r017' && id !== 'r101');
    expect([...counts.keys()].sort()).toEqual(expectedIds);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);

    // The predictions are the model's: checked against onnxruntime on the version's own artifact.
    const bytes = await objects.getBytes(model.artifactKey);
    const good = rows.filter((r) => scored.has(r.id));
    const reference = await scoreWithOnnx(
      bytes,
      good.map((r) => r.features.map(Number)),
      { inputName: 'features', outputName: 'probability' },
    );
    good.forEach((r, i) => expect(scored.get(r.id)).toBeCloseTo(reference[i], 5));

    // One rejected-row report naming source, row, id, field and problem.
    const report = await parseCsvText(text(await objects.getBytes(`scores/${jobId}/rejected.csv`)));
    expect(report.header).toEqual(['source', 'row', 'id', 'field', 'problem']);
    expect(report.records.map((r) => r.cells.slice(0, 4))).toEqual([
      ['incoming/day-1/part-0.csv', '18', 'r017', 'mean_smoothness'],
      ['incoming/day-1/part-1.csv', '42', 'r101', ''],
    ]);
    expect(report.records[0].cells[4]).toContain('not-a-number');
    expect(report.records[1].cells[4]).toMatch(/11 values; expected 31/);

    const manifest = JSON.parse(text(await objects.getBytes(`scores/${jobId}/manifest.json`)));
    expect(manifest.parts.map((p: { source: string; rowsIn: number }) => [p.source, p.rowsIn])).toEqual([
      ['incoming/day-1/part-0.csv', 60],
      ['incoming/day-1/part-1.csv', 70],
      ['incoming/day-1/part-2.csv', 60],
    ]);
    // Scored as SageMaker batch transforms (the same ASL; locally the batch engine answers createTransformJob.sync): one answer per partition, where SageMaker writes it.
    for (const i of [0, 1, 2]) {
      const answer = JSON.parse(text(await objects.getBytes(`transforms/${jobId}/part-${i}/part-${i}.csv.out`)));
      expect(answer).toMatchObject({ format: 'steward-batch/1', rowsIn: manifest.parts[i].rowsIn });
    }
    expect((await objects.list(`transforms/${jobId}/`)).map((o) => o.key).filter((k) => !k.endsWith('.out'))).toEqual([]);
    // The job succeeds at Summarize; the execution ends after CaptureStatistics.
    await ctx.local.runner.waitFor(done.body.executionId, 30_000);
    const execution = await call(acme.tokens.viewer, 'GET', `/executions/${done.body.executionId}`);
    const entered = JSON.stringify(execution.body);
    expect(entered).toContain('TransformPartition');
    expect(entered).toContain('CollectPartition');
    // A version no endpoint serves gets a SageMaker model of its own for the job, tagged with the tenant.
    expect(execution.body.output.transform).toMatchObject({
      deployed: false,
      model: {
        ModelName: `${acme.tenantId}-b${jobId}`,
        Tags: [
          { Key: 'TenantId', Value: acme.tenantId },
          { Key: 'BatchJobId', Value: jobId },
        ],
      },
      template: { ModelName: `${acme.tenantId}-b${jobId}`, MaxPayloadInMB: 1, Environment: { STEWARD_BATCH_PASSTHROUGH: '["id"]' } },
    });
    const statistics = JSON.parse(text(await objects.getBytes(`scores/${jobId}/statistics.json`)));
    const probability = statistics.columns.find((c: { column: string }) => c.column === 'probability');
    expect(probability.count).toBe(188);
    expect(probability.mean).toBeCloseTo(reference.reduce((a, b) => a + b, 0) / reference.length, 4);

    // Audited: created by the user, started and ended by the pipeline.
    const audit = await call(acme.tokens.viewer, 'GET', `/audit/events?targetType=batch-job&targetId=${jobId}&limit=10`);
    expect([...audit.body.items].reverse().map((e: { action: string }) => e.action)).toEqual(['batch-job.created', 'batch-job.started', 'batch-job.succeeded']);

    const listed = await call(acme.tokens.viewer, 'GET', `/batch-jobs?modelId=${model.modelId}&version=1`);
    expect(listed.body.items.map((j: { jobId: string }) => j.jobId)).toContain(jobId);

    // What the console's job page reads: each partition with its counts and files, paged in order…
    const first = await call(acme.tokens.viewer, 'GET', `/batch-jobs/${jobId}/partitions?limit=2`);
    expect(first.status).toBe(200);
    const rest = await call(acme.tokens.viewer, 'GET', `/batch-jobs/${jobId}/partitions?limit=2&cursor=${encodeURIComponent(first.body.next)}`);
    expect(
      [...first.body.items, ...rest.body.items].map((p: Record<string, unknown>) => [
        p.index,
        p.source,
        p.rowsIn,
        p.rowsOut,
        p.rowsRejected,
        p.output,
        p.rejected,
      ]),
    ).toEqual([
      [0, 'incoming/day-1/part-0.csv', 60, 59, 1, 'outputs/part-00000.csv', 'rejected/part-00000.csv'],
      [1, 'incoming/day-1/part-1.csv', 70, 69, 1, 'outputs/part-00001.csv', 'rejected/part-00001.csv'],
      [2, 'incoming/day-1/part-2.csv', 60, 60, 0, 'outputs/part-00002.csv', undefined],
    ]);
    expect(rest.body.next).toBeUndefined();
    // …and a download link to the rejected-row report, which serves the report's bytes.
    const download = await call(acme.tokens.viewer, 'GET', `/batch-jobs/${jobId}/download?file=rejected.csv`);
    expect(download.status).toBe(200);
    expect(download.body).toMatchObject({ file: 'rejected.csv', sizeBytes: (await objects.getBytes(`scores/${jobId}/rejected.csv`)).length });
    expect(await (await fetch(download.body.url)).text()).toBe(text(await objects.getBytes(`scores/${jobId}/rejected.csv`)));
    const badName = await call(acme.tokens.viewer, 'GET', `/batch-jobs/${jobId}/download?file=..%2Fother.csv`);
    expect(badName.status).toBe(400);
    expect(badName.body.invalidFields.map((f: { field: string }) => f.field)).toEqual(['query.file']);
    expect((await call(acme.tokens.viewer, 'GET', `/batch-jobs/${jobId}/download?file=outputs%2Fpart-00009.csv`)).status).toBe(404);
  }, 120_000);

  it('scores a dataset version', async () => {
    const created = await call(acme.tokens.deployer, 'POST', '/batch-jobs', {
      model: { modelId: model.modelId, version: 1 },
      input: { kind: 'dataset', datasetId: model.dataset.datasetId, version: model.dataset.version },
    });
    expect(created.status).toBe(202);
    const done = await waitForJob(ctx.api, acme.tokens.viewer, created.body.jobId);
    expect(done.body).toMatchObject({
      status: 'succeeded',
      outputPrefix: `batch-jobs/${created.body.jobId}/`,
      progress: { partitionsTotal: 1, rowsIn: 190, rowsOut: 190, rowsRejected: 0 },
    });
  }, 60_000);

  it("scores a version an endpoint serves with the live deployment's SageMaker model", async () => {
    const deployed = await call(acme.tokens.deployer, 'POST', '/deployments', {
      endpointName: 'batch-live',
      variants: [{ modelId: model.modelId, version: 1 }],
    });
    expect(deployed.status).toBe(202);
    await ctx.local.runner.waitFor(deployed.body.executionId, 60_000);
    const { deploymentId } = deployed.body.deployment;
    const created = await call(acme.tokens.deployer, 'POST', '/batch-jobs', {
      model: { modelId: model.modelId, version: 1 },
      input: { kind: 'dataset', datasetId: model.dataset.datasetId, version: model.dataset.version },
    });
    const done = await waitForJob(ctx.api, acme.tokens.viewer, created.body.jobId);
    expect(done.body).toMatchObject({ status: 'succeeded', progress: { rowsIn: 190, rowsOut: 190, rowsRejected: 0 } });
    // The job succeeds at Summarize; the execution ends after CaptureStatistics.
    await ctx.local.runner.waitFor(done.body.executionId, 30_000);
    const execution = await call(acme.tokens.viewer, 'GET', `/executions/${done.body.executionId}`);
    expect(execution.body.output.transform).toMatchObject({ deployed: true, template: { ModelName: `${acme.tenantId}-${deploymentId}-m0` } });
  }, 90_000);

  it('fails a job whose partition cannot be scored as a whole, with the transform job’s reason (a passthrough column the CSV lacks)', async () => {
    const created = await call(acme.tokens['data-scientist'], 'POST', '/batch-jobs', {
      model: { modelId: model.modelId, version: 1 },
      input: { kind: 'prefix', prefix: 'incoming/day-1/' },
      outputPrefix: 'scores-missing/',
      passthrough: ['customer_ref'],
    });
    expect(created.status).toBe(202);
    const done = await waitForJob(ctx.api, acme.tokens.viewer, created.body.jobId);
    expect(done.body.status).toBe('failed');
    expect(done.body.error).toMatch(/^States\.TaskFailed: transform job t[0-9a-z]+-b[0-9a-z]+-p\d: ClientError: .*no column 'customer_ref' to pass through/);
  }, 60_000);

  it('refuses bad references with a 400 naming the field, and writes nothing', async () => {
    const ds = acme.tokens['data-scientist'];
    const before = await call(ds, 'GET', '/batch-jobs?limit=100');
    const prefixInput = { kind: 'prefix', prefix: 'incoming/day-1/' };
    const fieldOf = async (body: unknown) => {
      const res = await call(ds, 'POST', '/batch-jobs', body);
      expect(res.status).toBe(400);
      return res.body.invalidFields.map((f: { field: string }) => f.field);
    };
    expect(await fieldOf({ model: { modelId: model.modelId, version: 99 }, input: prefixInput })).toEqual(['body.model.version']);
    // Version 2: registered, never approved.
    const registered = await call(ds, 'POST', `/models/${model.modelId}/versions`, { artifact: { format: 'onnx', sha256: 'a'.repeat(64), size: 10 } });
    expect(registered.status).toBe(201);
    const notApproved = await call(ds, 'POST', '/batch-jobs', { model: { modelId: model.modelId, version: registered.body.version }, input: prefixInput });
    expect(notApproved.status).toBe(400);
    expect(notApproved.body.invalidFields).toEqual([{ field: 'body.model.version', problem: "status is 'registered', not approved" }]);
    expect(
      await fieldOf({ model: { modelId: model.modelId, version: 1 }, input: { kind: 'dataset', datasetId: model.dataset.datasetId, version: 42 } }),
    ).toEqual(['body.input.version']);
    expect(await fieldOf({ model: { modelId: model.modelId, version: 1 }, input: { kind: 'prefix', prefix: '../other-tenant/' } })).toEqual([
      'body.input.prefix',
    ]);
    expect(await fieldOf({ model: { modelId: model.modelId, version: 1 }, input: { kind: 'prefix', prefix: 'scores/in/' }, outputPrefix: 'scores/' })).toEqual([
      'body.outputPrefix',
    ]);
    const after = await call(ds, 'GET', '/batch-jobs?limit=100');
    expect(after.body.items).toEqual(before.body.items);
    // Viewers read jobs but cannot start them.
    expect((await call(acme.tokens.viewer, 'POST', '/batch-jobs', { model: { modelId: model.modelId, version: 1 }, input: prefixInput })).status).toBe(403);
  }, 30_000);
});
