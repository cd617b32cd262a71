import * as fs from 'node:fs';
import { Template } from 'aws-cdk-lib/assertions';
import { PROJECT_PATHS } from '../../infra/aws/project-paths';
import { removeTestOutdirs, stewardTestApp } from './support/steward-test-app';

afterAll(removeTestOutdirs);

type Statement = { Sid?: string; Action: string | string[]; Resource: unknown };

/** train-segments deploys its Map as a Distributed Map (one child execution per segment); evaluate deploys verbatim. */
describe('train-segments and evaluate on AWS', () => {
  let resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;

  beforeAll(() => {
    resources = Template.fromStack(stewardTestApp().stack).toJSON().Resources;
  });

  const machine = (name: string) =>
    Object.entries(resources).find(([, r]) => r.Type === 'AWS::StepFunctions::StateMachine' && r.Properties.StateMachineName === name)!;

  it('runs TrainSegments in DISTRIBUTED mode, the children told the parent’s execution id, and nothing else changed', () => {
    const [id, sm] = machine('steward-train-segments');
    const deployed = JSON.parse(sm.Properties.DefinitionString as string);
    const file = JSON.parse(fs.readFileSync(`${PROJECT_PATHS.stateMachines}/train-segments.asl.json`, 'utf8'));
    expect(deployed.States.TrainSegments).toMatchObject({
      Type: 'Map',
      Label: 'TrainSegments',
      MaxConcurrency: 100,
      ToleratedFailurePercentage: 0,
      ItemsPath: '$.plan.segments',
      ResultPath: null,
      ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' }, StartAt: 'TrainSegment' },
    });
    expect(deployed.States.TrainSegments.ItemSelector.context['executionId.$']).toBe('$$.Execution.Id');
    const { TrainSegments: _d, ...deployedRest } = deployed.States;
    const { TrainSegments: _f, ...fileRest } = file.States;
    expect(deployedRest).toEqual(fileRest);
    expect(Object.keys(sm.Properties.DefinitionSubstitutions as object).sort()).toEqual([
      'PlanSegmentsFunctionArn',
      'RecordSegmentRunFailureFunctionArn',
      'SummarizeSegmentRunFunctionArn',
      'TrainSegmentFunctionArn',
    ]);
    const statements = Object.entries(resources)
      .filter(([policyId, r]) => r.Type === 'AWS::IAM::Policy' && policyId.startsWith(id.replace(/[0-9A-F]{8}$/, 'Role')))
      .flatMap(([, r]) => (r.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
    expect(JSON.stringify(statements.find((s) => s.Sid === 'DistributedMapStart')!.Resource)).toMatch(/:stateMachine:steward-train-segments"\]\]\}$/);
  });

  it('deploys evaluate verbatim with its three steps', () => {
    const [, sm] = machine('steward-evaluate');
    expect(sm.Properties.DefinitionString).toBe(fs.readFileSync(`${PROJECT_PATHS.stateMachines}/evaluate.asl.json`, 'utf8'));
    expect(Object.keys(sm.Properties.DefinitionSubstitutions as object).sort()).toEqual([
      'EvaluateVersionFunctionArn',
      'PlanVersionEvaluationFunctionArn',
      'RecordEvaluationFailureFunctionArn',
    ]);
  });
});
