import * as fs from 'node:fs';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { removeTestOutdirs, stewardTestApp } from './support/steward-test-app';

afterAll(removeTestOutdirs);

type Resource = { Type: string; Properties: Record<string, unknown> };
type Statement = { Sid?: string; Action: string | string[]; Resource: unknown; Condition?: unknown; Effect: string };

/** The real state-machines/deploy.asl.json in the stack: SageMaker service integrations drive the control plane, Lambda steps the rest. */
describe('deploy state machine', () => {
  let template: Template;
  let resources: Record<string, Resource>;
  let machine: Resource;

  /** Every statement of the inline policies attached to a role (by logical id). */
  const statementsOf = (roleId: string): Statement[] =>
    Object.values(resources)
      .filter((r) => r.Type === 'AWS::IAM::Policy' && (r.Properties.Roles as { Ref: string }[]).some((role) => role.Ref === roleId))
      .flatMap((r) => (r.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
  const actionsOf = (statements: Statement[]) => statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
  const resourceText = (resource: unknown) => JSON.stringify(resource);

  beforeAll(() => {
    const { stack } = stewardTestApp();
    template = Template.fromStack(stack);
    resources = template.toJSON().Resources as typeof resources;
    machine = Object.values(resources).find((r) => r.Type === 'AWS::StepFunctions::StateMachine' && r.Properties.StateMachineName === 'steward-deploy')!;
  });

  it('is deployed verbatim, with Lambda substitutions only for the plan, smoke test, activation and failure record', () => {
    expect(machine.Properties.DefinitionString).toBe(fs.readFileSync('state-machines/deploy.asl.json', 'utf8'));
    expect(Object.keys(machine.Properties.DefinitionSubstitutions as object).sort()).toEqual(
      ['ActivateDeploymentFunctionArn', 'PlanEndpointDeploymentFunctionArn', 'RecordDeploymentFailureFunctionArn', 'SmokeTestDeploymentFunctionArn'].sort(),
    );
  });

  it('creates the models, the endpoint config and the endpoint, and waits for it, through SageMaker service integrations', () => {
    const definition = JSON.parse(machine.Properties.DefinitionString as string) as { States: Record<string, Record<string, unknown>> };
    const states = definition.States;
    const inner = (map: string, task: string) => (states[map].ItemProcessor as { States: Record<string, Record<string, unknown>> }).States[task];
    expect(states.CreateModels).toMatchObject({ Type: 'Map', ItemsPath: '$.plan.models' });
    expect(inner('CreateModels', 'CreateModel')).toMatchObject({
      Resource: 'arn:aws:states:::sagemaker:createModel',
      Parameters: { 'ModelName.$': '$.ModelName', 'ExecutionRoleArn.$': '$.ExecutionRoleArn', 'PrimaryContainer.$': '$.PrimaryContainer', 'Tags.$': '$.Tags' },
    });
    expect(states.CreateEndpointConfig).toMatchObject({ Resource: 'arn:aws:states:::sagemaker:createEndpointConfig', InputPath: '$.plan.endpointConfig' });
    expect(states.CreateOrUpdate).toMatchObject({
      Type: 'Choice',
      Choices: [{ Variable: '$.plan.endpointExists', BooleanEquals: true, Next: 'UpdateEndpoint' }],
      Default: 'CreateEndpoint',
    });
    expect(states.CreateEndpoint).toMatchObject({ Resource: 'arn:aws:states:::sagemaker:createEndpoint', Parameters: { 'Tags.$': '$.plan.endpointTags' } });
    expect(states.UpdateEndpoint).toMatchObject({ Resource: 'arn:aws:states:::sagemaker:updateEndpoint' });
    expect(states.DescribeEndpoint).toMatchObject({ Resource: 'arn:aws:states:::aws-sdk:sagemaker:describeEndpoint', Next: 'EndpointReady' });
    expect(states.WaitForEndpoint).toMatchObject({ Type: 'Wait', SecondsPath: '$.plan.pollSeconds', Next: 'CountPoll' });
    expect(JSON.stringify(states.EndpointReady)).toContain('"NumericGreaterThanEqualsPath":"$.plan.maxPolls"');
    // The rollback puts the endpoint back on the live config through the same integrations, or removes an endpoint the deployment created.
    expect(states.RestoreEndpoint).toMatchObject({
      Resource: 'arn:aws:states:::sagemaker:updateEndpoint',
      Parameters: { 'EndpointConfigName.$': '$.plan.restore.configName' },
    });
    expect(states.RemoveEndpoint).toMatchObject({ Resource: 'arn:aws:states:::aws-sdk:sagemaker:deleteEndpoint' });
    expect(states.SmokeTest.Resource).toBe('${SmokeTestDeploymentFunctionArn}');
  });

  it("gives the machine's role exactly the SageMaker actions its integrations call, on tenant-prefixed names, and PassRole of the serving role only", () => {
    const roleId = (machine.Properties.RoleArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const statements = statementsOf(roleId);
    const sagemaker = statements.filter((s) => actionsOf([s]).some((a) => a.startsWith('sagemaker:')));
    expect(actionsOf(sagemaker).sort()).toEqual(
      [
        'sagemaker:AddTags',
        'sagemaker:CreateEndpoint',
        'sagemaker:CreateEndpointConfig',
        'sagemaker:CreateModel',
        'sagemaker:DeleteEndpoint',
        'sagemaker:DescribeEndpoint',
        'sagemaker:ListTags',
        'sagemaker:UpdateEndpoint',
      ].sort(),
    );
    for (const s of sagemaker) {
      for (const r of Array.isArray(s.Resource) ? s.Resource : [s.Resource]) expect(resourceText(r)).toMatch(/:(model|endpoint-config|endpoint)\/t\*"/);
    }
    const creates = sagemaker.find((s) => actionsOf([s]).includes('sagemaker:CreateModel'))!;
    expect(creates.Condition).toEqual({ Null: { 'aws:RequestTag/TenantId': 'false' } });
    expect(statements).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Action: 'iam:PassRole',
          Resource: { 'Fn::GetAtt': [expect.stringMatching(/^ModelServingExecutionRole/), 'Arn'] },
          Condition: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
        }),
      ]),
    );
    expect(actionsOf(statements).filter((a) => a === 'iam:PassRole')).toHaveLength(1);
  });

  it('leaves the pipeline steps only describing and invoking endpoints', () => {
    const [stepsRoleId] = Object.entries(resources).find(([, r]) => r.Type === 'AWS::IAM::Role' && r.Properties.Description === 'steward: pipeline steps')!;
    const sagemaker = actionsOf(statementsOf(stepsRoleId)).filter((a) => a.startsWith('sagemaker:') || a === 'iam:PassRole');
    expect(sagemaker.sort()).toEqual(['sagemaker:DescribeEndpoint', 'sagemaker:InvokeEndpoint']);
  });

  it('lets the API (rollback, canary, undeploy) drive SageMaker and pass only the serving role', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: [
              'sagemaker:AddTags',
              'sagemaker:CreateEndpoint',
              'sagemaker:CreateEndpointConfig',
              'sagemaker:CreateModel',
              'sagemaker:DeleteEndpoint',
              'sagemaker:DescribeEndpoint',
              'sagemaker:InvokeEndpoint',
              'sagemaker:UpdateEndpoint',
            ],
            Effect: 'Allow',
          }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: 'iam:PassRole', Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ModelServingExecutionRole'), 'Arn'] } }),
        ]),
      },
    });
  });

  it('has a SageMaker execution role that reads tenant artifacts, and hands its ARN to the functions', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'sagemaker.amazonaws.com' } })] },
    });
    const fn = Object.values(resources).find((r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Description === 'steward: REST API (hono)')!;
    expect((fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables.STEWARD_SAGEMAKER_ROLE_ARN).toEqual({
      'Fn::GetAtt': [expect.stringMatching(/^ModelServingExecutionRole/), 'Arn'],
    });
  });
});
