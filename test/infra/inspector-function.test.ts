import { Template } from 'aws-cdk-lib/assertions';
import { FIXTURES, removeTestOutdirs, stewardTestApp } from './support/steward-test-app';

afterAll(removeTestOutdirs);

type Resource = { Type: string; Properties: Record<string, unknown> };
type Statement = { Action: string | string[]; Resource?: unknown; Effect: string };

/**
 * Issue 14 on AWS: untrusted uploads are inspected in a function of their
 * own, with its own memory, timeout and concurrency cap and a role that can
 * reach no data, and the API may invoke that function and no other.
 */
describe('the inspector function', () => {
  const { stack } = stewardTestApp({ stateMachinesDir: FIXTURES.stateMachines, pipelineStepsDir: FIXTURES.pipelineSteps });
  const resources = Template.fromStack(stack).toJSON().Resources as Record<string, Resource>;
  const entries = Object.entries(resources);
  const functionNamed = (description: string) => {
    const found = entries.filter(([, r]) => r.Type === 'AWS::Lambda::Function' && String(r.Properties.Description).startsWith(description));
    expect(found).toHaveLength(1);
    return found[0];
  };
  const [inspectorId, inspector] = functionNamed('Steward inspector:');
  const [, api] = functionNamed('steward: REST API (hono)');
  const roleIdOf = (fn: Resource) => (fn.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  const statementsOf = (roleId: string): Statement[] =>
    entries
      .filter(([, r]) => r.Type === 'AWS::IAM::Policy' && (r.Properties.Roles as Array<{ Ref: string }>).some((role) => role.Ref === roleId))
      .flatMap(([, r]) => (r.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
  const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
  const inspectorArn = { 'Fn::GetAtt': [inspectorId, 'Arn'] };

  it('has its own memory, timeout and reserved concurrency', () => {
    expect(inspector.Properties).toMatchObject({ MemorySize: 2048, Timeout: 180, ReservedConcurrentExecutions: 10 });
    // Longer than the API's: the API's timeout must not be what stops a hostile file.
    expect(inspector.Properties.Timeout as number).toBeGreaterThan(api.Properties.Timeout as number);
  });

  it('gets no settings: no table, bucket, role or key names', () => {
    const variables = (inspector.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(Object.keys(variables)).toEqual(['NODE_OPTIONS']);
  });

  it('runs as a role with no data access at all: only its log group and X-Ray', () => {
    const roleId = roleIdOf(inspector);
    const role = resources[roleId];
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    expect(role.Properties.Policies).toBeUndefined();
    const actions = statementsOf(roleId).flatMap(actionsOf);
    expect(actions.length).toBeGreaterThan(0);
    for (const action of actions) expect(action).toMatch(/^(logs|xray):/);
    expect(actions.filter((a) => /^(s3|dynamodb|kms|sts|lambda|states|sagemaker):/.test(a))).toEqual([]);
  });

  it('is what the API function is told to invoke, and the only function the API may invoke', () => {
    const variables = (api.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(variables.STEWARD_INSPECTOR_FUNCTION).toEqual({ Ref: inspectorId });
    const invokes = statementsOf(roleIdOf(api)).filter((s) => actionsOf(s).some((a) => a.startsWith('lambda:')));
    expect(invokes).toEqual([{ Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: inspectorArn }]);
  });

  it('is what the pipeline steps are told to invoke (a training run registers and inspects its model)', () => {
    const steps = entries.filter(([, r]) => r.Type === 'AWS::Lambda::Function' && String(r.Properties.Description).startsWith('Steward pipeline step'));
    expect(steps.length).toBeGreaterThan(0);
    for (const [, step] of steps) {
      expect((step.Properties.Environment as { Variables: Record<string, unknown> }).Variables.STEWARD_INSPECTOR_FUNCTION).toEqual({ Ref: inspectorId });
    }
  });

  it('may be invoked only by the API and the pipeline steps', () => {
    const invokers = entries
      .filter(([, r]) => r.Type === 'AWS::IAM::Policy')
      .filter(([, r]) =>
        (r.Properties.PolicyDocument as { Statement: Statement[] }).Statement.some((s) => JSON.stringify(s.Resource ?? '').includes(inspectorId)),
      )
      .flatMap(([, r]) => (r.Properties.Roles as Array<{ Ref: string }>).map((role) => role.Ref));
    const apiRole = roleIdOf(api);
    expect(invokers).toContain(apiRole);
    expect(invokers).toHaveLength(2);
    const [stepsRole] = invokers.filter((id) => id !== apiRole);
    expect(String(resources[stepsRole].Properties.Description ?? stepsRole)).toMatch(/step/i);
  });
});
