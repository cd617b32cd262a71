import { createHash } from 'node:crypto';
import { batchTransformRequests } from '../../../core/adapters/sagemaker/transform-requests';
import { batchJobWrite, type BatchJob, loadPartitionResults } from '../../../core/batch/batch-job-records';
import { BATCH_TRANSFORM_ACCEPT, encodeTransformAnswer, transformOutputKey } from '../../../core/batch/batch-transform';
import { newCatalogId } from '../../../core/catalog/identifiers';
import { ValidationFailed } from '../../../core/errors';
import { parseCsvText } from '../../../core/tabular/csv-rows';
import { step as collect } from '../../../functions/pipeline-steps/collect-batch-transform';
import { InProcessPartitionScorer } from '../../../serving/batch/in-process-partition-scorer';
import { LocalSageMakerIntegration, SageMakerIntegrationFailed } from '../../../state-machines/local-sagemaker-integration';
import { sageMakerIntegrationOf } from '../../../state-machines/resource-convention';
import { CREDIT_SCORECARD_IO, creditScorecardBytes } from '../../fixtures/artifacts/credit-scorecard';
import { bootApi, onboardTenant } from '../../support/api-client';

/**
 * The two halves of a batch transform that run locally: the local
 * `createTransformJob.sync` (the batch engine scoring the partition the job
 * names, answering in the serving container's batch format where SageMaker
 * writes it), and the collector step turning that answer into the
 * partition's output and rejected parts and counts.
 */
jest.setTimeout(120_000);

let ctx: Awaited<ReturnType<typeof bootApi>>;
let tenants: { a: string; b: string };
const scorer = new InProcessPartitionScorer();
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const CREATE_MODEL = sageMakerIntegrationOf('arn:aws:states:::sagemaker:createModel')!;
const TRANSFORM = sageMakerIntegrationOf('arn:aws:states:::sagemaker:createTransformJob.sync')!;
const HEADER = 'id,age,income,employment,has_defaults';
const rows = (n: number) => Array.from({ length: n }, (_, i) => `r${i},${20 + (i % 50)},${10000 + (i % 9) * 9000},employed,${i % 7 === 0}`);

beforeAll(async () => {
  ctx = await bootApi();
  tenants = {
    a: (await onboardTenant(ctx.api, ctx.adminToken, 'Transform A')).tenantId,
    b: (await onboardTenant(ctx.api, ctx.adminToken, 'Transform B')).tenantId,
  };
});

afterAll(async () => {
  await scorer.close();
  await ctx?.local.close();
});

function integration(): LocalSageMakerIntegration {
  const platform = ctx.platform;
  return new LocalSageMakerIntegration(
    () => platform.serving.control,
    () => ({ objects: (tenantId) => platform.tenantObjects(tenantId), scorer, bucket: platform.settings.STEWARD_BUCKET_NAME }),
  );
}

/** The plan's requests for a rules model of tenant A, and the CreateTransformJob the state machine builds from them for one partition. */
async function planned(jobId: string, passthrough: string[] = ['id']) {
  const objects = ctx.platform.tenantObjects(tenants.a);
  const artifact = creditScorecardBytes();
  await objects.put('models/rules/rules.json', artifact, 'application/json');
  const root = `s3://${ctx.platform.settings.STEWARD_BUCKET_NAME}/tenants/${tenants.a}/`;
  const requests = batchTransformRequests(
    {
      model: {
        modelName: `${tenants.a}-b${jobId}`,
        runtime: 'rules',
        artifactUri: `${root}models/rules/rules.json`,
        ioSchema: CREDIT_SCORECARD_IO,
        sha256: createHash('sha256').update(artifact).digest('hex'),
      },
      deployed: false,
      namePrefix: `${tenants.a}-b${jobId}`,
      tenantRootUri: root,
      outputRootUri: `${root}transforms/${jobId}/`,
      maxPayloadInMB: 1,
      tags: { TenantId: tenants.a, BatchJobId: jobId },
    },
    passthrough,
    { image: 'steward-serving:local', executionRoleArn: 'arn:aws:iam::000000000000:role/steward-serving-local' },
  );
  const transform = (index: number, source: string, override: Record<string, unknown> = {}) => ({
    TransformJobName: `${requests.namePrefix}-p${index}`,
    ModelName: requests.template.ModelName,
    MaxPayloadInMB: requests.template.MaxPayloadInMB,
    MaxConcurrentTransforms: 1,
    BatchStrategy: 'SingleRecord',
    Environment: requests.template.Environment,
    TransformInput: {
      DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: `${requests.tenantRootUri}${source}` } },
      ContentType: 'text/csv',
      SplitType: 'None',
      CompressionType: 'None',
    },
    TransformOutput: { S3OutputPath: `${requests.outputRootUri}part-${index}/`, Accept: BATCH_TRANSFORM_ACCEPT, AssembleWith: 'None' },
    TransformResources: requests.template.TransformResources,
    Tags: requests.template.Tags,
    ...override,
  });
  return { requests, transform };
}

