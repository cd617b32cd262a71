import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../../api/app';
import { allAuditEvents } from '../../../core/audit/audit-trail';
import { FOUR_FEATURE_SCHEMA as SCHEMA, fourFeatureLogistic as onnx } from '../../fixtures/artifacts/four-feature-logistic';
import { registerVersion } from '../../../core/catalog/version-catalog';
import { settleAbandonedRun } from '../../../core/pipelines/abandoned-runs';
import { getExecution, listExecutions } from '../../../core/pipelines/execution-log';
import { pipelineScope } from '../../../core/tenancy/tenant-scope';
import { listRunning } from '../../../core/pipelines/running-executions';
import { createLocalPlatform, type LocalPlatform } from '../../../infra/local/local-platform';
import { ApiClient, bootApi, onboardTenant, type OnboardedTenant, signInAs, USER_PASSWORD } from '../../support/api-client';
import { createProject, uploadVersion } from '../catalog/catalog-fixtures';
import { BREAST_CANCER_CSV } from '../../fixtures/pipelines/breast-cancer';
import { createBreastCancerModel, registerBreastCancerDataset, waitForDatasetVersion } from '../../fixtures/pipelines/catalog-model';

/**
 * Runs cut off mid-way on the real local platform: a runner whose
 * definitions hold (a Wait added to the shipped ASL) is killed — left
 * without close(), as a killed `npm start` — or shut down. Without settling,
 * the execution record alone was marked and the subject stayed in progress:
 * a deploying deployment kept its endpoint refusing every deploy, rollback
 * and undeploy with 409; a dataset version stayed pending; a trained
 * version stayed evaluating. Now the next start-up's recovery (or the
 * shutdown) fails the subject as its failure path would have.
 */
jest.setTimeout(180_000);

const SHIPPED = join(__dirname, '..', '..', '..', 'state-machines');

type Definition = { StartAt: string; States: Record<string, { Next?: string } & Record<string, unknown>> };
/** The shipped definitions, with a state `name` inserted before `before` (or at the start) in the named pipelines. */
function insertedDefinitions(name: string, state: Record<string, unknown>, before: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'steward-patched-asl-'));
  for (const file of readdirSync(SHIPPED).filter((f) => f.endsWith('.asl.json'))) {
    const definition = JSON.parse(readFileSync(join(SHIPPED, file), 'utf8')) as Definition;
    const next = before[file.replace('.asl.json', '')];
    if (next) {
      definition.States[name] = { ...state, Next: next };
      if (definition.StartAt === next) definition.StartAt = name;
      for (const [other, s] of Object.entries(definition.States)) if (other !== name && s.Next === next) s.Next = name;
    }
    writeFileSync(join(dir, file), JSON.stringify(definition));
  }
  return dir;
}

/** The shipped definitions, with a five-minute Wait `Hold` before `before` (or at the start) in the named pipelines. */
const holdingDefinitions = (holds: Record<string, string>) => insertedDefinitions('Hold', { Type: 'Wait', Seconds: 300 }, holds);

async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

let ctx: Awaited<ReturnType<typeof bootApi>>;
let acme: OnboardedTenant;
let holding: string;
let breaking: string;
const opened: LocalPlatform[] = [];

beforeAll(async () => {
  ctx = await bootApi();
  acme = await onboardTenant(ctx.api, ctx.adminToken, 'Acme Abandoned');
  holding = holdingDefinitions({
    deploy: 'SwitchChampion',
    'profile-dataset': 'ProfileDatasetVersion',
    'train-evaluate': 'EvaluateModel',
    'batch-score': 'WriteOutputs',
  });
  // A path that points to nothing: the run fails with States.Runtime, which no Catch handles.
  breaking = insertedDefinitions('Break', { Type: 'Pass', InputPath: '$.no.such.field' }, { 'profile-dataset': 'ProfileDatasetVersion' });
});

