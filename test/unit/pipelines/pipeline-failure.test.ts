import { describeFailure } from '../../../core/pipelines/pipeline-failure';
import { runIdOf } from '../../../core/pipelines/step-context';

describe('describeFailure', () => {
  it('keeps a local Cause (the message) as it is', () => {
    expect(describeFailure({ Error: 'ValidationFailed', Cause: "dataset 'x.csv' was not found" })).toEqual({
      error: 'ValidationFailed',
      cause: "dataset 'x.csv' was not found",
    });
  });

  it('unwraps the Lambda runtime’s JSON Cause on AWS', () => {
    const cause = JSON.stringify({ errorType: 'NotFound', errorMessage: "object 'm.json' was not found", trace: ['NotFound: …'] });
    expect(describeFailure({ Error: 'NotFound', Cause: cause })).toEqual({ error: 'NotFound', cause: "object 'm.json' was not found" });
  });

  it('reads a failed .sync job’s description (batch-score’s transforms) as its name and FailureReason', () => {
    const cause = JSON.stringify({
      TransformJobName: 'tabc-b01j-p2',
      TransformJobStatus: 'Failed',
      FailureReason: "ClientError: in/a.csv has no column 'id' to pass through",
      ModelName: 'm',
    });
    expect(describeFailure({ Error: 'States.TaskFailed', Cause: cause })).toEqual({
      error: 'States.TaskFailed',
      cause: "transform job tabc-b01j-p2: ClientError: in/a.csv has no column 'id' to pass through",
    });
  });

  it('fills in what is missing and bounds what is long', () => {
    expect(describeFailure(undefined)).toEqual({ error: 'States.Runtime', cause: 'the pipeline failed with States.Runtime' });
    expect(describeFailure({ Error: 'States.Timeout' }).cause).toBe('the pipeline failed with States.Timeout');
    expect(describeFailure({ Error: 'X', Cause: 'y'.repeat(5000) }).cause).toHaveLength(2000);
  });
});

describe('runIdOf', () => {
  it('takes the execution name from an ARN and keeps a local id', () => {
    expect(runIdOf('arn:aws:states:eu-west-1:123456789012:execution:steward-train-evaluate:01JABC')).toBe('01JABC');
    expect(runIdOf('01JH8Z3')).toBe('01JH8Z3');
    expect(runIdOf('a:b/c d')).toBe('b-c-d');
  });
});
