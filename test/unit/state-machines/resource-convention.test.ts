import { localFunctionArn, resourceOfStep, stepNameOfResource, substitutionKeyOfStep, withLocalResources } from '../../../state-machines/resource-convention';

describe('resource convention', () => {
  it.each([
    ['${TrainModelFunctionArn}', 'train-model'],
    ['${ValidateTrainingInputFunctionArn}', 'validate-training-input'],
    ['${X1FunctionArn}', 'x1'],
  ])('%s ↔ %s', (resource, step) => {
    expect(stepNameOfResource(resource)).toBe(step);
    expect(resourceOfStep(step)).toBe(resource);
  });

  it.each(['arn:aws:states:::lambda:invoke', '${trainModelFunctionArn}', '${TrainModel}', 'TrainModelFunctionArn', 42])('rejects %j', (resource) => {
    expect(stepNameOfResource(resource)).toBeUndefined();
  });
});

describe('local resources', () => {
  it('replaces conventional placeholders with valid ARNs in a copy, in nested machines too', () => {
    const definition = {
      StartAt: 'Fan',
      States: {
        Fan: {
          Type: 'Map',
          ItemProcessor: { StartAt: 'Score', States: { Score: { Type: 'Task', Resource: '${ScoreBatchFunctionArn}', End: true } } },
          End: true,
        },
      },
    };
    const local = withLocalResources(definition);
    expect(local.States.Fan.ItemProcessor.States.Score.Resource).toBe(localFunctionArn('score-batch'));
    expect(definition.States.Fan.ItemProcessor.States.Score.Resource).toBe('${ScoreBatchFunctionArn}');
    expect(substitutionKeyOfStep('score-batch')).toBe('ScoreBatchFunctionArn');
  });
});
