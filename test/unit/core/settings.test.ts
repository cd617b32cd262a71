import { InvalidSettings, readSettings } from '../../../core/config/settings';

describe('settings', () => {
  it('defaults to local mode and parses the state machine map', () => {
    const s = readSettings({ STEWARD_STATE_MACHINES: '{"train-evaluate":"arn:aws:states:eu-west-1:1:stateMachine:x"}' });
    expect(s.STEWARD_MODE).toBe('local');
    expect(s.STEWARD_STATE_MACHINES['train-evaluate']).toContain('stateMachine');
  });

  it('names every bad variable in one readable error', () => {
    expect(() => readSettings({ STEWARD_MODE: 'cloud', STEWARD_S3_ENDPOINT: 'nope', STEWARD_STATE_MACHINES: '[' })).toThrow(InvalidSettings);
    try {
      readSettings({ STEWARD_MODE: 'cloud', STEWARD_S3_ENDPOINT: 'nope' });
    } catch (error) {
      expect((error as Error).message).toMatch(/STEWARD_MODE.*STEWARD_S3_ENDPOINT/);
    }
  });
});
