import { Template } from 'aws-cdk-lib/assertions';
import { renderAslText } from '../../infra/aws/asl-definition';
import { DISTRIBUTED_MAPS, withDistributedMaps } from '../../infra/aws/distributed-map';
import { localFunctionArn, stepNameOfResource } from '../../state-machines/resource-convention';
import { LocalStepFunctionsRunner } from '../../state-machines/local-runner';
import { removeTestOutdirs, stewardTestApp } from './support/steward-test-app';

/**
 * One pipeline definition, two places: the document Step Functions receives
 * from the synthesized stack and the document the local runner executes must
 * be the same JSON once each side's Task resources are bound — save only
 * the Map states infra/aws/distributed-map.ts names, which AWS runs as
 * Distributed Maps (the same document with those states switched over).
 */
describe('ASL parity between the CDK stack and the local runner', () => {
  afterAll(removeTestOutdirs);

  it('deploys exactly the document the local runner executes, for every pipeline', () => {
    const { stack } = stewardTestApp();
    const machines = Template.fromStack(stack).findResources('AWS::StepFunctions::StateMachine');
    const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
    const runner = new LocalStepFunctionsRunner({
      platform: () => {
        throw new Error('not needed');
      },
      log: silent,
    });
    expect(runner.pipelines().length).toBeGreaterThan(0);
    expect(Object.keys(machines)).toHaveLength(runner.pipelines().length);
    for (const pipeline of runner.pipelines()) {
      const [, machine] = Object.entries(machines).find(([, m]) => m.Properties.StateMachineName === `steward-${pipeline}`)!;
      const { DefinitionString, DefinitionSubstitutions } = machine.Properties as {
        DefinitionString: string;
        DefinitionSubstitutions: Record<string, unknown>;
      };
      // Bind each `${XxxFunctionArn}` the way the local runner binds that step.
      const local = Object.fromEntries(Object.keys(DefinitionSubstitutions).map((key) => [key, localFunctionArn(stepNameOfResource('${' + key + '}')!)]));
      const distributed = DISTRIBUTED_MAPS[pipeline] ?? [];
      const expected = distributed.length
        ? JSON.parse(withDistributedMaps(JSON.stringify(runner.definitionOf(pipeline)), distributed))
        : runner.definitionOf(pipeline);
      expect(JSON.parse(renderAslText(DefinitionString, local))).toEqual(expected);
    }
  });
});