describe('local createTransformJob.sync', () => {
  it('scores the partition with the batch engine and writes the container’s batch answer as <file>.out, keeping refused rows', async () => {
    const jobId = newCatalogId(new Date());
    const objects = ctx.platform.tenantObjects(tenants.a);
    await objects.put('in/day-1/part-0.csv', `${HEADER}\n${rows(300).join('\n')}\nbad,x,1,employed,false\n`, 'text/csv');
    const local = integration();
    const { requests, transform } = await planned(jobId);
    await local.call(CREATE_MODEL, requests.model);

    const described = await local.call(TRANSFORM, transform(0, 'in/day-1/part-0.csv'));
    expect(described).toMatchObject({ TransformJobName: `${tenants.a}-b${jobId}-p0`, TransformJobStatus: 'Completed', ModelName: `${tenants.a}-b${jobId}` });

    const answer = JSON.parse(text(await objects.getBytes(`transforms/${jobId}/part-0/part-0.csv.out`)));
    expect(answer).toMatchObject({ format: 'steward-batch/1', rowsIn: 301, rowsOut: 300, rowsRejected: 1 });
    expect(answer.statistics.score.count).toBe(300);
    const output = await parseCsvText(answer.output);
    expect(output.header).toEqual(['row', 'id', 'score', 'decision', 'rule']);
    expect(output.records.map((r) => r.cells[1])).toEqual(rows(300).map((r) => r.split(',')[0]));
    expect(answer.rejected.split('\n')[1]).toMatch(/^301,bad,age,/);
    // Only the answer is left where SageMaker writes.
    expect((await objects.list(`transforms/${jobId}/`)).map((o) => o.key)).toEqual([`transforms/${jobId}/part-0/part-0.csv.out`]);

    // A job name is used once, as on SageMaker.
    await expect(local.call(TRANSFORM, transform(0, 'in/day-1/part-0.csv'))).rejects.toMatchObject({
      name: 'SageMaker.AmazonSageMakerException',
      message: expect.stringContaining('job with this name already exists'),
    });
  });

  it('fails the job as SageMaker does (States.TaskFailed, the description as cause) for a missing input, an oversized payload or a header the model cannot use', async () => {
    const jobId = newCatalogId(new Date());
    const objects = ctx.platform.tenantObjects(tenants.a);
    const local = integration();
    const { requests, transform } = await planned(jobId, ['id', 'no_such_column']);
    await local.call(CREATE_MODEL, requests.model);
    const reasonOf = async (request: unknown) => {
      const error = (await local.call(TRANSFORM, request).catch((e: unknown) => e)) as SageMakerIntegrationFailed;
      expect(error).toBeInstanceOf(SageMakerIntegrationFailed);
      expect(error.name).toBe('States.TaskFailed');
      const cause = JSON.parse(error.message);
      expect(cause.TransformJobStatus).toBe('Failed');
      return cause.FailureReason as string;
    };
    expect(await reasonOf(transform(1, 'in/absent.csv'))).toMatch(/No S3 objects found/);
    await objects.put('in/big.csv', `${HEADER}\n${rows(60_000).join('\n')}\n`, 'text/csv');
    expect(await reasonOf(transform(2, 'in/big.csv'))).toMatch(/over MaxPayloadInMB \(1\)/);
    await objects.put('in/small.csv', `${HEADER}\n${rows(3).join('\n')}\n`, 'text/csv');
    expect(await reasonOf(transform(3, 'in/small.csv'))).toMatch(/no column 'no_such_column'/);
  });

  it('keeps a transform within its tenant: another tenant’s objects, or another tenant’s model, are refused', async () => {
    const jobId = newCatalogId(new Date());
    const local = integration();
    const { requests, transform } = await planned(jobId);
    await local.call(CREATE_MODEL, requests.model);
    await ctx.platform.tenantObjects(tenants.b).put('in/theirs.csv', `${HEADER}\n${rows(3).join('\n')}\n`, 'text/csv');
    const theirs = `s3://${ctx.platform.settings.STEWARD_BUCKET_NAME}/tenants/${tenants.b}/in/theirs.csv`;
    const error = (await local
      .call(
        TRANSFORM,
        transform(4, 'x.csv', { TransformInput: { DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: theirs } }, SplitType: 'None' } }),
      )
      .catch((e: unknown) => e)) as Error;
    expect(error.name).toBe('States.TaskFailed');
    expect(JSON.parse(error.message).FailureReason).toMatch(/outside the storage of tenant/);
    await expect(local.call(TRANSFORM, transform(5, 'in/small.csv', { Tags: [{ Key: 'TenantId', Value: tenants.b }] }))).rejects.toMatchObject({
      name: 'SageMaker.AmazonSageMakerException',
      message: expect.stringContaining(`is not tenant ${tenants.b}'s`),
    });
    await expect(local.call(TRANSFORM, transform(6, 'in/small.csv', { ModelName: `${tenants.a}-nomodel` }))).rejects.toMatchObject({
      message: expect.stringContaining('Could not find model'),
    });
  });
});

