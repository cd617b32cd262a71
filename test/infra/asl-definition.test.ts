import * as fs from 'node:fs';
import * as path from 'node:path';
import { InvalidAslDefinition, listAslFiles, pipelineNameOf, readAslDefinition, renderAslDefinition, renderAslText } from '../../infra/aws/asl-definition';
import { stepNameOfResource } from '../../state-machines/resource-convention';
import { FIXTURES, oneTaskDefinition, tempDir } from './support/fixtures';

describe('readAslDefinition', () => {
  it('finds steps anywhere in the document (Parallel branches, Map processors), once each, in order', () => {
    const batch = readAslDefinition(path.join(FIXTURES.stateMachines, 'batch-score.asl.json'));
    expect(batch.pipelineName).toBe('batch-score');
    expect(batch.steps).toEqual([
      { name: 'ValidateInput', placeholder: 'ValidateInputFunctionArn', moduleName: 'validate-input' },
      { name: 'ScorePartition', placeholder: 'ScorePartitionFunctionArn', moduleName: 'score-partition' },
    ]);
    const train = readAslDefinition(path.join(FIXTURES.stateMachines, 'train-evaluate.asl.json'));
    expect(train.steps.map((s) => s.name)).toEqual(['ValidateInput', 'TrainModel']);
  });

  it('keeps the file text byte for byte', () => {
    const file = path.join(FIXTURES.stateMachines, 'train-evaluate.asl.json');
    expect(readAslDefinition(file).text).toBe(fs.readFileSync(file, 'utf8'));
  });

  it('names step modules exactly as state-machines/resource-convention.ts does', () => {
    const dir = tempDir({ 'acronyms.asl.json': oneTaskDefinition('${ComputePSIFunctionArn}') });
    const [step] = readAslDefinition(path.join(dir, 'acronyms.asl.json')).steps;
    expect(step).toEqual({ name: 'ComputePSI', placeholder: 'ComputePSIFunctionArn', moduleName: stepNameOfResource('${ComputePSIFunctionArn}') });
  });

  it('rejects placeholders outside the ${<Step>FunctionArn} convention', () => {
    const dir = tempDir({ 'odd.asl.json': oneTaskDefinition('${TrainModelArn}') });
    expect(() => readAslDefinition(path.join(dir, 'odd.asl.json'))).toThrow(/unsupported placeholder \$\{TrainModelArn\}/);
  });

  it('rejects invalid JSON and non-kebab file names, naming the file', () => {
    const dir = tempDir({ 'broken.asl.json': '{ "StartAt": ', 'Train_Evaluate.asl.json': oneTaskDefinition('${AFunctionArn}') });
    expect(() => readAslDefinition(path.join(dir, 'broken.asl.json'))).toThrow(/broken\.asl\.json: not valid JSON/);
    expect(() => pipelineNameOf(path.join(dir, 'Train_Evaluate.asl.json'))).toThrow(InvalidAslDefinition);
  });

  it('lists only *.asl.json files, sorted, and nothing for a missing directory', () => {
    const dir = tempDir({ 'b.asl.json': oneTaskDefinition('${BFunctionArn}'), 'a.asl.json': oneTaskDefinition('${AFunctionArn}'), 'notes.json': '{}' });
    expect(listAslFiles(dir).map((f) => path.basename(f))).toEqual(['a.asl.json', 'b.asl.json']);
    expect(listAslFiles(path.join(dir, 'absent'))).toEqual([]);
  });
});

describe('renderAslDefinition', () => {
  it('substitutes every placeholder the way CloudFormation does', () => {
    const file = path.join(FIXTURES.stateMachines, 'train-evaluate.asl.json');
    const rendered = JSON.parse(renderAslDefinition(file, { ValidateInputFunctionArn: 'arn:validate', TrainModelFunctionArn: 'arn:train' })) as {
      States: { ValidateInput: { Resource: string }; TrainAndEvaluate: { Branches: Array<{ States: { TrainModel: { Resource: string } } }> } };
    };
    expect(rendered.States.ValidateInput.Resource).toBe('arn:validate');
    expect(rendered.States.TrainAndEvaluate.Branches[0].States.TrainModel.Resource).toBe('arn:train');
  });

  it('refuses to render with a substitution missing', () => {
    expect(() => renderAslText(oneTaskDefinition('${TrainModelFunctionArn}'), {})).toThrow(/no substitution for \$\{TrainModelFunctionArn\}/);
  });
});
