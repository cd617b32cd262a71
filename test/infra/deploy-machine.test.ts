import * as fs from 'node:fs';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { removeTestOutdirs, stewardTestApp } from './support/steward-test-app';

afterAll(removeTestOutdirs);

/** The real state-machines/deploy.asl.json in the stack: its steps drive SageMaker's control plane. */
describe('deploy state machine', () => {
  let template: Template;
  let resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;

  beforeAll(() => {
    const { stack } = stewardTestApp();
    template = Template.fromStack(stack);
    resources = template.toJSON().Resources as typeof resources;
  });

  it('is deployed verbatim with each step substituted by its function', () => {
    const [, machine] = Object.entries(resources).find(([, r]) => r.Type === 'AWS::StepFunctions::StateMachine' && r.Properties.StateMachineName === 'steward-deploy')!;
    expect(machine.Properties.DefinitionString).toBe(fs.readFileSync('state-machines/deploy.asl.json', 'utf8'));
    expect(Object.keys(machine.Properties.DefinitionSubstitutions as object).sort()).toEqual(
      ['ActivateDeploymentFunctionArn', 'CreateOrUpdateEndpointFunctionArn', 'CreateServingModelsFunctionArn', 'DescribeServingEndpointFunctionArn', 'RecordDeploymentFailureFunctionArn', 'SmokeTestDeploymentFunctionArn'].sort(),
    );
  });

  it('lets the steps create, update, describe and delete SageMaker models, configs and endpoints, and pass only the serving role', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['sagemaker:AddTags', 'sagemaker:CreateEndpoint', 'sagemaker:CreateEndpointConfig', 'sagemaker:CreateModel', 'sagemaker:DeleteEndpoint', 'sagemaker:DescribeEndpoint', 'sagemaker:InvokeEndpoint', 'sagemaker:UpdateEndpoint'],
            Effect: 'Allow',
          }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Action: 'iam:PassRole', Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ModelServingExecutionRole'), 'Arn'] } })]),
      },
    });
  });

  it('has a SageMaker execution role that reads tenant artifacts, and hands its ARN to the functions', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'sagemaker.amazonaws.com' } })] },
    });
    const fn = Object.values(resources).find((r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Description === 'steward: REST API (hono)')!;
    expect((fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables.STEWARD_SAGEMAKER_ROLE_ARN).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^ModelServingExecutionRole/), 'Arn'] });
  });
});
