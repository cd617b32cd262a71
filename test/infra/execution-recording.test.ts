import { Template } from 'aws-cdk-lib/assertions';
import { removeTestOutdirs, stewardTestApp } from './support/steward-test-app';

afterAll(removeTestOutdirs);

type Resource = { Type: string; Properties: Record<string, unknown> };
type Statement = { Sid?: string; Effect: string; Action: string | string[]; Resource: unknown; Condition?: Record<string, Record<string, unknown>> };

describe('execution records on AWS: Step Functions status changes → the recorder function', () => {
  let template: Template;
  let resources: Record<string, Resource>;

  beforeAll(() => {
    const { stack } = stewardTestApp();
    template = Template.fromStack(stack);
    resources = template.toJSON().Resources;
  });

  const machines = () => Object.entries(resources).filter(([, r]) => r.Type === 'AWS::StepFunctions::StateMachine');
  const recorder = () =>
    Object.entries(resources).find(([, r]) => r.Type === 'AWS::Lambda::Function' && String(r.Properties.Description).startsWith('Steward execution recorder'))!;
  const rule = () =>
    Object.values(resources).find(
      (r) => r.Type === 'AWS::Events::Rule' && (r.Properties.EventPattern as { source?: string[] } | undefined)?.source?.[0] === 'aws.states',
    )!;
  const statementsOf = (rolePrefix: string): Statement[] =>
    Object.entries(resources)
      .filter(([id, r]) => r.Type === 'AWS::IAM::Policy' && id.startsWith(rolePrefix))
      .flatMap(([, r]) => (r.Properties.PolicyDocument as { Statement: Statement[] }).Statement);

  it('matches execution status changes of every Steward state machine, and nothing else', () => {
    const pattern = rule().Properties.EventPattern as { source: string[]; 'detail-type': string[]; detail: { stateMachineArn: unknown[] } };
    expect(pattern.source).toEqual(['aws.states']);
    expect(pattern['detail-type']).toEqual(['Step Functions Execution Status Change']);
    expect(machines().length).toBeGreaterThanOrEqual(3);
    // Exact ARNs (Refs), so a Distributed Map child (`<machine>/<label>`) does not match.
    expect(pattern.detail.stateMachineArn).toEqual(expect.arrayContaining(machines().map(([id]) => ({ Ref: id }))));
    expect(pattern.detail.stateMachineArn).toHaveLength(machines().length);
    expect(rule().Properties.State).toBe('ENABLED');
  });

  it('targets the recorder with retries for two hours and a dead-letter queue, and lets only EventBridge invoke it for this rule', () => {
    const [fnId] = recorder();
    const [target] = rule().Properties.Targets as { Arn: unknown; RetryPolicy: unknown; DeadLetterConfig: { Arn: { 'Fn::GetAtt': string[] } } }[];
    expect(target.Arn).toEqual({ 'Fn::GetAtt': [fnId, 'Arn'] });
    expect(target.RetryPolicy).toEqual({ MaximumEventAgeInSeconds: 7200, MaximumRetryAttempts: 185 });
    const [queueId] = target.DeadLetterConfig.Arn['Fn::GetAtt'];
    expect(resources[queueId]).toMatchObject({ Type: 'AWS::SQS::Queue', Properties: { SqsManagedSseEnabled: true } });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [fnId, 'Arn'] },
      Principal: 'events.amazonaws.com',
    });
  });

  it('gives the recorder the pipelines it records, the platform settings, control-plane reads and tenant sessions only', () => {
    const [, fn] = recorder();
    const env = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    for (const [id] of machines()) expect(JSON.stringify(env.STEWARD_STATE_MACHINES)).toContain(`"Ref":"${id}"`);
    expect(env).toMatchObject({ STEWARD_MODE: 'aws', STEWARD_TABLE_NAME: expect.anything(), STEWARD_TENANT_ROLE_ARN: expect.anything() });
    const roleId = (fn.Properties.Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0];
    const statements = statementsOf(roleId.replace(/[0-9A-F]{8}$/, ''));
    const items = statements.find((s) => s.Sid === 'ReadControlPlaneItems')!;
    expect([items.Action].flat()).not.toContain('dynamodb:PutItem');
    expect(JSON.stringify(items.Condition)).not.toContain('T#');
    expect(statements.some((s) => [s.Action].flat().includes('sts:AssumeRole') || [s.Action].flat().includes('sts:TagSession'))).toBe(true);
    // No statement reaches tenant keys directly: the tenant's log is written in a tenant session.
    expect(JSON.stringify(statements)).not.toMatch(/"T#/);
  });

  it("lets the recorder do a timed-out or aborted deploy's rollback (SageMaker control of tenant-prefixed names, the execution role passed to SageMaker only), never invoke an endpoint", () => {
    const [, fn] = recorder();
    const roleId = (fn.Properties.Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0];
    const statements = statementsOf(roleId.replace(/[0-9A-F]{8}$/, ''));
    const control = statements.find((s) => [s.Action].flat().includes('sagemaker:UpdateEndpoint'))!;
    expect([control.Action].flat().sort()).toEqual(
      [
        'sagemaker:AddTags',
        'sagemaker:CreateEndpoint',
        'sagemaker:CreateEndpointConfig',
        'sagemaker:CreateModel',
        'sagemaker:DeleteEndpoint',
        'sagemaker:DescribeEndpoint',
        'sagemaker:UpdateEndpoint',
      ].sort(),
    );
    const arns = JSON.stringify(control.Resource);
    for (const kind of ['model', 'endpoint-config', 'endpoint']) expect(arns).toContain(`:${kind}/t*`);
    expect(JSON.stringify(statements)).not.toContain('sagemaker:InvokeEndpoint');
    const passRole = statements.find((s) => [s.Action].flat().includes('iam:PassRole'))!;
    const executionRole = Object.entries(resources).find(
      ([, r]) => r.Type === 'AWS::IAM::Role' && JSON.stringify(r.Properties.AssumeRolePolicyDocument).includes('sagemaker.amazonaws.com'),
    )![0];
    expect(passRole.Resource).toEqual({ 'Fn::GetAtt': [executionRole, 'Arn'] });
  });
});
