import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { getExecution, listExecutions, type TransitionEvent } from '../../../core/pipelines/execution-log';
import { getModelVersion, registerModelVersion } from '../../../core/pipelines/model-versions';
import type { TrainingResult } from '../../../core/pipelines/train-model';
import type { TrainingPlan } from '../../../core/pipelines/training-request';
import { step as recordFailure } from '../../../functions/pipeline-steps/record-pipeline-failure';
import { testPlatform } from '../../support/test-platform';
import { randomTenantId } from '../../fixtures/pipelines/tenants';

const DATASET = readFileSync(join(__dirname, '..', '..', 'fixtures', 'pipelines', 'breast-cancer-sample.csv'));

describe('train-evaluate on the local runner', () => {
  let local: Awaited<ReturnType<typeof testPlatform>>;

  beforeAll(async () => {
    local = await testPlatform();
  });

  afterAll(async () => {
    await local?.close();
  });

  async function tenantWithDataset(): Promise<string> {
    const tenantId = randomTenantId();
    await local.platform.tenantObjects(tenantId).put('datasets/breast-cancer.csv', DATASET, 'text/csv');
    return tenantId;
  }

  async function run(tenantId: string, input: Record<string, unknown>) {
    const started = await local.platform.pipelines.start({ tenantId, pipeline: 'train-evaluate', actor: 'user:data-scientist-1', input });
    const stopped = await local.runner.waitFor(started.executionId, 30_000);
    const recorded = await getExecution(local.platform.tenantTable(tenantId), started.executionId);
    return { started, stopped, ...recorded };
  }

  const entered = (events: TransitionEvent[]) => events.filter((e) => e.type === 'StateEntered').map((e) => e.state);

  it('trains, evaluates and auto-approves a good model, recording every transition in order', async () => {
    const tenantId = await tenantWithDataset();
    const { started, stopped, execution, events } = await run(tenantId, {
      model: { name: 'breast-cancer' },
      dataset: { key: 'datasets/breast-cancer.csv' },
      target: 'benign',
      policy: { metric: 'auc', minimum: 0.9, autoApprove: true },
    });

    expect(stopped.status).toBe('SUCCEEDED');
    expect(execution).toMatchObject({ executionId: started.executionId, pipeline: 'train-evaluate', status: 'SUCCEEDED', actor: 'user:data-scientist-1', currentState: 'Done' });
    expect(execution.input).toEqual({ model: { name: 'breast-cancer' }, dataset: { key: 'datasets/breast-cancer.csv' }, target: 'benign', policy: { metric: 'auc', minimum: 0.9, autoApprove: true } });
    expect(Date.parse(execution.stoppedAt!)).toBeGreaterThanOrEqual(Date.parse(execution.startedAt));

    expect(entered(events)).toEqual(['ValidateInput', 'TrainModel', 'RegisterVersion', 'EvaluateModel', 'CompareWithChampion', 'ApplyApprovalPolicy', 'ApprovalRoute', 'AutoApprove', 'Done']);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i));
    expect(events[0].type).toBe('ExecutionStarted');
    expect(events.at(-1)!.type).toBe('ExecutionSucceeded');
    const times = events.map((e) => Date.parse(e.at));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    // Every state exits right after it entered; Task exits carry their duration.
    const trainExit = events.find((e) => e.type === 'StateExited' && e.state === 'TrainModel')!;
    expect(trainExit.stateType).toBe('Task');
    expect(trainExit.durationMs).toEqual(expect.any(Number));
    expect(events.filter((e) => e.type === 'StateExited').map((e) => e.state)).toEqual(entered(events));

    const output = execution.output as {
      evaluation: { metrics: { auc: number; accuracy: number; logLoss: number } };
      training: { artifactKey: string; trainRows: number; holdoutRows: number; durationMs: number; hyperparameters: { l2: number } };
      decision: { outcome: string };
      version: { versionNumber: number; versionId: string };
    };
    expect(output.evaluation.metrics.auc).toBeGreaterThan(0.9);
    expect(output.evaluation.metrics.accuracy).toBeGreaterThan(0.85);
    expect(output.decision.outcome).toBe('AUTO_APPROVED');
    expect(output.training.trainRows + output.training.holdoutRows).toBe(190);
    expect(output.training.hyperparameters.l2).toBe(1);

    // The artifact sits under the tenant's prefix of the bucket.
    const listed = await local.platform.clients.s3.send(new ListObjectsV2Command({ Bucket: local.settings.STEWARD_BUCKET_NAME, Prefix: `tenants/${tenantId}/models/` }));
    const keys = (listed.Contents ?? []).map((o) => o.Key);
    expect(keys).toEqual(
      expect.arrayContaining([`tenants/${tenantId}/${output.training.artifactKey}`, `tenants/${tenantId}/models/breast-cancer/runs/${started.executionId}/evaluation.json`]),
    );
    const artifact = JSON.parse(new TextDecoder().decode(await local.platform.tenantObjects(tenantId).getBytes(output.training.artifactKey)));
    expect(artifact).toMatchObject({ format: 'steward.linear-model/v1', algorithm: 'logistic-regression', target: 'benign' });
    expect(artifact.features).toHaveLength(30);

    const version = await getModelVersion(local.platform.tenantTable(tenantId), { modelName: 'breast-cancer', versionNumber: 1 });
    expect(version).toMatchObject({
      versionId: 'breast-cancer@1',
      status: 'APPROVED',
      artifactKey: output.training.artifactKey,
      createdBy: 'user:data-scientist-1',
      sourceExecutionId: started.executionId,
      decision: { outcome: 'AUTO_APPROVED', decidedBy: 'system:approval-policy' },
    });
    expect(version!.evaluation!.metrics.auc).toBeGreaterThan(0.9);
    expect(version!.dataset.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('rejects a candidate that does not beat the champion, and numbers versions per model', async () => {
    const tenantId = await tenantWithDataset();
    const base = { model: { name: 'breast-cancer' }, dataset: { key: 'datasets/breast-cancer.csv' }, target: 'benign' };
    const first = await run(tenantId, base);
    expect(first.stopped.status).toBe('SUCCEEDED');
    expect(entered(first.events)).toContain('RequestApproval');
    const second = await run(tenantId, { ...base, champion: { versionId: 'breast-cancer@1', value: 0.9999 }, policy: { autoApprove: true } });
    expect(second.stopped.status).toBe('SUCCEEDED');
    expect(entered(second.events)).toContain('RejectCandidate');
    const table = local.platform.tenantTable(tenantId);
    expect(await getModelVersion(table, { modelName: 'breast-cancer', versionNumber: 1 })).toMatchObject({ status: 'PENDING_APPROVAL' });
    expect(await getModelVersion(table, { modelName: 'breast-cancer', versionNumber: 2 })).toMatchObject({
      status: 'REJECTED',
      decision: { outcome: 'REJECTED', reasons: [expect.stringContaining("does not beat the champion's")] },
    });

    const page = await listExecutions(table, { limit: 1 });
    expect(page.items.map((e) => e.executionId)).toEqual([second.started.executionId]);
    const next = await listExecutions(table, { limit: 1, cursor: page.cursor });
    expect(next.items.map((e) => e.executionId)).toEqual([first.started.executionId]);
    expect((await listExecutions(table, { pipeline: 'train-evaluate' })).items).toHaveLength(2);
    expect((await listExecutions(table, { pipeline: 'deploy' })).items).toHaveLength(0);
    // Another tenant sees none of it, and cannot page through it with this tenant's cursor.
    const other = local.platform.tenantTable(randomTenantId());
    expect((await listExecutions(other)).items).toHaveLength(0);
    const refused = (await listExecutions(other, { limit: 1, cursor: page.cursor }).catch((e: unknown) => e)) as Error;
    // ScopedTable currently wraps the cursor's ValidationFailed in DependencyFailed; either way the cursor is refused.
    expect([refused.name, (refused.cause as Error | undefined)?.name]).toContain('ValidationFailed');
    await expect(listExecutions(table, { limit: 0 })).rejects.toMatchObject({ name: 'ValidationFailed' });
    await expect(getExecution(other, first.started.executionId)).rejects.toMatchObject({ name: 'NotFound' });
  });

  it('fails with a clear cause when the dataset is missing, and records the failure path', async () => {
    const tenantId = randomTenantId();
    const { stopped, execution, events } = await run(tenantId, { model: { name: 'churn' }, dataset: { key: 'datasets/nowhere.csv' }, target: 'churned' });

    expect(stopped.status).toBe('FAILED');
    expect(execution.error).toBe('ValidationFailed');
    expect(execution.cause).toBe("dataset 'datasets/nowhere.csv' was not found in this tenant's storage");
    expect(entered(events)).toEqual(['ValidateInput', 'RecordFailure', 'PipelineFailed']);
    expect(events.map((e) => e.type)).toEqual([
      'ExecutionStarted',
      'StateEntered',
      'StateFailed',
      'StateCaught',
      'StateExited',
      'StateEntered',
      'StateExited',
      'StateEntered',
      'StateFailed',
      'ExecutionFailed',
    ]);
    expect(events[2]).toMatchObject({ state: 'ValidateInput', error: 'ValidationFailed', cause: execution.cause });
    expect(events.at(-1)).toMatchObject({ error: 'ValidationFailed', cause: execution.cause });
  });

  it('refuses a policy metric that does not fit the task before training', async () => {
    const tenantId = await tenantWithDataset();
    const { stopped, execution, events } = await run(tenantId, {
      model: { name: 'breast-cancer' },
      dataset: { key: 'datasets/breast-cancer.csv' },
      target: 'benign',
      task: 'regression',
      policy: { metric: 'auc' },
    });
    expect(stopped.status).toBe('FAILED');
    expect(execution.cause).toBe("metric 'auc' does not apply to regression models");
    expect(entered(events)).not.toContain('TrainModel');
  });

  it('marks the version a failed run registered as FAILED (record-pipeline-failure step)', async () => {
    const tenantId = await tenantWithDataset();
    const { stopped } = await run(tenantId, { model: { name: 'breast-cancer' }, dataset: { key: 'datasets/breast-cancer.csv' }, target: 'benign' });
    expect(stopped.status).toBe('SUCCEEDED'); // version 1: PENDING_APPROVAL, which a failure must not touch
    const table = local.platform.tenantTable(tenantId);
    const context = { tenantId, actor: 'user:x', executionId: 'local-x' };
    const pending = await recordFailure.invoke(local.platform, {
      context,
      caught: { Error: 'States.Timeout', Cause: 'late' },
      state: { version: { modelName: 'breast-cancer', versionNumber: 1 } },
    });
    expect(pending).toMatchObject({ error: 'States.Timeout', cause: 'late', versionMarkedFailed: false });
    expect(await getModelVersion(table, { modelName: 'breast-cancer', versionNumber: 1 })).toMatchObject({ status: 'PENDING_APPROVAL' });

    // A version not decided yet (the run failed after registering it) is marked FAILED with the readable cause.
    const registered = await registerModelVersion(table, {
      plan: (stopped.output as { plan: TrainingPlan }).plan,
      training: { ...(stopped.output as { training: TrainingResult }).training, runId: 'another-run' },
      actor: 'user:x',
      now: () => new Date(),
    });
    expect(registered.versionNumber).toBe(2);
    const awsStyleCause = JSON.stringify({ errorType: 'DependencyFailed', errorMessage: 'object store request failed', trace: [] });
    const failed = await recordFailure.invoke(local.platform, {
      context,
      caught: { Error: 'DependencyFailed', Cause: awsStyleCause },
      state: { version: { modelName: 'breast-cancer', versionNumber: 2, versionId: 'breast-cancer@2', status: 'REGISTERED' }, plan: {} },
    });
    expect(failed).toMatchObject({ error: 'DependencyFailed', cause: 'object store request failed', versionMarkedFailed: true });
    expect(await getModelVersion(table, { modelName: 'breast-cancer', versionNumber: 2 })).toMatchObject({
      status: 'FAILED',
      failure: { error: 'DependencyFailed', cause: 'object store request failed' },
    });
  });

  it('starts a named execution once', async () => {
    const tenantId = await tenantWithDataset();
    const request = {
      tenantId,
      pipeline: 'train-evaluate',
      actor: 'ci:token-1',
      name: 'nightly-2025-01-01',
      input: { model: { name: 'breast-cancer' }, dataset: { key: 'datasets/breast-cancer.csv' }, target: 'benign' },
    };
    const first = await local.platform.pipelines.start(request);
    const again = await local.platform.pipelines.start(request);
    expect(again.executionId).toBe(first.executionId);
    await local.runner.waitFor(first.executionId, 30_000);
    expect((await listExecutions(local.platform.tenantTable(tenantId))).items).toHaveLength(1);
  });

  it('refuses unknown pipelines and a malformed tenant id', async () => {
    await expect(local.platform.pipelines.start({ tenantId: randomTenantId(), pipeline: 'no-such', actor: 'user:x', input: {} })).rejects.toMatchObject({ name: 'NotFound' });
    await expect(local.platform.pipelines.start({ tenantId: 'T-bad', pipeline: 'train-evaluate', actor: 'user:x', input: {} })).rejects.toMatchObject({ name: 'ValidationFailed' });
  });

  it('reports its definitions as healthy', async () => {
    await expect(local.runner.probe().check()).resolves.toBe('1 pipeline(s): train-evaluate');
  });
});
