import * as fs from 'node:fs';
import { Template } from 'aws-cdk-lib/assertions';
import { PROJECT_PATHS } from '../../infra/aws/project-paths';
import { removeTestOutdirs, stewardTestApp } from './support/steward-test-app';

afterAll(removeTestOutdirs);

type Resource = { Type: string; Properties: Record<string, unknown> };

/**
 * Dataset versions are hashed and profiled by the profile-dataset state
 * machine on AWS (not in the 29-second API function): the machine is the
 * file, its two steps are Lambdas of their own with the step role (which may
 * invoke the inspector and assume tenant sessions), and the API may start it.
 */
describe('profile-dataset on AWS', () => {
  let resources: Record<string, Resource>;

  beforeAll(() => {
    const { stack } = stewardTestApp();
    resources = Template.fromStack(stack).toJSON().Resources;
  });

  const machine = () =>
    Object.entries(resources).find(([, r]) => r.Type === 'AWS::StepFunctions::StateMachine' && r.Properties.StateMachineName === 'steward-profile-dataset')!;
  const fnByDescription = (description: string) =>
    Object.entries(resources).find(([, r]) => r.Type === 'AWS::Lambda::Function' && r.Properties.Description === description)!;

  it('deploys the ASL file verbatim, its Task resources substituted with the two step functions', () => {
    const [, sm] = machine();
    const file = JSON.parse(fs.readFileSync(`${PROJECT_PATHS.stateMachines}/profile-dataset.asl.json`, 'utf8'));
    expect(JSON.parse(sm.Properties.DefinitionString as string)).toEqual(file);
    expect(sm.Properties.StateMachineType).toBe('STANDARD');
    const [profileId] = fnByDescription('Steward pipeline step profile-dataset-version');
    const [failureId] = fnByDescription('Steward pipeline step record-dataset-profiling-failure');
    expect(sm.Properties.DefinitionSubstitutions).toEqual({
      ProfileDatasetVersionFunctionArn: { 'Fn::GetAtt': [profileId, 'Arn'] },
      RecordDatasetProfilingFailureFunctionArn: { 'Fn::GetAtt': [failureId, 'Arn'] },
    });
  });

  it('runs the profiling step as the shared step role, long enough to stream 1 GiB through the inspector', () => {
    const [, fn] = fnByDescription('Steward pipeline step profile-dataset-version');
    const [, validate] = fnByDescription('Steward pipeline step validate-training-input');
    expect(fn.Properties.Role).toEqual(validate.Properties.Role);
    expect(fn.Properties.Timeout).toBeGreaterThanOrEqual(300);
    const env = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(env).toHaveProperty('STEWARD_INSPECTOR_FUNCTION');
    const roleId = (fn.Properties.Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0];
    const statements = Object.entries(resources)
      .filter(([, r]) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties.Roles).includes(roleId))
      .flatMap(([, r]) => (r.Properties.PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown }[] }).Statement);
    const inspectorId = Object.entries(resources).find(
      ([, r]) => r.Type === 'AWS::Lambda::Function' && String(r.Properties.Description).startsWith('Steward inspector:'),
    )![0];
    expect(statements.some((s) => [s.Action].flat().includes('lambda:InvokeFunction') && JSON.stringify(s.Resource).includes(inspectorId))).toBe(true);
  });

  it('lets the API start it and tells the API its ARN', () => {
    const [machineId] = machine();
    const [, api] = fnByDescription('steward: REST API (hono)');
    const env = (api.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    const machines = JSON.stringify(env.STEWARD_STATE_MACHINES);
    expect(machines).toContain('profile-dataset');
    expect(machines).toContain(`{"Ref":"${machineId}"}`);
    const apiRoleId = (api.Properties.Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0];
    const statements = Object.entries(resources)
      .filter(([, r]) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties.Roles).includes(apiRoleId))
      .flatMap(([, r]) => (r.Properties.PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown }[] }).Statement);
    const starts = statements.filter((s) => [s.Action].flat().includes('states:StartExecution'));
    expect(starts.flatMap((s) => [s.Resource].flat())).toContainEqual({ Ref: machineId });
  });

  it('is one of the machines whose status changes the execution recorder records', () => {
    const [machineId] = machine();
    const rule = Object.values(resources).find(
      (r) => r.Type === 'AWS::Events::Rule' && (r.Properties.EventPattern as { source?: string[] } | undefined)?.source?.[0] === 'aws.states',
    )!;
    expect((rule.Properties.EventPattern as { detail: { stateMachineArn: unknown[] } }).detail.stateMachineArn).toContainEqual({ Ref: machineId });
  });
});