afterAll(async () => {
  for (const local of opened.reverse()) await local.close();
  await ctx?.local.close();
  for (const dir of [holding, breaking]) if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Another process on the same data (store file, bucket): one whose runs hold, or the next start-up. */
async function startProcess(
  definitionsDir?: string,
): Promise<{ local: LocalPlatform; api: ApiClient; tokenOf: (role: 'data-scientist' | 'deployer') => Promise<string> }> {
  const local = await createLocalPlatform(ctx.local.settings, { scheduler: false, ...(definitionsDir ? { definitionsDir } : {}) });
  opened.push(local);
  const api = new ApiClient(createApp(local.platform));
  // Each process signs its own tokens (ephemeral issuer keys): the same users sign in there.
  return { local, api, tokenOf: (role) => signInAs(api, acme.emails[role], USER_PASSWORD) };
}

const table = () => ctx.platform.tenantTable(acme.tenantId);
const heldAt = (executionId: string) =>
  eventually(async () => ((await getExecution(table(), executionId)).execution.currentState === 'Hold' ? true : undefined));
async function auditOf(targetType: string, targetId: string, action: string) {
  const events = [];
  for await (const e of allAuditEvents(table(), { targetType, targetId })) if (e.action === action) events.push(e);
  return events;
}

/** A new dataset and a version of the breast cancer CSV registered on `api` (a process's API): its profile run starts there. */
async function startProfile(api: ApiClient, token: string, name: string): Promise<{ datasetId: string; version: number }> {
  const dataset = await api.call('POST', '/datasets', { token, body: { name: `${name}-${Math.random().toString(36).slice(2, 8)}`, format: 'csv', tags: [] } });
  expect(dataset.status).toBe(201);
  await ctx.platform.tenantObjects(acme.tenantId).put(`incoming/${name}.csv`, BREAST_CANCER_CSV, 'text/csv');
  const version = await api.call('POST', `/datasets/${dataset.body.datasetId}/versions`, {
    token,
    body: { sourceKey: `incoming/${name}.csv`, targetColumn: 'benign' },
  });
  expect(version.status).toBe(202);
  return { datasetId: dataset.body.datasetId as string, version: version.body.version as number };
}

async function approvedVersion(endpointName: string, intercept: number): Promise<{ modelId: string; version: number }> {
  const ds = acme.tokens['data-scientist'];
  const { projectId } = await createProject(ctx.api, ds);
  const model = await ctx.api.call('POST', '/models', {
    token: ds,
    body: { projectId, name: `${endpointName}-${intercept}`.replace('.', '-'), type: 'ml', framework: 'onnx', schema: SCHEMA },
  });
  expect(model.status).toBe(201);
  const { version, finalized } = await uploadVersion(ctx.api, ds, model.body.modelId, 'onnx', onnx(intercept));
  expect(finalized.status).toBe(200);
  for (const to of ['evaluating', 'evaluated', 'pending-approval'])
    await ctx.api.call('POST', `/models/${model.body.modelId}/versions/${version}/status`, { token: ds, body: { to } });
  const decided = await ctx.api.call('POST', `/models/${model.body.modelId}/versions/${version}/decision`, {
    token: acme.tokens.approver,
    body: { decision: 'approve', reason: 'reviewed' },
  });
  expect(decided.status).toBe(200);
  return { modelId: model.body.modelId, version };
}

it('a deploy cut off by a killed process: the next start-up fails the deployment, restores what is live and frees the endpoint for deploy, rollback and undeploy', async () => {
  const endpointName = 'abandoned-deploy';
  const first = await approvedVersion(endpointName, 0.2);
  const second = await approvedVersion(endpointName, -0.1);
  const deploy = (api: ApiClient, v: { modelId: string; version: number }, token = acme.tokens.deployer) =>
    api.call('POST', '/deployments', { token, body: { endpointName, variants: [{ modelId: v.modelId, version: v.version }], capturePercent: 0 } });
  const live = await deploy(ctx.api, first);
  expect(live.status).toBe(202);
  await ctx.local.runner.waitFor(live.body.executionId, 60_000);
  const liveId = live.body.deployment.deploymentId as string;

  // A process whose deploy holds after the smoke test (the endpoint already serves the new config), then dies.
  const dying = await startProcess(holding);
  const cut = await deploy(dying.api, second, await dying.tokenOf('deployer'));
  expect(cut.status).toBe(202);
  const cutId = cut.body.deployment.deploymentId as string;
  await heldAt(cut.body.executionId);
  expect((await deploy(ctx.api, second)).status).toBe(409);

  // The next start-up on the same data.
  await startProcess();
  const { execution } = await getExecution(table(), cut.body.executionId);
  expect(execution).toMatchObject({ status: 'FAILED', error: 'States.Interrupted' });
  const endpoint = (await ctx.api.call('GET', `/endpoints/${endpointName}`, { token: acme.tokens.viewer })).body;
  expect(endpoint.endpoint).toMatchObject({ liveDeploymentId: liveId, status: 'in-service' });
  expect(endpoint.endpoint).not.toHaveProperty('pendingDeploymentId');
  const failed = endpoint.deployments.find((d: { deploymentId: string }) => d.deploymentId === cutId);
  expect(failed).toMatchObject({
    status: 'failed',
    reason: expect.stringMatching(new RegExp(`^States\\.Interrupted: pipeline execution ${cut.body.executionId} was interrupted`)),
  });
  const events = await auditOf('deployment', cutId, 'deployment.failed');
  expect(events).toHaveLength(1);
  expect(events[0]).toMatchObject({
    actor: `pipeline:${cut.body.executionId}`,
    before: { status: 'deploying' },
    after: { status: 'failed', reason: failed.reason, restore: `restored deployment ${liveId}` },
  });
  expect((await listRunning(ctx.platform.platformTable())).map((r) => r.executionId)).not.toContain(cut.body.executionId);

  // The endpoint is usable again: a new deploy goes live, then rollback and undeploy are accepted.
  const again = await deploy(ctx.api, second);
  expect(again.status).toBe(202);
  expect((await ctx.local.runner.waitFor(again.body.executionId, 60_000)).status).toBe('SUCCEEDED');
  const rolledBack = await ctx.api.call('POST', `/endpoints/${endpointName}/rollback`, { token: acme.tokens.deployer, body: { reason: 'back to the first' } });
  expect(rolledBack.status).toBe(200);
  expect(rolledBack.body.live.deploymentId).toBe(liveId);
  expect((await ctx.api.call('DELETE', `/endpoints/${endpointName}`, { token: acme.tokens.deployer })).status).toBe(200);

  // A second recovery (another start-up) changes nothing.
  await startProcess();
  expect(await auditOf('deployment', cutId, 'deployment.failed')).toHaveLength(1);
});

it('a dataset profile cut off by a shutdown: the version is failed with the reason and its audit event', async () => {
  const ds = acme.tokens['data-scientist'];
  const dying = await startProcess(holding);
  const dyingDs = await dying.tokenOf('data-scientist');
  const { datasetId, version } = await startProfile(dying.api, dyingDs, 'abandoned');
  const executionId = await eventually(async () => {
    const { items } = await listExecutions(table(), { pipeline: 'profile-dataset', status: 'RUNNING' });
    return items[0]?.executionId;
  });
  await heldAt(executionId);

  opened.splice(opened.indexOf(dying.local), 1);
  await dying.local.close();
  const settled = await waitForDatasetVersion(ctx.api, ds, datasetId, version, 5_000);
  expect(settled.body).toMatchObject({
    status: 'failed',
    statusReason: expect.stringMatching(/^States\.Aborted: pipeline execution .* was aborted .*the local runner shut down/),
  });
  expect((await getExecution(table(), executionId)).execution.status).toBe('ABORTED');
  expect(await auditOf('dataset', datasetId, 'dataset.version-failed')).toHaveLength(1);
  expect((await listRunning(ctx.platform.platformTable())).map((r) => r.executionId)).not.toContain(executionId);
});

it('a dataset profile that fails with States.Runtime (no Catch handles it): the version is failed at once with the error, not left pending', async () => {
  const broken = await startProcess(breaking);
  const ds = await broken.tokenOf('data-scientist');
  const { datasetId, version } = await startProfile(broken.api, ds, 'runtime');

  const settled = await waitForDatasetVersion(broken.api, ds, datasetId, version, 30_000);
  expect(settled.body).toMatchObject({
    status: 'failed',
    statusReason: expect.stringMatching(
      /^States\.Runtime: pipeline execution .* failed with an error no Catch handles \(States\.Runtime\): .*\$\.no\.such\.field/,
    ),
  });
  const { items } = await listExecutions(table(), { pipeline: 'profile-dataset', status: 'FAILED' });
  const run = items.find((e) => (e.input as { datasetId?: string }).datasetId === datasetId);
  expect(run).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
  const events = await auditOf('dataset', datasetId, 'dataset.version-failed');
  expect(events).toHaveLength(1);
  expect(events[0]).toMatchObject({ actor: `pipeline:${run!.executionId}` });
  expect((await listRunning(ctx.platform.platformTable())).map((r) => r.executionId)).not.toContain(run!.executionId);
});

it('a training run cut off while its version was evaluating: the next start-up fails that version, and only that one', async () => {
  const ds = acme.tokens['data-scientist'];
  const { modelId } = await createBreastCancerModel(ctx.api, ds);
  const dataset = await registerBreastCancerDataset(ctx.api, ds, ctx.platform, acme.tenantId);
  const dying = await startProcess(holding);
  const started = await dying.api.call('POST', '/pipelines/train-evaluate/executions', {
    token: await dying.tokenOf('data-scientist'),
    body: {
      modelId,
      dataset: { datasetId: dataset.datasetId, version: dataset.version },
      target: 'benign',
      policy: { metric: 'auc', minimum: 0.9, autoApprove: false },
    },
  });
  expect(started.status).toBe(202);
  await heldAt(started.body.executionId);
  // Killed inside EvaluateModel: the version had moved to evaluating (as that step does first).
  const moved = await ctx.api.call('POST', `/models/${modelId}/versions/1/status`, { token: ds, body: { to: 'evaluating' } });
  expect(moved.status).toBe(200);

  await startProcess();
  const v1 = (await ctx.api.call('GET', `/models/${modelId}/versions/1`, { token: ds })).body;
  expect(v1).toMatchObject({ status: 'failed', lineage: { executionId: started.body.executionId } });
  const changes = [];
  for await (const e of allAuditEvents(table(), { actor: `pipeline:${started.body.executionId}` })) if (e.action === 'version.status-changed') changes.push(e);
  expect(changes.at(-1)).toMatchObject({ after: expect.objectContaining({ status: 'failed' }) });
  expect(JSON.stringify(changes.at(-1))).toMatch(/States\.Interrupted/);
});

it("a segment run cut off mid-segment (AWS: TIMED_OUT): the version that segment's step left training is failed, other runs' versions are not", async () => {
  const ds = acme.tokens['data-scientist'];
  const { projectId } = await createProject(ctx.api, ds);
  const family = `fam${Math.random().toString(36).slice(2, 6)}`;
  const runId = '01jdsegrun0000000000000000';
  const startedBy = `user:${acme.userIds['data-scientist']}`;
  const models: string[] = [];
  for (const value of ['north', 'south']) {
    const model = await ctx.api.call('POST', '/models', {
      token: ds,
      body: { projectId, name: `${family}.${value}`, type: 'ml', framework: 'steward-built-in', schema: SCHEMA },
    });
    expect(model.status).toBe(201);
    models.push(model.body.modelId);
  }
  // What TrainSegment's registration leaves while the segment trains: a `training` version whose lineage names the run.
  const register = async (modelId: string, executionId: string) => {
    const scope = await pipelineScope(ctx.platform, { tenantId: acme.tenantId, actor: startedBy, executionId });
    return registerVersion(scope, modelId, {
      source: 'trained',
      artifact: { format: 'onnx', sha256: 'a'.repeat(64), size: 100 },
      lineage: { executionId, datasets: [], hyperparameters: {} },
    });
  };
  expect((await register(models[0], runId)).status).toBe('training');
  await register(models[1], '01jdotherrun00000000000000');

  const run = {
    tenantId: acme.tenantId,
    pipeline: 'train-segments',
    executionId: runId,
    actor: startedBy,
    input: { projectId, family, dataset: { datasetId: '01jddataset000000000000000', version: 1 }, segmentColumn: 'region', target: 'churned' },
    cause: 'timed out' as const,
  };
  await expect(settleAbandonedRun(ctx.platform, run)).resolves.toMatchObject({ settled: true, note: `failed ${family}.north v1` });
  const north = (await ctx.api.call('GET', `/models/${models[0]}/versions/1`, { token: ds })).body;
  expect(north).toMatchObject({ status: 'failed' });
  expect(JSON.stringify(north)).toMatch(/States\.Timeout/);
  expect((await ctx.api.call('GET', `/models/${models[1]}/versions/1`, { token: ds })).body.status).toBe('training');
  // Delivered again: nothing left to fail.
  await expect(settleAbandonedRun(ctx.platform, run)).resolves.toMatchObject({ settled: false });
});

it('a batch job cut off by a killed process after scoring: the next start-up fails the job with the reason and its audit event', async () => {
  const model = await approvedVersion('abandoned-batch', 0.3);
  await ctx.platform.tenantObjects(acme.tenantId).put('incoming/abandoned-batch/a.csv', 'x0,x1,x2,x3\n1,2,3,4\n0.5,0.1,-1,2\n', 'text/csv');
  const dying = await startProcess(holding);
  const created = await dying.api.call('POST', '/batch-jobs', {
    token: await dying.tokenOf('data-scientist'),
    body: { model, input: { kind: 'prefix', prefix: 'incoming/abandoned-batch/' }, outputPrefix: 'scores/' },
  });
  expect(created.status).toBe(202);
  const jobId = created.body.jobId as string;
  const executionId = await eventually(
    async () => (await ctx.api.call('GET', `/batch-jobs/${jobId}`, { token: acme.tokens.viewer })).body.executionId as string | undefined,
  );
  await heldAt(executionId);
  expect((await ctx.api.call('GET', `/batch-jobs/${jobId}`, { token: acme.tokens.viewer })).body.status).toBe('running');

  await startProcess();
  const job = (await ctx.api.call('GET', `/batch-jobs/${jobId}`, { token: acme.tokens.viewer })).body;
  expect(job).toMatchObject({ status: 'failed', error: expect.stringMatching(/^States\.Interrupted: pipeline execution .* was interrupted/) });
  expect(await auditOf('batch-job', jobId, 'batch-job.failed')).toHaveLength(1);
});
