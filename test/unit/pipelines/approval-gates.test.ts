import { applyApprovalPolicy } from '../../../core/pipelines/approval-policy';
import { compareWithChampion } from '../../../core/pipelines/champion-comparison';

const champion = (value: number | null, version = 3) => ({ version, value, evaluationId: 'e1' });

describe('compareWithChampion', () => {
  it('lets the candidate win when there is no champion', () => {
    expect(compareWithChampion({ metrics: { auc: 0.7 }, metric: 'auc' })).toMatchObject({ candidateWins: true, comparable: true, champion: null, reason: 'no champion to beat' });
  });

  it('compares on the metric, in the metric’s own direction, and keeps the champion on a tie', () => {
    expect(compareWithChampion({ metrics: { auc: 0.91 }, metric: 'auc', champion: champion(0.9) })).toMatchObject({
      candidateWins: true,
      championVersion: 3,
      championEvaluationId: 'e1',
      reason: "auc 0.9100 beats the champion's 0.9000 (version 3)",
    });
    expect(compareWithChampion({ metrics: { auc: 0.9 }, metric: 'auc', champion: champion(0.9) }).candidateWins).toBe(false);
    expect(compareWithChampion({ metrics: { auc: 0.95, logLoss: 0.3 }, metric: 'logLoss', champion: champion(0.25) })).toMatchObject({
      metric: 'logLoss',
      candidateWins: false,
      reason: "logLoss 0.3000 does not beat the champion's 0.2500 (version 3)",
    });
    expect(compareWithChampion({ metrics: { rmse: 1.5 }, metric: 'rmse', champion: champion(2) }).candidateWins).toBe(true);
  });

  it('lets a candidate without the metric lose', () => {
    expect(compareWithChampion({ metrics: { auc: null }, metric: 'auc', champion: champion(0.5) })).toMatchObject({ candidateWins: false, reason: 'the candidate has no auc' });
  });

  it('cannot compare with a champion that has no recorded value', () => {
    expect(compareWithChampion({ metrics: { auc: 0.9 }, metric: 'auc', champion: { version: 2, value: null } })).toMatchObject({
      comparable: false,
      candidateWins: false,
      reason: 'the champion (version 2) has no recorded auc to compare with',
    });
  });
});

describe('applyApprovalPolicy', () => {
  const wins = compareWithChampion({ metrics: {}, metric: 'auc' });
  const loses = compareWithChampion({ metrics: { auc: 0.9 }, metric: 'auc', champion: champion(0.95) });
  const incomparable = compareWithChampion({ metrics: { auc: 0.9 }, metric: 'auc', champion: champion(null) });

  it.each([
    [{ metric: 'auc' as const, minimum: 0.8, autoApprove: true }, { auc: 0.9 }, wins, 'AUTO_APPROVED'],
    [{ metric: 'auc' as const, minimum: 0.8, autoApprove: false }, { auc: 0.9 }, wins, 'PENDING_APPROVAL'],
    [{ metric: 'auc' as const, minimum: 0.95, autoApprove: true }, { auc: 0.9 }, wins, 'REJECTED'],
    [{ metric: 'auc' as const, autoApprove: true }, { auc: 0.9 }, loses, 'REJECTED'],
    [{ metric: 'auc' as const, autoApprove: true }, { auc: null }, wins, 'REJECTED'],
    [{ metric: 'auc' as const, autoApprove: true }, { auc: 0.9 }, incomparable, 'PENDING_APPROVAL'],
    [{ metric: 'auc' as const, minimum: 0.95, autoApprove: true }, { auc: 0.9 }, incomparable, 'REJECTED'],
    [{ metric: 'rmse' as const, maximum: 2, autoApprove: true }, { rmse: 2.5 }, wins, 'REJECTED'],
    [{ metric: 'rmse' as const, maximum: 2, autoApprove: true }, { rmse: 1.5 }, wins, 'AUTO_APPROVED'],
  ])('policy %j with metrics %j → %s', (policy, metrics, comparison, outcome) => {
    expect(applyApprovalPolicy({ policy, metrics, comparison }).outcome).toBe(outcome);
  });

  it('gives every reason a rejection has', () => {
    const decision = applyApprovalPolicy({ policy: { metric: 'auc', minimum: 0.95, autoApprove: true }, metrics: { auc: 0.9 }, comparison: loses });
    expect(decision.reasons).toEqual(['auc 0.9000 is below the minimum 0.9500', "auc 0.9000 does not beat the champion's 0.9500 (version 3)"]);
  });

  it('leaves an incomparable candidate to a person even when the policy approves automatically', () => {
    const decision = applyApprovalPolicy({ policy: { metric: 'auc', autoApprove: true }, metrics: { auc: 0.9 }, comparison: incomparable });
    expect(decision.reasons).toEqual(['the champion (version 3) has no recorded auc to compare with', 'a person must compare the candidate with the champion']);
  });
});
