import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  CreateEndpointConfigCommand,
  CreateModelCommand,
  DeleteEndpointCommand,
  DescribeEndpointCommand,
  SageMakerClient,
  UpdateEndpointCommand,
} from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { SageMakerEndpointControl } from '../../../core/adapters/sagemaker/sagemaker-endpoint-control';
import { SqliteStore } from '../../../core/adapters/sqlite/sqlite-store';
import { allAuditEvents } from '../../../core/audit/audit-trail';
import { buildEndpointConfig } from '../../../core/deployments/endpoint-config';
import {
  type Deployment,
  deploymentWrite,
  type EndpointRecord,
  endpointWrite,
  loadDeployment,
  loadEndpoint,
} from '../../../core/deployments/deployment-records';
import { type AbandonedRunPlatform, settleAbandonedRun } from '../../../core/pipelines/abandoned-runs';
import { getExecution } from '../../../core/pipelines/execution-log';
import type { FileInspector } from '../../../core/ports/file-inspector';
import type { TenantObjectStore } from '../../../core/ports/object-store';
import { TenantRegistry } from '../../../core/tenancy/tenant-registry';
import { recordStatusChange, type RecorderPlatform } from '../../../functions/execution-recorder/handler';

/**
 * The AWS half of settling abandoned runs: a deploy execution that ends
 * TIMED_OUT or ABORTED never reaches its Rollback → RecordFailure branch, so
 * the recorder Lambda settles it from the status-change event: the endpoint
 * back on the live deployment's config (or removed when this deployment
 * created it), the deployment failed with its audit event, the endpoint free
 * for the next deploy. Real store (embedded SQLite), real event shape; only
 * SageMaker's control plane is mocked, with the exact commands asserted.
 */
const TENANT = 'tabcdefghjkmnpqr';
const DEPLOY = 'arn:aws:states:eu-west-1:123456789012:stateMachine:steward-deploy';
const MACHINES = { deploy: DEPLOY };
const FIXTURE = fs.readFileSync(path.join(__dirname, '../../fixtures/step-functions/execution-status-change.json'), 'utf8');
const LIVE = '01jdlive00000000000000000a';
const NEW = '01jdnew000000000000000000b';
const ENDPOINT = 'churn';
const SERVED = `${TENANT}-${ENDPOINT}`;
const EXECUTION = '01jdexec00000000000000000c';
const IMAGE = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/steward-serving:1';
const ROLE = 'arn:aws:iam::123456789012:role/steward-sagemaker';
const AT = '2026-12-06T03:00:00.000Z';

function deployEvent(status: string, executionName = EXECUTION, input: Record<string, unknown> = { deploymentId: NEW, endpointName: ENDPOINT }): unknown {
  const event = JSON.parse(
    FIXTURE.replaceAll('EXECUTION_NAME', executionName).replaceAll('TENANT_ID', TENANT).replaceAll('steward-train-evaluate', 'steward-deploy'),
  );
  return {
    ...event,
    detail: {
      ...event.detail,
      status,
      output: null,
      input: JSON.stringify({ ...input, context: { tenantId: TENANT, actor: 'user:u1', executionId: executionName } }),
    },
  };
}

function deployment(deploymentId: string, status: Deployment['status'], version: number): Deployment {
  const config = buildEndpointConfig({
    tenantId: TENANT,
    deploymentId,
    step: 0,
    production: [
      {
        variant: { variantName: `v${version}`, role: 'production', modelId: 'churn-model', version, weight: 1 },
        runtime: 'onnx',
        artifactUri: `s3://bucket/tenants/${TENANT}/models/m/v${version}.onnx`,
      },
    ],
    shadows: [],
  });
  return {
    deploymentId,
    endpointName: ENDPOINT,
    servedName: SERVED,
    status,
    variants: [{ variantName: `v${version}`, role: 'production', modelId: 'churn-model', version, weight: 1 }],
    capturePercent: 0,
    config,
    createdAt: AT,
    createdBy: 'user:u1',
    updatedAt: AT,
    revision: 1,
  };
}

