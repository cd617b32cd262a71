import * as fs from 'node:fs';
import * as path from 'node:path';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { createApp } from '../../../api/app';
import { StepFunctionsRunner } from '../../../core/adapters/sfn/step-functions-runner';
import type { Platform } from '../../../core/platform/platform';
import { recordStatusChange } from '../../../functions/execution-recorder/handler';
import { ApiClient, bootApi, onboardTenant, type OnboardedTenant } from '../../support/api-client';
import { createBreastCancerModel } from '../../fixtures/pipelines/catalog-model';

/**
 * The API as it runs on AWS (pipelines on Step Functions), over the same
 * store and stand-ins as the local tests: the Location a started run returns
 * answers at once (the runner recorded the start) and, after Step Functions'
 * status-change event reaches the recorder, shows the end. Run names are the
 * tenant's: Step Functions only ever sees the platform's execution id. Only
 * the Step Functions control plane is mocked (no emulator).
 */
const MACHINE = 'arn:aws:states:eu-west-1:123456789012:stateMachine:steward-train-evaluate';
const MACHINES = { 'train-evaluate': MACHINE };
const FIXTURE = fs.readFileSync(path.join(__dirname, '../../fixtures/step-functions/execution-status-change.json'), 'utf8');

describe('executions on the AWS path: recorded at start, ended by Step Functions events', () => {
  const sfn = mockClient(SFNClient);
  let ctx: Awaited<ReturnType<typeof bootApi>>;
  let aws: ApiClient;
  let acme: OnboardedTenant;
  let other: OnboardedTenant;

  beforeAll(async () => {
    ctx = await bootApi();
    sfn
      .on(StartExecutionCommand)
      .callsFake((input: { name: string }) => ({ executionArn: `${MACHINE.replace(':stateMachine:', ':execution:')}:${input.name}`, startDate: new Date() }));
    const platform: Platform = { ...ctx.platform, pipelines: new StepFunctionsRunner(new SFNClient({ region: 'eu-west-1' }), MACHINES, () => ctx.platform) };
    aws = new ApiClient(createApp(platform));
    acme = await onboardTenant(ctx.api, ctx.adminToken, 'Acme AWS', { roles: ['data-scientist', 'viewer'] });
    other = await onboardTenant(ctx.api, ctx.adminToken, 'Other AWS', { roles: ['data-scientist'] });
  }, 120_000);
  afterAll(async () => {
    sfn.restore();
    await ctx?.local.close();
  });

  const start = (tenant: OnboardedTenant, modelId: string, name: string) =>
    aws.call('POST', `/pipelines/train-evaluate/executions?name=${name}`, {
      token: tenant.tokens['data-scientist'],
      body: { modelId, dataset: { key: 'datasets/x.csv' }, target: 'benign' },
    });

  it('answers GET on the returned Location from the start, and shows the end the recorder wrote', async () => {
    const { modelId } = await createBreastCancerModel(ctx.api, acme.tokens['data-scientist']);
    const started = await start(acme, modelId, 'nightly');
    expect(started.status).toBe(202);
    const { executionId, location } = started.body;
    expect(executionId).toMatch(/^[0-9a-z]{26}$/);
    const sent = sfn.commandCalls(StartExecutionCommand).at(-1)!.args[0].input;
    expect(sent).toMatchObject({ stateMachineArn: MACHINE, name: executionId });
    expect(JSON.parse(sent.input!).context).toEqual({ tenantId: acme.tenantId, actor: `user:${acme.userIds['data-scientist']}`, executionId });

    const running = await aws.call('GET', location, { token: acme.tokens.viewer });
    expect(running.status).toBe(200);
    expect(running.body).toMatchObject({ executionId, pipeline: 'train-evaluate', name: 'nightly', status: 'RUNNING' });

    const event = JSON.parse(FIXTURE.replaceAll('EXECUTION_NAME', executionId).replaceAll('TENANT_ID', acme.tenantId));
    await expect(recordStatusChange(ctx.platform, MACHINES, event)).resolves.toBe('stopped');
    const done = await aws.call('GET', location, { token: acme.tokens.viewer });
    expect(done.body).toMatchObject({ executionId, name: 'nightly', status: 'SUCCEEDED', output: { decision: { outcome: 'approved' } } });
    expect(done.body.transitions.map((t: { type: string }) => t.type)).toEqual(['ExecutionStarted', 'ExecutionSucceeded']);
    expect((await aws.call('GET', location, { token: other.tokens['data-scientist'] })).status).toBe(404);
  });

  it('lets another tenant use a run name this one took, and gives the same tenant a 409', async () => {
    const mine = await createBreastCancerModel(ctx.api, acme.tokens['data-scientist']);
    const theirs = await createBreastCancerModel(ctx.api, other.tokens['data-scientist']);
    const first = await start(acme, mine.modelId, 'release-7');
    const second = await start(other, theirs.modelId, 'release-7');
    expect([first.status, second.status]).toEqual([202, 202]);
    expect(second.body.executionId).not.toBe(first.body.executionId);
    const calls = sfn.commandCalls(StartExecutionCommand).length;
    const again = await start(acme, mine.modelId, 'release-7');
    expect(again.status).toBe(409);
    expect(again.body.detail).toContain(first.body.executionId);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(calls);
  });
});