describe('CollectPartition (collect-batch-transform)', () => {
  async function runningJob(tenantId: string): Promise<BatchJob> {
    const now = new Date().toISOString();
    const jobId = newCatalogId(new Date());
    const job: BatchJob = {
      jobId,
      status: 'running',
      model: { modelId: newCatalogId(new Date()), version: 1 },
      input: { kind: 'prefix', prefix: 'in/' },
      outputPrefix: `scores/${jobId}/`,
      passthrough: ['id'],
      partitionsTotal: 2,
      createdAt: now,
      createdBy: 'user:test',
      updatedAt: now,
      revision: 1,
    };
    await ctx.platform.tenantTable(tenantId).transact([batchJobWrite(job, 'new')]);
    return job;
  }
  const context = (tenantId: string) => ({ tenantId, actor: 'pipeline:test', executionId: 'collect-test' });

  it('turns the answer into the partition’s output part, rejected part and counts, and a retry overwrites them', async () => {
    const job = await runningJob(tenants.a);
    const objects = ctx.platform.tenantObjects(tenants.a);
    const partition = { index: 1, source: 'in/sub/part-1.csv' };
    const answer = encodeTransformAnswer({
      rowsIn: 3,
      rowsOut: 2,
      rowsRejected: 1,
      statistics: { score: { count: 2, sum: 3, sumSquares: 5, min: 1, max: 2 } },
      output: 'row,id,score\n1,a,1\n3,c,2\n',
      rejected: 'row,id,field,reason\n2,b,age,not a number\n',
    });
    expect(transformOutputKey(job, partition)).toBe(`transforms/${job.jobId}/part-1/part-1.csv.out`);
    await objects.put(transformOutputKey(job, partition), answer, 'application/json');

    const counts = { index: 1, rowsIn: 3, rowsOut: 2, rowsRejected: 1 };
    expect(await collect.invoke(ctx.platform, { jobId: job.jobId, partition, context: context(tenants.a) })).toEqual(counts);
    expect(await collect.invoke(ctx.platform, { jobId: job.jobId, partition, context: context(tenants.a) })).toEqual(counts);
    expect(text(await objects.getBytes(`scores/${job.jobId}/outputs/part-00001.csv`))).toBe('row,id,score\n1,a,1\n3,c,2\n');
    expect(text(await objects.getBytes(`scores/${job.jobId}/rejected/part-00001.csv`))).toBe('row,id,field,reason\n2,b,age,not a number\n');
    const results = await loadPartitionResults(ctx.platform.tenantTable(tenants.a), job.jobId);
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({
      index: 1,
      source: 'in/sub/part-1.csv',
      rowsIn: 3,
      rowsOut: 2,
      rowsRejected: 1,
      rejectedKey: `scores/${job.jobId}/rejected/part-00001.csv`,
      statistics: { score: { count: 2 } },
    });
  });

  it('refuses an answer that is not the container’s batch answer, or whose counts do not add up, naming it; reads only its own tenant', async () => {
    const job = await runningJob(tenants.a);
    const objects = ctx.platform.tenantObjects(tenants.a);
    const partition = { index: 0, source: 'in/part-0.csv' };
    // What the container answers without its batch mode: the plain predictions.
    await objects.put(transformOutputKey(job, partition), '0.93\n0.12\n', 'text/csv');
    await expect(collect.invoke(ctx.platform, { jobId: job.jobId, partition, context: context(tenants.a) })).rejects.toThrow(ValidationFailed);
    await objects.put(
      transformOutputKey(job, partition),
      encodeTransformAnswer({ rowsIn: 5, rowsOut: 2, rowsRejected: 1, statistics: {}, output: 'row\n', rejected: '' }),
      'application/json',
    );
    await expect(collect.invoke(ctx.platform, { jobId: job.jobId, partition, context: context(tenants.a) })).rejects.toThrow(/accounts for 3 of 5 rows/);
    expect(await objects.head(`scores/${job.jobId}/outputs/part-00000.csv`)).toBeUndefined();
    // Tenant B has no such job: the collector never looks in A's storage for it.
    await expect(collect.invoke(ctx.platform, { jobId: job.jobId, partition, context: context(tenants.b) })).rejects.toMatchObject({ name: 'NotFound' });
  });
});