describe('abandoned deploy runs on AWS (recorder: TIMED_OUT / ABORTED → settle the deployment)', () => {
  const sagemaker = mockClient(SageMakerClient);
  let store: SqliteStore;
  let recorder: RecorderPlatform;
  let settler: AbandonedRunPlatform;
  const log = { debug: jest.fn(), info: jest.fn(), warn: jest.fn(), error: jest.fn() };
  const now = () => new Date('2026-12-06T03:10:00.000Z');
  const deliver = (event: unknown) => recordStatusChange(recorder, MACHINES, event, (run) => settleAbandonedRun(settler, run));
  const table = () => store.tenant(TENANT);
  const failedEvents = async () => {
    const events = [];
    for await (const e of allAuditEvents(table(), { targetType: 'deployment', targetId: NEW })) if (e.action === 'deployment.failed') events.push(e);
    return events;
  };

  beforeEach(async () => {
    sagemaker.reset();
    store = new SqliteStore({ path: ':memory:', ttlSweepMs: 0 });
    recorder = { log, tenantTable: (t) => store.tenant(t), platformTable: () => store.platform() };
    settler = {
      ...recorder,
      now,
      // Deploy touches no tenant object and inspects nothing.
      tenantObjects: () => ({}) as TenantObjectStore,
      inspector: {} as FileInspector,
      serving: { control: new SageMakerEndpointControl(new SageMakerClient({ region: 'eu-west-1' }), { image: IMAGE, executionRoleArn: ROLE }) },
    };
    await store.platform().transact([
      {
        kind: 'put',
        key: TenantRegistry.key(TENANT),
        item: { tenantId: TENANT, name: 'Acme', adminEmail: 'a@acme.example', plan: 'standard', status: 'active', createdAt: AT, updatedAt: AT, revision: 1 },
        expect: 'new',
      },
    ]);
  });
  afterEach(() => store.close());
  afterAll(() => sagemaker.restore());

  async function seed(live: boolean): Promise<void> {
    const endpoint: EndpointRecord = live
      ? {
          endpointName: ENDPOINT,
          servedName: SERVED,
          status: 'in-service',
          liveDeploymentId: LIVE,
          pendingDeploymentId: NEW,
          history: [],
          createdAt: AT,
          updatedAt: AT,
          revision: 2,
        }
      : { endpointName: ENDPOINT, servedName: SERVED, status: 'creating', pendingDeploymentId: NEW, history: [], createdAt: AT, updatedAt: AT, revision: 1 };
    await table().transact([
      ...(live ? [deploymentWrite(deployment(LIVE, 'live', 1), 'new')] : []),
      deploymentWrite({ ...deployment(NEW, 'deploying', 2), ...(live ? { previousDeploymentId: LIVE } : {}) }, 'new'),
      endpointWrite(endpoint, 'new'),
    ]);
  }

  it('a TIMED_OUT deploy puts the endpoint back on the live config, fails the deployment with an audit event and frees the endpoint; a redelivery changes nothing', async () => {
    await seed(true);
    // Timed out after the update went through: SageMaker serves the new deployment's config.
    sagemaker.on(DescribeEndpointCommand).resolves({ EndpointName: SERVED, EndpointStatus: 'InService', EndpointConfigName: `${TENANT}-${NEW}` });
    sagemaker.on(CreateModelCommand).rejects(Object.assign(new Error('Cannot create already existing model'), { name: 'ValidationException' }));
    sagemaker
      .on(CreateEndpointConfigCommand)
      .rejects(Object.assign(new Error('Cannot create already existing endpoint configuration'), { name: 'ValidationException' }));
    sagemaker.on(UpdateEndpointCommand).resolves({ EndpointArn: `arn:aws:sagemaker:eu-west-1:123456789012:endpoint/${SERVED}` });

    await expect(deliver(deployEvent('TIMED_OUT'))).resolves.toBe('created-and-stopped');

    // Exactly the rollback branch's requests, for the live deployment.
    expect(sagemaker.calls().map((c) => c.args[0].constructor.name)).toEqual([
      'DescribeEndpointCommand',
      'CreateModelCommand',
      'CreateEndpointConfigCommand',
      'DescribeEndpointCommand',
      'UpdateEndpointCommand',
    ]);
    expect(sagemaker).toHaveReceivedCommandWith(CreateModelCommand, {
      ModelName: `${TENANT}-${LIVE}-m0`,
      ExecutionRoleArn: ROLE,
      PrimaryContainer: { Image: IMAGE, ModelDataUrl: `s3://bucket/tenants/${TENANT}/models/m/v1.onnx`, Environment: { STEWARD_RUNTIME: 'onnx' } },
      Tags: [
        { Key: 'TenantId', Value: TENANT },
        { Key: 'DeploymentId', Value: LIVE },
      ],
    });
    expect(sagemaker).toHaveReceivedCommandWith(CreateEndpointConfigCommand, { EndpointConfigName: `${TENANT}-${LIVE}` });
    expect(sagemaker.commandCalls(UpdateEndpointCommand).map((c) => c.args[0].input)).toEqual([
      { EndpointName: SERVED, EndpointConfigName: `${TENANT}-${LIVE}` },
    ]);
    expect(sagemaker).not.toHaveReceivedCommand(DeleteEndpointCommand);

    const failed = await loadDeployment(table(), ENDPOINT, NEW);
    expect(failed).toMatchObject({ status: 'failed', endedAt: expect.any(String) });
    expect(failed.reason).toMatch(/^States\.Timeout: pipeline execution 01jdexec00000000000000000c timed out/);
    const endpoint = await loadEndpoint(table(), ENDPOINT);
    expect(endpoint).toMatchObject({ liveDeploymentId: LIVE, status: 'in-service' });
    expect(endpoint).not.toHaveProperty('pendingDeploymentId');
    expect((await loadDeployment(table(), ENDPOINT, LIVE)).status).toBe('live');
    const events = await failedEvents();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      actor: `pipeline:${EXECUTION}`,
      before: { status: 'deploying' },
      after: { status: 'failed', reason: failed.reason, restore: `restored deployment ${LIVE}` },
    });
    expect((await getExecution(table(), EXECUTION)).execution).toMatchObject({ status: 'FAILED', error: 'States.Timeout' });

    // EventBridge delivers again: the record and the deployment are settled, nothing is sent or written.
    sagemaker.resetHistory();
    await expect(deliver(deployEvent('TIMED_OUT'))).resolves.toBe('unchanged');
    expect(sagemaker.calls()).toHaveLength(0);
    expect(await failedEvents()).toHaveLength(1);
    expect((await loadDeployment(table(), ENDPOINT, NEW)).revision).toBe(failed.revision);
  });

  it('an ABORTED first deploy removes the endpoint it created; a SUCCEEDED or FAILED execution (its own paths ran) settles nothing', async () => {
    await seed(false);
    sagemaker.on(DescribeEndpointCommand).resolves({ EndpointName: SERVED, EndpointStatus: 'InService', EndpointConfigName: `${TENANT}-${NEW}` });
    sagemaker.on(DeleteEndpointCommand).resolves({});

    await expect(deliver(deployEvent('FAILED', '01jdexecfailed0000000000000'))).resolves.toBe('created-and-stopped');
    await expect(deliver(deployEvent('SUCCEEDED', '01jdexecok00000000000000000'))).resolves.toBe('created-and-stopped');
    expect(sagemaker.calls()).toHaveLength(0);
    expect((await loadDeployment(table(), ENDPOINT, NEW)).status).toBe('deploying');

    await expect(deliver(deployEvent('ABORTED'))).resolves.toBe('created-and-stopped');
    expect(sagemaker.calls().map((c) => [c.args[0].constructor.name, c.args[0].input])).toEqual([
      ['DescribeEndpointCommand', { EndpointName: SERVED }],
      ['DeleteEndpointCommand', { EndpointName: SERVED }],
    ]);
    const failed = await loadDeployment(table(), ENDPOINT, NEW);
    expect(failed.reason).toMatch(/^States\.Aborted: pipeline execution 01jdexec00000000000000000c was aborted/);
    const endpoint = await loadEndpoint(table(), ENDPOINT);
    expect(endpoint).toMatchObject({ status: 'deleted' });
    expect(endpoint).not.toHaveProperty('pendingDeploymentId');
    expect((await failedEvents())[0]).toMatchObject({ after: { status: 'failed', restore: 'removed the endpoint it had created' } });
  });

  it('a deploy FAILED with States.Runtime (no Catch handles it, States.ALL included) is settled like an aborted one, naming the error', async () => {
    await seed(false);
    sagemaker.on(DescribeEndpointCommand).resolves({ EndpointName: SERVED, EndpointStatus: 'InService', EndpointConfigName: `${TENANT}-${NEW}` });
    sagemaker.on(DeleteEndpointCommand).resolves({});
    const event = deployEvent('FAILED') as { detail: Record<string, unknown> };
    const broken = {
      ...event,
      detail: {
        ...event.detail,
        error: 'States.Runtime',
        cause:
          "An error occurred while executing the state 'SmokeTest'. The JSONPath '$.smoke.rows' specified for the field 'InputPath' could not be found in the input",
      },
    };

    await expect(deliver(broken)).resolves.toBe('created-and-stopped');
    expect(sagemaker.calls().map((c) => [c.args[0].constructor.name, c.args[0].input])).toEqual([
      ['DescribeEndpointCommand', { EndpointName: SERVED }],
      ['DeleteEndpointCommand', { EndpointName: SERVED }],
    ]);
    const failed = await loadDeployment(table(), ENDPOINT, NEW);
    expect(failed.reason).toMatch(
      /^States\.Runtime: pipeline execution 01jdexec00000000000000000c failed with an error no Catch handles \(States\.Runtime\): An error occurred while executing the state 'SmokeTest'/,
    );
    expect(await loadEndpoint(table(), ENDPOINT)).not.toHaveProperty('pendingDeploymentId');
    expect(await failedEvents()).toHaveLength(1);
    expect((await getExecution(table(), EXECUTION)).execution).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
  });

  it('waits for an endpoint SageMaker is still updating: the delivery fails (EventBridge retries) with nothing changed, and the next one restores', async () => {
    await seed(true);
    sagemaker
      .on(DescribeEndpointCommand)
      .resolvesOnce({ EndpointName: SERVED, EndpointStatus: 'Updating', EndpointConfigName: `${TENANT}-${NEW}` })
      .resolves({ EndpointName: SERVED, EndpointStatus: 'InService', EndpointConfigName: `${TENANT}-${NEW}` });
    sagemaker.on(UpdateEndpointCommand).resolves({});

    await expect(deliver(deployEvent('TIMED_OUT'))).rejects.toMatchObject({ name: 'DependencyFailed', message: expect.stringContaining('is Updating') });
    expect(sagemaker.calls().map((c) => c.args[0].constructor.name)).toEqual(['DescribeEndpointCommand']);
    expect((await loadDeployment(table(), ENDPOINT, NEW)).status).toBe('deploying');
    expect(await failedEvents()).toHaveLength(0);

    // The redelivery: the execution record is already stopped, the deployment is settled now.
    await expect(deliver(deployEvent('TIMED_OUT'))).resolves.toBe('unchanged');
    expect(sagemaker.commandCalls(UpdateEndpointCommand).map((c) => c.args[0].input)).toEqual([
      { EndpointName: SERVED, EndpointConfigName: `${TENANT}-${LIVE}` },
    ]);
    expect((await loadDeployment(table(), ENDPOINT, NEW)).status).toBe('failed');
    expect(await loadEndpoint(table(), ENDPOINT)).not.toHaveProperty('pendingDeploymentId');
  });

  it('leaves a deployment a later run already settled alone, and retries when the store fails (the Lambda throws, EventBridge redelivers)', async () => {
    await seed(true);
    // The endpoint moved on: another deployment is pending (this one is still recorded deploying, e.g. a race).
    const endpoint = (await loadEndpoint(table(), ENDPOINT))!;
    await table().transact([
      endpointWrite({ ...endpoint, pendingDeploymentId: '01jdlater0000000000000000d', revision: endpoint.revision + 1 }, { revision: endpoint.revision }),
    ]);
    await deliver(deployEvent('TIMED_OUT'));
    // The deployment is failed, but the endpoint and its control plane belong to the later deployment.
    expect(sagemaker.calls()).toHaveLength(0);
    expect((await loadDeployment(table(), ENDPOINT, NEW)).status).toBe('failed');
    expect(await loadEndpoint(table(), ENDPOINT)).toMatchObject({ pendingDeploymentId: '01jdlater0000000000000000d', liveDeploymentId: LIVE });

    const throttled = new Proxy(store.platform(), {
      get: (target, prop) => (prop === 'get' ? () => Promise.reject(new Error('throttled')) : Reflect.get(target, prop)),
    });
    const broken: AbandonedRunPlatform = { ...settler, platformTable: () => throttled };
    await expect(
      recordStatusChange(recorder, MACHINES, deployEvent('TIMED_OUT', '01jdexecother0000000000000'), (run) => settleAbandonedRun(broken, run)),
    ).rejects.toThrow('throttled');
  });
});
