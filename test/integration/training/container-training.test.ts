import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CloudWatchLogsClient, DescribeLogStreamsCommand, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { CloudWatchTrainingLogs } from '../../../core/adapters/cloudwatch/cloudwatch-training-logs';
import { packModelArchive, unpackModelArchive } from '../../../core/training/model-archive';
import { step as collectTrainedModel } from '../../../functions/pipeline-steps/collect-trained-model';
import { step as recordFailure } from '../../../functions/pipeline-steps/record-pipeline-failure';
import { bootApi, onboardTenant, type OnboardedTenant } from '../../support/api-client';
import { createBreastCancerModel, waitForDatasetVersion, waitForExecution } from '../../fixtures/pipelines/catalog-model';

/**
 * train-evaluate with the python-sklearn training container
 * (templates/python-sklearn/train.py) on shared/datasets/breast-cancer.csv:
 * PlanContainerTraining → createTrainingJob.sync (locally the template as a
 * child process under the SageMaker training contract) → CollectTrainedModel,
 * then the platform registers and evaluates the container's ONNX as it does a
 * built-in model's. Needs python3 with scikit-learn and onnx (.ci/run installs them).
 */
const DATA = readFileSync(join(__dirname, '../../../../shared/datasets/breast-cancer.csv'), 'utf8');
const FEATURES = DATA.slice(0, DATA.indexOf('\n'))
  .trim()
  .split(',')
  .filter((c) => c !== 'benign');

const python = [process.env.STEWARD_PYTHON, 'python3', '/usr/bin/python3']
  .filter((c): c is string => Boolean(c))
  .find((candidate) => spawnSync(candidate, ['-c', 'import sklearn, onnx, numpy'], { stdio: 'ignore' }).status === 0);
if (!python) {
  console.warn('SKIPPED container training: no python3 with scikit-learn and onnx (apt-get install python3-sklearn python3-onnx, or set STEWARD_PYTHON)');
}

