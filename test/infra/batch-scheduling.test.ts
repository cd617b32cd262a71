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

  const batchScore = () =>
    Object.entries(resources).find(([, r]) => r.Type === 'AWS::StepFunctions::StateMachine' && r.Properties.StateMachineName === 'steward-batch-score')!;
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
      ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' }, StartAt: 'TransformPartition' },
    });
    // The children get the parent's execution id through ItemSelector, not their own.
    expect(map.ItemSelector.context['executionId.$']).toBe('$$.Execution.Id');
    const { ScorePartitions: _deployedMap, ...deployedRest } = deployed.States;
    const { ScorePartitions: fileMap, ...fileRest } = file.States;
    expect(deployedRest).toEqual(fileRest);
    expect(fileMap.ItemProcessor.ProcessorConfig).toBeUndefined();
    expect(machine.Properties.DefinitionSubstitutions).toHaveProperty('CollectBatchTransformFunctionArn');
    expect(machine.Properties.DefinitionSubstitutions).toHaveProperty('PlanBatchTransformFunctionArn');
    expect(machine.Properties.DefinitionSubstitutions).not.toHaveProperty('ScoreBatchPartitionFunctionArn');
    expect(machine.Properties.DefinitionSubstitutions).toHaveProperty('OpenScheduledBatchJobFunctionArn');
  });

  it('scores each partition with a SageMaker batch transform (createTransformJob.sync) inside the Distributed Map, then collects its answer', () => {
    const [, machine] = batchScore();
    const deployed = JSON.parse(machine.Properties.DefinitionString as string);
    const processor = deployed.States.ScorePartitions.ItemProcessor;
    expect(processor.ProcessorConfig).toEqual({ Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' });
    expect(processor.States.TransformPartition).toMatchObject({
      Type: 'Task',
      Resource: 'arn:aws:states:::sagemaker:createTransformJob.sync',
      Parameters: {
        'TransformJobName.$': "States.Format('{}-p{}', $.transform.namePrefix, $.partition.index)",
        'ModelName.$': '$.transform.template.ModelName',
        'MaxPayloadInMB.$': '$.transform.template.MaxPayloadInMB',
        TransformInput: { ContentType: 'text/csv', SplitType: 'None', DataSource: { S3DataSource: { S3DataType: 'S3Prefix' } } },
        TransformOutput: { Accept: 'application/vnd.steward.batch+json' },
        'Tags.$': '$.transform.template.Tags',
      },
      Next: 'CollectPartition',
    });
    expect(processor.States.CollectPartition).toMatchObject({ Resource: '${CollectBatchTransformFunctionArn}', End: true });
    // The model is created (tenant-tagged) before the Map, unless it exists: a live deployment's.
    expect(deployed.States.PlanTransform).toMatchObject({ Resource: '${PlanBatchTransformFunctionArn}', Next: 'CreateTransformModel' });
    expect(deployed.States.CreateTransformModel).toMatchObject({
      Resource: 'arn:aws:states:::sagemaker:createModel',
      Parameters: { 'Tags.$': '$.transform.model.Tags' },
      Next: 'ScorePartitions',
    });
    expect(deployed.States.ModelExists.Choices).toEqual([{ Variable: '$.caught.Cause', StringMatches: '*already existing model*', Next: 'ScorePartitions' }]);
  });

  it('gives the batch-score role the transform job actions on tenant-prefixed names, the .sync completion rule, and PassRole of the serving role to SageMaker only', () => {
    const [id] = batchScore();
    const statements = statementsOf(id.replace(/[0-9A-F]{8}$/, 'Role'));
    const actions = (list: Statement[]) => list.flatMap((s) => [s.Action].flat());
    const sagemaker = statements.filter((s) => actions([s]).some((a) => a.startsWith('sagemaker:')));
    expect([...new Set(actions(sagemaker))].sort()).toEqual(
      [
        'sagemaker:AddTags',
        'sagemaker:CreateModel',
        'sagemaker:CreateTransformJob',
        'sagemaker:DescribeTransformJob',
        'sagemaker:ListTags',
        'sagemaker:StopTransformJob',
      ].sort(),
    );
    for (const s of sagemaker) {
      for (const r of [s.Resource].flat()) expect(JSON.stringify(r)).toMatch(/:(model|transform-job)\/t\*"/);
    }
    const transformJobActions = (s: Statement) => actions([s]).filter((a) => a !== 'sagemaker:CreateModel');
    expect(sagemaker.flatMap(transformJobActions).sort()).toEqual(
      ['sagemaker:AddTags', 'sagemaker:CreateTransformJob', 'sagemaker:DescribeTransformJob', 'sagemaker:ListTags', 'sagemaker:StopTransformJob'].sort(),
    );
    expect(sagemaker.every((s) => JSON.stringify(s.Resource).includes(':transform-job/t*'))).toBe(true);
    const create = sagemaker.find((s) => actions([s]).includes('sagemaker:CreateTransformJob'))!;
    expect(create.Condition).toEqual({ Null: { 'aws:RequestTag/TenantId': 'false' } });
    const events = statements.find((s) => s.Sid === 'BatchTransformCompletionEvents')!;
    expect(events.Action).toEqual(['events:DescribeRule', 'events:PutRule', 'events:PutTargets']);
    expect(JSON.stringify(events.Resource)).toContain(':rule/StepFunctionsGetEventsForSageMakerTransformJobsRule"');
    const passes = statements.filter((s) => actions([s]).includes('iam:PassRole'));
    expect(passes).toEqual([
      expect.objectContaining({
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^ModelServingExecutionRole/), 'Arn'] },
        Condition: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
      }),
    ]);
    // Nothing else SageMaker- or EventBridge-wide: no '*' resources on these actions.
    for (const s of [...sagemaker, events, ...passes]) expect(JSON.stringify(s.Resource)).not.toMatch(/"\*"/);
  });

  it('lets SageMaker write transform answers below tenants/*/transforms/ only', () => {
    const statements = statementsOf('ModelServingExecutionRole');
    const puts = statements.filter((s) => [s.Action].flat().some((a) => a.startsWith('s3:PutObject')));
    const written = puts.flatMap((s) => [s.Resource].flat()).map((r) => JSON.stringify(r));
    expect(written.some((r) => r.includes('/tenants/*/transforms/*'))).toBe(true);
    // (and train-evaluate's training jobs their model below the run folder: test/infra/training-machine.test.ts)
    expect(written.every((r) => r.includes('/tenants/*/transforms/*') || r.includes('/tenants/*/captures/*') || r.includes('/tenants/*/models/*/runs/*'))).toBe(
      true,
    );
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
      Statement: [
        {
          Action: 'sts:AssumeRole',
          Effect: 'Allow',
          Principal: { Service: 'scheduler.amazonaws.com' },
          Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
        },
      ],
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
    expect(actions).toEqual(
      expect.arrayContaining(['scheduler:CreateSchedule', 'scheduler:UpdateSchedule', 'scheduler:DeleteSchedule', 'scheduler:GetSchedule']),
    );
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
