import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LintFinding, type LintRule, lintDefinition, loadDefinitionFiles, main } from '../../../state-machines/lint';

const CONTEXT = { 'tenantId.$': '$.context.tenantId', 'actor.$': '$.context.actor', 'executionId.$': '$$.Execution.Id' };
const KNOWN = { knownSteps: ['train-model', 'evaluate-model'] };

/** A minimal definition that passes every rule; each test breaks one thing. */
function good(): Record<string, any> {
  return {
    StartAt: 'Train',
    States: {
      Train: {
        Type: 'Task',
        Resource: '${TrainModelFunctionArn}',
        Parameters: { 'plan.$': '$.plan', context: CONTEXT },
        ResultPath: '$.training',
        Next: 'Route',
      },
      Route: { Type: 'Choice', Choices: [{ Variable: '$.training.ok', BooleanEquals: true, Next: 'Done' }], Default: 'Failed' },
      Done: { Type: 'Succeed' },
      Failed: { Type: 'Fail', Error: 'NotOk' },
    },
  };
}

const rules = (findings: LintFinding[]) => [...new Set(findings.map((f) => f.rule))];
const only = (rule: LintRule, findings: LintFinding[]) => {
  expect(rules(findings)).toEqual([rule]);
  return findings;
};

describe('lintDefinition', () => {
  it('passes a definition within the supported subset', () => {
    expect(lintDefinition(good(), KNOWN)).toEqual([]);
  });

  it('passes the shipped definitions', () => {
    const files = loadDefinitionFiles(join(__dirname, '..', '..', '..', 'state-machines'));
    expect(files.map((f) => f.pipeline)).toContain('train-evaluate');
    for (const file of files) expect(file.findings).toEqual([]);
  });

  it('rejects something that is not a definition', () => {
    only('not-a-definition', lintDefinition([], KNOWN));
    only('not-a-definition', lintDefinition({ States: {} }, KNOWN));
  });

  describe('no-jsonata', () => {
    it('rejects QueryLanguage JSONata at the top or on a state', () => {
      const top = good();
      top.QueryLanguage = 'JSONata';
      expect(only('no-jsonata', lintDefinition(top, KNOWN))[0].path).toBe('QueryLanguage');
      const state = good();
      state.States.Done.QueryLanguage = 'JSONata';
      expect(only('no-jsonata', lintDefinition(state, KNOWN))[0].path).toBe('States.Done.QueryLanguage');
    });

    it('rejects {% %} expressions anywhere, and accepts QueryLanguage JSONPath', () => {
      const d = good();
      d.States.Train.Parameters.plan = '{% $states.input.plan %}';
      expect(only('no-jsonata', lintDefinition(d, KNOWN))[0].path).toBe('States.Train.Parameters.plan');
      const jsonPath = good();
      jsonPath.QueryLanguage = 'JSONPath';
      expect(lintDefinition(jsonPath, KNOWN)).toEqual([]);
    });
  });

  describe('unsupported-field', () => {
    it.each([
      ['Arguments', (d: Record<string, any>) => (d.States.Train.Arguments = { a: 1 }), 'States.Train.Arguments'],
      ['Output', (d: Record<string, any>) => (d.States.Train.Output = { a: 1 }), 'States.Train.Output'],
      ['Assign on a state', (d: Record<string, any>) => (d.States.Train.Assign = { x: '$.a' }), 'States.Train.Assign'],
      ['Assign on a choice rule', (d: Record<string, any>) => (d.States.Route.Choices[0].Assign = { x: 1 }), 'States.Route.Choices.0.Assign'],
      ['Variables', (d: Record<string, any>) => (d.Variables = { x: 1 }), 'Variables'],
      ['ItemReader', (d: Record<string, any>) => (d.States.Train.ItemReader = {}), 'States.Train.ItemReader'],
      ['ItemBatcher', (d: Record<string, any>) => (d.States.Train.ItemBatcher = {}), 'States.Train.ItemBatcher'],
      ['ResultWriter', (d: Record<string, any>) => (d.States.Train.ResultWriter = {}), 'States.Train.ResultWriter'],
    ])('rejects %s', (_label, breakIt, path) => {
      const d = good();
      breakIt(d);
      expect(only('unsupported-field', lintDefinition(d, KNOWN)).map((f) => f.path)).toEqual([path]);
    });

    it('finds them in nested Map item processors too, but not in payload data', () => {
      const d = good();
      d.States.Train.Parameters.Output = 'just data';
      d.States.Fan = {
        Type: 'Map',
        ItemReader: { Resource: 'arn:aws:states:::s3:getObject' },
        ItemProcessor: { StartAt: 'Inner', States: { Inner: { Type: 'Pass', Output: {}, End: true } } },
        End: true,
      };
      d.States.Route.Default = 'Fan';
      expect(only('unsupported-field', lintDefinition(d, KNOWN)).map((f) => f.path)).toEqual([
        'States.Fan.ItemReader',
        'States.Fan.ItemProcessor.States.Inner.Output',
      ]);
    });
  });

  describe('task-resource', () => {
    it.each([
      ['arn:aws:states:::lambda:invoke'],
      ['arn:aws:lambda:us-east-1:123456789012:function:train'],
      ['${TrainModel}'],
      ['${trainModelFunctionArn}'],
      ['arn:aws:states:::s3:putObject'],
      ['arn:aws:states:::aws-sdk:s3:putObject'],
      ['arn:aws:states:::sagemaker:CreateModel'],
    ])('rejects %s (not the ${<Step>FunctionArn} convention)', (resource) => {
      const d = good();
      d.States.Train.Resource = resource;
      expect(only('task-resource', lintDefinition(d, KNOWN))[0].message).toContain('does not follow the ${<Step>FunctionArn} convention');
    });

    it('rejects a conventional placeholder with no step module behind it', () => {
      const d = good();
      d.States.Train.Resource = '${TrainModelsFunctionArn}';
      expect(only('task-resource', lintDefinition(d, KNOWN))[0].message).toContain('functions/pipeline-steps/train-models.ts');
    });

    it.each([
      ['arn:aws:states:::sagemaker:createModel'],
      ['arn:aws:states:::sagemaker:createEndpointConfig'],
      ['arn:aws:states:::sagemaker:createTransformJob.sync'],
      ['arn:aws:states:::aws-sdk:sagemaker:describeEndpoint'],
    ])('accepts the SageMaker service integration %s, whose request carries no context', (resource) => {
      const d = good();
      d.States.Train.Resource = resource;
      d.States.Train.Parameters = { 'EndpointName.$': '$.plan.endpointName' };
      expect(lintDefinition(d, KNOWN)).toEqual([]);
      d.States.Train.Parameters.context = CONTEXT;
      expect(only('task-context', lintDefinition(d, KNOWN))[0].message).toContain('not a SageMaker parameter');
    });

    it('knows the registered steps by default', () => {
      const d = good();
      d.States.Train.Resource = '${ValidateTrainingInputFunctionArn}';
      expect(lintDefinition(d)).toEqual([]);
    });
  });

  it('task-context: rejects a Task that does not pass context to its step', () => {
    const d = good();
    delete d.States.Train.Parameters.context;
    only('task-context', lintDefinition(d, KNOWN));
    delete d.States.Train.Parameters;
    only('task-context', lintDefinition(d, KNOWN));
  });

  describe('missing-state', () => {
    it.each([
      ['StartAt', (d: Record<string, any>) => (d.StartAt = 'Nope'), 'StartAt'],
      ['Next', (d: Record<string, any>) => (d.States.Train.Next = 'Nope'), 'States.Train.Next'],
      ['Default', (d: Record<string, any>) => (d.States.Route.Default = 'Nope'), 'States.Route.Default'],
      ['Choices[].Next', (d: Record<string, any>) => (d.States.Route.Choices[0].Next = 'Nope'), 'States.Route.Choices.0.Next'],
      ['Catch[].Next', (d: Record<string, any>) => (d.States.Train.Catch = [{ ErrorEquals: ['States.ALL'], Next: 'Nope' }]), 'States.Train.Catch.0.Next'],
    ])('rejects a missing %s target', (_label, breakIt, path) => {
      const d = good();
      breakIt(d);
      expect(only('missing-state', lintDefinition(d, KNOWN)).map((f) => f.path)).toEqual([path]);
    });

    it('resolves targets inside the sub-machine they belong to', () => {
      const d = good();
      d.States.Fan = {
        Type: 'Parallel',
        Branches: [{ StartAt: 'A', States: { A: { Type: 'Pass', Next: 'Done' } } }],
        End: true,
      };
      d.States.Route.Default = 'Fan';
      expect(only('missing-state', lintDefinition(d, KNOWN)).map((f) => f.path)).toEqual(['States.Fan.Branches.0.States.A.Next']);
    });
  });

  it('duplicate-task-name: rejects the same Task name in a nested machine', () => {
    const d = good();
    d.States.Fan = {
      Type: 'Map',
      ItemProcessor: { StartAt: 'Train', States: { Train: { ...d.States.Train, Next: undefined, End: true } } },
      End: true,
    };
    delete d.States.Fan.ItemProcessor.States.Train.Next;
    delete d.States.Fan.ItemProcessor.States.Train.ResultPath;
    d.States.Route.Default = 'Fan';
    expect(only('duplicate-task-name', lintDefinition(d, KNOWN))[0].path).toBe('States.Fan.ItemProcessor.States.Train');
  });

  it('engine-validation: reports what the interpreter itself refuses once the other rules pass', () => {
    const d = good();
    d.States.Orphan = { Type: 'Succeed' };
    d.States.Done.Type = 'Sucseed';
    const findings = only('engine-validation', lintDefinition(d, KNOWN));
    expect(findings[0].message).toContain('State machine definition is invalid');
  });
});

describe('lint CLI', () => {
  it('exits 1 and names the rule for a bad file, 0 for good ones', () => {
    const dir = mkdtempSync(join(tmpdir(), 'asl-lint-'));
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      const bad = good();
      bad.QueryLanguage = 'JSONata';
      writeFileSync(join(dir, 'bad.asl.json'), JSON.stringify(bad));
      expect(main([join(dir, 'bad.asl.json')])).toBe(1);
      expect(log.mock.calls.flat().join('\n')).toContain('[no-jsonata]');
      writeFileSync(join(dir, 'broken.asl.json'), '{');
      expect(main([join(dir, 'broken.asl.json')])).toBe(1);
      expect(main([])).toBe(0);
      const shipped = readFileSync(join(__dirname, '..', '..', '..', 'state-machines', 'train-evaluate.asl.json'), 'utf8');
      writeFileSync(join(dir, 'ok.asl.json'), shipped);
      expect(main([join(dir, 'ok.asl.json')])).toBe(0);
    } finally {
      log.mockRestore();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