(python ? describe : describe.skip)('train-evaluate with the python-sklearn training container', () => {
  let ctx: Awaited<ReturnType<typeof bootApi>>;
  let acme: OnboardedTenant;
  let other: OnboardedTenant;
  let dataset: { datasetId: string; version: number };
  const schema = {
    inputs: FEATURES.map((name) => ({ name, type: 'float' as const })),
    outputs: [
      { name: 'probability', type: 'float' as const },
      { name: 'label', type: 'long' as const },
    ],
  };

  beforeAll(async () => {
    ctx = await bootApi();
    acme = await onboardTenant(ctx.api, ctx.adminToken, 'Acme Containers');
    other = await onboardTenant(ctx.api, ctx.adminToken, 'Other Containers', { roles: ['data-scientist'] });
    const ds = acme.tokens['data-scientist'];
    const created = await ctx.api.call('POST', '/datasets', { token: ds, body: { name: 'breast-cancer-full', format: 'csv', tags: [] } });
    expect(created.status).toBe(201);
    await ctx.platform.tenantObjects(acme.tenantId).put('incoming/breast-cancer.csv', DATA, 'text/csv');
    const version = await ctx.api.call('POST', `/datasets/${created.body.datasetId}/versions`, {
      token: ds,
      body: { sourceKey: 'incoming/breast-cancer.csv', targetColumn: 'benign' },
    });
    expect(version.status).toBe(202);
    const ready = await waitForDatasetVersion(ctx.api, ds, created.body.datasetId, version.body.version);
    expect(ready.body.status).toBe('ready');
    dataset = { datasetId: created.body.datasetId, version: version.body.version };
  }, 120_000);

  afterAll(async () => {
    await ctx?.local.close();
  });

  /** The first run's outputs, reused to play the AWS side of the same contract. */
  let trained:
    | {
        modelId: string;
        executionId: string;
        plan: Record<string, unknown>;
        trainingJob: { trainRows: number; holdoutRows: number; request: { TrainingJobName: string } };
      }
    | undefined;

  const start = async (input: Record<string, unknown>) => {
    const res = await ctx.api.call('POST', '/pipelines/train-evaluate/executions', { token: acme.tokens['data-scientist'], body: input });
    expect(res.status).toBe(202);
    return res.body.executionId as string;
  };

  it('trains through the training contract; the version holds the container ONNX, is evaluated by the platform, and its lineage records what ran', async () => {
    const ds = acme.tokens['data-scientist'];
    const { modelId } = await createBreastCancerModel(ctx.api, ds, { schema });
    const executionId = await start({
      modelId,
      dataset,
      target: 'benign',
      container: { template: 'python-sklearn', hyperparameters: { C: 0.5 } },
      codeRevision: 'c0ffee1',
    });
    const done = await waitForExecution(ctx.api, acme.tokens.viewer, executionId, 120_000);
    expect(done.body.error ?? null).toBeNull();
    expect(done.body.status).toBe('SUCCEEDED');
    const states = done.body.states.map((s: { name: string }) => s.name);
    expect(states.slice(0, 6)).toEqual(['ValidateInput', 'TrainerRoute', 'PlanContainerTraining', 'TrainContainer', 'CollectTrainedModel', 'RegisterVersion']);
    expect(states).not.toContain('TrainModel');

    const v1 = await ctx.api.call('GET', `/models/${modelId}/versions/1`, { token: ds });
    expect(v1.status).toBe(200);
    expect(v1.body).toMatchObject({
      source: 'trained',
      artifact: { format: 'onnx', state: 'verified' },
      lineage: { executionId, codeRevision: 'c0ffee1', datasets: [{ ...dataset, role: 'training' }] },
    });
    const lineage = v1.body.lineage.hyperparameters;
    expect(lineage).toMatchObject({
      C: '0.5',
      target: 'benign',
      'trainer.template': 'python-sklearn',
      'trainer.image': 'steward-training-python-sklearn:local',
    });
    expect(lineage.features.split(',')).toEqual(FEATURES);
    expect(lineage['trainer.durationMs']).toBeGreaterThan(0);
    const datasetVersion = await ctx.api.call('GET', `/datasets/${dataset.datasetId}/versions/${dataset.version}`, { token: ds });
    expect(lineage['trainer.datasetSha256']).toBe(datasetVersion.body.sha256);
    if (process.platform === 'linux') {
      // Locally the runner's measurement of the process is what is recorded ('measured')…
      expect(lineage['trainer.resourceUsage']).toBe('measured');
      expect(lineage['trainer.cpuMs']).toBeGreaterThan(0);
      expect(lineage['trainer.peakMemoryBytes']).toBeGreaterThan(10 * 1024 * 1024);
      // …and the trainer's own resources.json (what a run on AWS records) went where SageMaker uploads SM_OUTPUT_DATA_DIR, telling the same story.
      const jobName = done.body.output.trainingJob.request.TrainingJobName as string;
      const output = await unpackModelArchive(
        await ctx.platform.tenantObjects(acme.tenantId).getBytes(`models/${modelId}/runs/${executionId}/${jobName}/output/output.tar.gz`),
        ['resources.json'],
      );
      const reported = JSON.parse(new TextDecoder().decode(output['resources.json'])) as { cpu_ms: number; peak_memory_bytes: number };
      expect(reported.cpu_ms).toBeGreaterThan(0);
      expect(reported.cpu_ms).toBeLessThanOrEqual(lineage['trainer.cpuMs'] + 20);
      expect(reported.peak_memory_bytes / lineage['trainer.peakMemoryBytes']).toBeGreaterThan(0.7);
      expect(reported.peak_memory_bytes / lineage['trainer.peakMemoryBytes']).toBeLessThan(1.3);
    }
    trained = { modelId, executionId, plan: done.body.output.plan, trainingJob: done.body.output.trainingJob };
    // The container's own model: its ONNX names the sklearn template that wrote it.
    const artifact = new TextDecoder('latin1').decode(
      await ctx.platform.tenantObjects(acme.tenantId).getBytes(`models/${modelId}/runs/${executionId}/model.onnx`),
    );
    expect(artifact).toContain('steward-python-sklearn-template');
    expect(done.body.output.training).toMatchObject({
      algorithm: 'container:python-sklearn',
      container: { template: 'python-sklearn', metrics: { train_auc: expect.any(Number) } },
    });

    const evaluations = await ctx.api.call('GET', `/models/${modelId}/versions/1/evaluations`, { token: ds });
    expect(evaluations.body.items).toHaveLength(1);
    expect(evaluations.body.items[0]).toMatchObject({ executionId, source: 'platform' });
    expect(evaluations.body.items[0].metrics.auc).toBeGreaterThan(0.9);

    // The trainer's log, through the API, for the tenant only.
    const log = await ctx.api.call('GET', `/executions/${executionId}/logs`, { token: acme.tokens.viewer });
    expect(log.status).toBe(200);
    expect(String(log.body)).toContain("target 'benign'");
    expect(String(log.body)).toContain('done: {');
    const foreign = await ctx.api.call('GET', `/executions/${executionId}/logs`, { token: other.tokens['data-scientist'] });
    expect(foreign.status).toBe(404);
  }, 180_000);

  it('a trainer that fails (C = -1) ends the run FAILED with its failure file as the reason, and its log is kept', async () => {
    const ds = acme.tokens['data-scientist'];
    const { modelId } = await createBreastCancerModel(ctx.api, ds, { schema });
    const executionId = await start({ modelId, dataset, target: 'benign', container: { template: 'python-sklearn', hyperparameters: { C: -1 } } });
    const done = await waitForExecution(ctx.api, acme.tokens.viewer, executionId, 120_000);
    expect(done.body.status).toBe('FAILED');
    expect(done.body.error).toBe('States.TaskFailed');
    expect(done.body.cause).toMatch(/^training job .*: AlgorithmError: .*'C' .*/);
    const versions = await ctx.api.call('GET', `/models/${modelId}/versions`, { token: ds });
    expect(versions.body.items).toHaveLength(0);
    const log = await ctx.api.call('GET', `/executions/${executionId}/logs`, { token: acme.tokens.viewer });
    expect(log.status).toBe(200);
    expect(String(log.body)).toContain('Traceback');
  }, 180_000);

  it("on AWS: CollectTrainedModel and RecordFailure copy the job's CloudWatch log to the run's training.log, and the figures come from the trainer's resources.json, else are unknown", async () => {
    expect(trained).toBeDefined();
    const { modelId, plan } = trained!;
    const objects = ctx.platform.tenantObjects(acme.tenantId);
    const bucket = ctx.platform.settings.STEWARD_BUCKET_NAME;
    // CloudWatch Logs has no emulator: its client is mocked, the adapter and everything else are real.
    const cw = mockClient(CloudWatchLogsClient);
    const aws = { ...ctx.platform, trainingLogs: new CloudWatchTrainingLogs(new CloudWatchLogsClient({ region: 'eu-west-1' })) };
    const modelArchive = await objects.getBytes(
      `models/${modelId}/runs/${trained!.executionId}/${trained!.trainingJob.request.TrainingJobName}/output/model.tar.gz`,
    );
    const awsRun = async (runId: string, resources: Record<string, number> | undefined) => {
      const jobName = `${acme.tenantId}-train-${runId}`;
      const folder = `models/${modelId}/runs/${runId}/${jobName}/output/`;
      await objects.put(`${folder}model.tar.gz`, modelArchive, 'application/gzip');
      if (resources) await objects.put(`${folder}output.tar.gz`, await packModelArchive({ 'resources.json': JSON.stringify(resources) }), 'application/gzip');
      cw.reset();
      cw.on(DescribeLogStreamsCommand, { logStreamNamePrefix: `${jobName}/` }).resolves({ logStreams: [{ logStreamName: `${jobName}/algo-1-1765000000` }] });
      cw.on(GetLogEventsCommand).resolves({
        events: [
          { timestamp: 1, message: `training on 426 rows (${runId})` },
          { timestamp: 2, message: 'done: {}' },
        ],
        nextBackwardToken: 'b/1',
      });
      cw.on(GetLogEventsCommand, { nextToken: 'b/1' }).resolves({ events: [], nextBackwardToken: 'b/1' });
      const training = await collectTrainedModel.invoke(aws, {
        context: { tenantId: acme.tenantId, actor: 'user:x', executionId: `arn:aws:states:eu-west-1:123456789012:execution:steward-train-evaluate:${runId}` },
        plan,
        trainingJob: {
          trainRows: trained!.trainingJob.trainRows,
          holdoutRows: trained!.trainingJob.holdoutRows,
          job: {
            TrainingJobName: jobName,
            TrainingJobStatus: 'Completed',
            ModelArtifacts: { S3ModelArtifacts: `s3://${bucket}/${objects.keyOf(`${folder}model.tar.gz`)}` },
            AlgorithmSpecification: { TrainingImage: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/cdk-assets:python-sklearn', TrainingInputMode: 'File' },
            HyperParameters: { C: '0.5', target: 'benign' },
            TrainingStartTime: '2026-12-06T06:00:00.000Z',
            TrainingEndTime: '2026-12-06T06:01:30.000Z',
          },
        },
      });
      expect(cw).toReceiveCommandWith(DescribeLogStreamsCommand, { logGroupName: '/aws/sagemaker/TrainingJobs', logStreamNamePrefix: `${jobName}/` });
      return training;
    };

    const reported = await awsRun('aws-reported', { cpu_ms: 812.5, peak_memory_bytes: 118_000_000 });
    expect(reported).toMatchObject({
      durationMs: 90_000,
      cpuMs: 812.5,
      peakMemoryBytes: 118_000_000,
      container: { resourceUsage: 'reported', logKey: `models/${modelId}/runs/aws-reported/training.log` },
    });
    // The same key and format the local runner's log is read from by GET /executions/{id}/logs.
    expect(new TextDecoder().decode(await objects.getBytes(`models/${modelId}/runs/aws-reported/training.log`))).toBe(
      'training on 426 rows (aws-reported)\ndone: {}\n',
    );

    // A container of the user's own that writes no resources.json: duration from the job's times, CPU and memory unknown, not zero.
    const unknown = await awsRun('aws-unknown', undefined);
    expect(unknown).toMatchObject({ durationMs: 90_000, container: { resourceUsage: 'unknown' } });
    expect(unknown).not.toHaveProperty('cpuMs');
    expect(unknown).not.toHaveProperty('peakMemoryBytes');

    // A failed job's log is kept by RecordFailure (the Catch route), found from the planned request in the state.
    const failedJob = `${acme.tenantId}-train-aws-failed`;
    cw.reset();
    cw.on(DescribeLogStreamsCommand).resolves({ logStreams: [{ logStreamName: `${failedJob}/algo-1-1765000000` }] });
    cw.on(GetLogEventsCommand).resolves({
      events: [
        { timestamp: 1, message: 'Traceback (most recent call last):' },
        { timestamp: 2, message: 'ValueError: C must be > 0' },
      ],
      nextBackwardToken: 'b',
    });
    cw.on(GetLogEventsCommand, { nextToken: 'b' }).resolves({ events: [], nextBackwardToken: 'b' });
    const failure = await recordFailure.invoke(aws, {
      context: { tenantId: acme.tenantId, actor: 'user:x', executionId: 'arn:aws:states:eu-west-1:123456789012:execution:steward-train-evaluate:aws-failed' },
      caught: {
        Error: 'States.TaskFailed',
        Cause: JSON.stringify({ TrainingJobName: failedJob, TrainingJobStatus: 'Failed', FailureReason: 'AlgorithmError: ValueError: C must be > 0' }),
      },
      state: { plan: { modelId }, trainingJob: { request: { TrainingJobName: failedJob } } },
    });
    expect(failure).toMatchObject({ error: 'States.TaskFailed' });
    expect(cw).toReceiveCommandWith(DescribeLogStreamsCommand, { logGroupName: '/aws/sagemaker/TrainingJobs', logStreamNamePrefix: `${failedJob}/` });
    expect(new TextDecoder().decode(await objects.getBytes(`models/${modelId}/runs/aws-failed/training.log`))).toBe(
      'Traceback (most recent call last):\nValueError: C must be > 0\n',
    );

    // A job name that is not this tenant's is never read, whatever the state says.
    cw.reset();
    await recordFailure.invoke(aws, {
      context: { tenantId: acme.tenantId, actor: 'user:x', executionId: 'aws-foreign' },
      caught: { Error: 'X', Cause: 'y' },
      state: { plan: { modelId }, trainingJob: { request: { TrainingJobName: `${other.tenantId}-train-theirs` } } },
    });
    expect(cw).toReceiveCommandTimes(DescribeLogStreamsCommand, 0);
    expect(await objects.head(`models/${modelId}/runs/aws-foreign/training.log`)).toBeUndefined();
    cw.restore();
  }, 60_000);

  it('refuses a container with built-in hyper-parameters, or one it does not read, naming the field (400, nothing started)', async () => {
    const ds = acme.tokens['data-scientist'];
    const { modelId } = await createBreastCancerModel(ctx.api, ds, { schema });
    const both = await ctx.api.call('POST', '/pipelines/train-evaluate/executions', {
      token: ds,
      body: { modelId, dataset, target: 'benign', algorithm: 'logistic-regression', container: { template: 'python-sklearn' } },
    });
    expect(both.status).toBe(400);
    expect(JSON.stringify(both.body)).toContain('algorithm');
    const unknown = await ctx.api.call('POST', '/pipelines/train-evaluate/executions', {
      token: ds,
      body: { modelId, dataset, target: 'benign', container: { template: 'r-glm' } },
    });
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(unknown.body)).toContain('container.template');
  });
});
