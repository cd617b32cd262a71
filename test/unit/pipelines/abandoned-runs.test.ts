import * as path from 'node:path';
import { ABANDONED_RUN_SETTLERS, abandonCauseOf, abandonFailure } from '../../../core/pipelines/abandoned-runs';
import { loadDefinitionFiles } from '../../../state-machines/lint';

describe('settling abandoned pipeline runs', () => {
  it('says for every pipeline definition how its abandoned run is settled (or that it has no subject in progress)', () => {
    const pipelines = loadDefinitionFiles(path.join(__dirname, '../../../state-machines')).map((f) => f.pipeline);
    expect(pipelines.length).toBeGreaterThanOrEqual(6);
    expect(Object.keys(ABANDONED_RUN_SETTLERS).sort()).toEqual([...pipelines].sort());
    expect(
      Object.entries(ABANDONED_RUN_SETTLERS)
        .filter(([, settle]) => settle === null)
        .map(([name]) => name)
        .sort(),
    ).toEqual(['evaluate']);
  });

  it('names what happened in the failure it hands the subject', () => {
    expect(abandonFailure({ executionId: 'e1', cause: 'interrupted', detail: 'the local process running it (pid 1/ab) stopped' })).toEqual({
      error: 'States.Interrupted',
      cause:
        'pipeline execution e1 was interrupted (the process running it stopped before it finished): the local process running it (pid 1/ab) stopped; its failure path never ran',
    });
    expect(abandonFailure({ executionId: 'e1', cause: 'timed out' }).error).toBe('States.Timeout');
    expect(abandonFailure({ executionId: 'e1', cause: 'aborted' })).toMatchObject({ error: 'States.Aborted', cause: expect.stringContaining('was aborted') });
    expect(abandonFailure({ executionId: 'e1', cause: 'runtime error', detail: "Path expression '$.x' does not point to a value" })).toEqual({
      error: 'States.Runtime',
      cause:
        "pipeline execution e1 failed with an error no Catch handles (States.Runtime): Path expression '$.x' does not point to a value; its failure path never ran",
    });
  });

  it('reads the abandonment from a stopped execution record, and none from an execution that ran its own paths', () => {
    expect(abandonCauseOf({ status: 'ABORTED', error: 'States.Aborted' })).toBe('aborted');
    expect(abandonCauseOf({ status: 'FAILED', error: 'States.Interrupted' })).toBe('interrupted');
    expect(abandonCauseOf({ status: 'FAILED', error: 'States.Timeout' })).toBe('timed out');
    // No Retry or Catch handles States.Runtime, States.ALL included: its failure path never ran either.
    expect(abandonCauseOf({ status: 'FAILED', error: 'States.Runtime' })).toBe('runtime error');
    expect(abandonCauseOf({ status: 'FAILED', error: 'SmokeTestFailed' })).toBeUndefined();
    expect(abandonCauseOf({ status: 'SUCCEEDED' })).toBeUndefined();
    expect(abandonCauseOf({ status: 'RUNNING' })).toBeUndefined();
  });
});
