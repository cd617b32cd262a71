import { removeTestOutdirs, stewardTestApp } from './support/steward-test-app';
import { Template } from 'aws-cdk-lib/assertions';

afterAll(removeTestOutdirs);

type Resource = { Type: string; Properties: Record<string, unknown> };
type Statement = { Sid?: string; Action: string | string[]; Resource: unknown; Condition?: unknown; Effect: string };

/** train-evaluate's training containers: createTrainingJob.sync on tenant-prefixed, TenantId-tagged jobs, and nothing wider. */
describe('train-evaluate state machine: training containers', () => {
  let resources: Record<string, Resource>;
  let statements: Statement[];
  let machine: Resource;

  beforeAll(() => {
    const { stack } = stewardTestApp();
    resources = Template.fromStack(stack).toJSON().Resources as typeof resources;
    const [, found] = Object.entries(resources).find(([, r]) => r.Type === 'AWS::StepFunctions::StateMachine' && r.Properties.StateMachineName === 'steward-train-evaluate')!;
    machine = found;
    const roleRef = JSON.stringify(machine.Properties.RoleArn);
    const roleId = /"([A-Za-z0-9]+)"/.exec(roleRef.slice(roleRef.indexOf('Fn::GetAtt')))![1];
    statements = Object.values(resources)
      .filter((r) => r.Type === 'AWS::IAM::Policy' && (r.Properties.Roles as { Ref: string }[]).some((role) => role.Ref === roleId))
      .flatMap((r) => (r.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
  });

  const bySid = (sid: string) => statements.find((s) => s.Sid === sid);

  it('runs PlanContainerTraining and CollectTrainedModel as Lambdas around the createTrainingJob.sync integration', () => {
    const subs = Object.keys(machine.Properties.DefinitionSubstitutions as object);
    expect(subs).toEqual(expect.arrayContaining(['PlanContainerTrainingFunctionArn', 'CollectTrainedModelFunctionArn', 'TrainModelFunctionArn']));
    expect(String(machine.Properties.DefinitionString)).toContain('arn:aws:states:::sagemaker:createTrainingJob.sync');
  });

  it('creates training jobs only with a TenantId tag, on tenant-prefixed names, follows them, and passes the SageMaker role to SageMaker only', () => {
    const create = bySid('TrainingJobCreateTenantTagged')!;
    expect(create).toMatchObject({ Effect: 'Allow', Action: ['sagemaker:AddTags', 'sagemaker:CreateTrainingJob'], Condition: { Null: { 'aws:RequestTag/TenantId': 'false' } } });
    expect(JSON.stringify(create.Resource)).toContain(':training-job/t*');
    expect(bySid('TrainingJobFollow')).toMatchObject({ Action: ['sagemaker:DescribeTrainingJob', 'sagemaker:ListTags', 'sagemaker:StopTrainingJob'] });
    expect(JSON.stringify(bySid('TrainingJobFollow')!.Resource)).toContain(':training-job/t*');
    expect(JSON.stringify(bySid('TrainingJobCompletionEvents')!.Resource)).toContain('rule/StepFunctionsGetEventsForSageMakerTrainingJobsRule');
    expect(bySid('TrainingJobPassExecutionRole')).toMatchObject({ Action: 'iam:PassRole', Condition: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } } });
    // No SageMaker action on any other resource than tenant-prefixed training jobs.
    for (const s of statements.filter((st) => (Array.isArray(st.Action) ? st.Action : [st.Action]).some((a) => a.startsWith('sagemaker:')))) {
      expect(JSON.stringify(s.Resource)).toContain(':training-job/t*');
    }
  });

  it("lets SageMaker write a training job's output below the tenants' run folders", () => {
    const [roleId] = Object.entries(resources).find(([id, r]) => r.Type === 'AWS::IAM::Role' && id.startsWith('ModelServingExecutionRole'))!;
    const puts = Object.values(resources)
      .filter((r) => r.Type === 'AWS::IAM::Policy' && (r.Properties.Roles as { Ref: string }[]).some((role) => role.Ref === roleId))
      .flatMap((r) => (r.Properties.PolicyDocument as { Statement: Statement[] }).Statement)
      .filter((s) => [s.Action].flat().some((a) => a.startsWith('s3:PutObject')));
    expect(puts.flatMap((s) => [s.Resource].flat()).map((r) => JSON.stringify(r)).some((r) => r.includes('/tenants/*/models/*/runs/*'))).toBe(true);
  });
});
