import * as fs from 'node:fs';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { InvalidAslDefinition } from '../../infra/aws/asl-definition';
import { withDistributedMaps } from '../../infra/aws/distributed-map';
import { PROJECT_PATHS } from '../../infra/aws/project-paths';
import { removeTestOutdirs, stewardTestApp } from './support/steward-test-app';

afterAll(removeTestOutdirs);

type Statement = { Sid?: string; Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown };

describe('batch-score on AWS: a Distributed Map, started by EventBridge Scheduler', () => {
  let template: Template;
  let resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;

  beforeAll(() => {
    const { stack } = stewardTestApp();
    template = Template.fromStack(stack);
    resources = template.toJSON().Resources;
  });

  const batchScore = () => Object.entries(resources).find(([, r]) => r.Type === 'AWS::StepFunctions::StateMachine' && r.Properties.StateMachineName === 'steward-batch-score')!;
  const statementsOf = (rolePrefix: string): Statement[] =>
    Object.entries(resources)
      .filter(([id, r]) => r.Type === 'AWS::IAM::Policy' && id.startsWith(rolePrefix))
      .flatMap(([, r]) => (r.Properties.PolicyDocument as { Statement: Statement[] }).Statement);

  it('deploys ScorePartitions in DISTRIBUTED mode and the rest of the file unchanged', () => {
    const [, machine] = batchScore();
    const deployed = JSON.parse(machine.Properties.DefinitionString as string);
    const file = JSON.parse(fs.readFileSync(`${PROJECT_PATHS.stateMachines}/batch-score.asl.json`, 'utf8'));
    const map = deployed.States.ScorePartitions;
    expect(map).toMatchObject({
      Type: 'Map',
      Label: 'ScorePartitions',
      MaxConcurrency: 100,
      ToleratedFailurePercentage: 0,
      ItemsPath: '$.plan.partitions',
      ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' }, StartAt: 'ScorePartition' },
    });
    // The children get the parent's execution id through ItemSelector, not their own.
    expect(map.ItemSelector.context['executionId.$']).toBe('$$.Execution.Id');
    const { ScorePartitions: _deployedMap, ...deployedRest } = deployed.States;
    const { ScorePartitions: fileMap, ...fileRest } = file.States;
    expect(deployedRest).toEqual(fileRest);
    expect(fileMap.ItemProcessor.ProcessorConfig).toBeUndefined();
    expect(machine.Properties.DefinitionSubstitutions).toHaveProperty('ScoreBatchPartitionFunctionArn');
    expect(machine.Properties.DefinitionSubstitutions).toHaveProperty('OpenScheduledBatchJobFunctionArn');
  });

  it('lets the batch-score role start its own child executions and follow them, nothing wider', () => {
    const [id] = batchScore();
    const statements = statementsOf(id.replace(/[0-9A-F]{8}$/, 'Role'));
    const start = statements.find((s) => s.Sid === 'DistributedMapStart')!;
    const follow = statements.find((s) => s.Sid === 'DistributedMapFollow')!;
    expect(start.Action).toBe('states:StartExecution');
    expect(JSON.stringify(start.Resource)).toMatch(/:stateMachine:steward-batch-score"\]\]\}$/);
    expect(follow.Action).toEqual(['states:DescribeExecution', 'states:StopExecution']);
    expect(JSON.stringify(follow.Resource)).toContain(':execution:steward-batch-score/*');
  });

  it('has one schedule group and a role only EventBridge Scheduler of this account assumes, allowed to start batch-score only', () => {
    template.resourceCountIs('AWS::Scheduler::ScheduleGroup', 1);
    template.hasResourceProperties('AWS::Scheduler::ScheduleGroup', { Name: 'steward-batch' });
    // Schedules are made at run time, one per tenant schedule; none is in the template.
    template.resourceCountIs('AWS::Scheduler::Schedule', 0);
    const [roleId, role] = Object.entries(resources).find(([id, r]) => r.Type === 'AWS::IAM::Role' && id.startsWith('BatchSchedulingTargetRole'))!;
    expect(role.Properties.AssumeRolePolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'scheduler.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } } }],
    });
    const statements = statementsOf(roleId.replace(/[0-9A-F]{8}$/, ''));
    expect(statements).toHaveLength(1);
    expect(statements[0].Action).toBe('states:StartExecution');
    expect(statements[0].Resource).toEqual({ Ref: batchScore()[0] });
  });

  it('tells the API where to create schedules, and lets it manage them in the group and pass the role to the scheduler only', () => {
    const api = Object.values(resources).find((r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Description === 'steward: REST API (hono)')!;
    const env = (api.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(env.STEWARD_SCHEDULE_GROUP).toEqual(expect.anything());
    expect(JSON.stringify(env.STEWARD_SCHEDULER_ROLE_ARN)).toContain('BatchSchedulingTargetRole');
    const statements = statementsOf('ApiFunctionServiceRole');
    const actions = statements.flatMap((s) => [s.Action].flat());
    expect(actions).toEqual(expect.arrayContaining(['scheduler:CreateSchedule', 'scheduler:UpdateSchedule', 'scheduler:DeleteSchedule', 'scheduler:GetSchedule']));
    // The API also passes the SageMaker execution role (deploys); this is the scheduler's, wherever the policy lists it.
    const pass = statements.find((s) => s.Action === 'iam:PassRole' && JSON.stringify(s.Resource).includes('BatchSchedulingTargetRole'))!;
    expect(pass.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } });
    expect(JSON.stringify(pass.Resource)).toContain('BatchSchedulingTargetRole');
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: Match.arrayWith(['scheduler:CreateSchedule']), Resource: Match.anyValue() })]) },
    });
  });

  it('refuses to distribute a state that is not an inline Map', () => {
    const text = JSON.stringify({ StartAt: 'A', States: { A: { Type: 'Pass', End: true } } });
    expect(() => withDistributedMaps(text, ['A'])).toThrow(InvalidAslDefinition);
    expect(() => withDistributedMaps(text, ['Missing'])).toThrow(/'Missing' is not a Map state/);
  });
});
