import { applyApprovalPolicy } from '../../../core/pipelines/approval-policy';
import { compareWithChampion } from '../../../core/pipelines/champion-comparison';

describe('compareWithChampion', () => {
  it('lets the candidate win when there is no champion', () => {
    expect(compareWithChampion({ metrics: { auc: 0.7 }, policyMetric: 'auc' })).toMatchObject({ candidateWins: true, champion: null, reason: 'no champion to beat' });
  });

  it('compares on the champion metric, in the metric’s own direction, and keeps the champion on a tie', () => {
    expect(compareWithChampion({ metrics: { auc: 0.91 }, champion: { value: 0.9 }, policyMetric: 'auc' }).candidateWins).toBe(true);
    expect(compareWithChampion({ metrics: { auc: 0.9 }, champion: { value: 0.9 }, policyMetric: 'auc' }).candidateWins).toBe(false);
    expect(compareWithChampion({ metrics: { auc: 0.95, logLoss: 0.3 }, champion: { metric: 'logLoss', value: 0.25 }, policyMetric: 'auc' })).toMatchObject({
      metric: 'logLoss',
      candidateWins: false,
      reason: "logLoss 0.3000 does not beat the champion's 0.2500",
    });
    expect(compareWithChampion({ metrics: { rmse: 1.5 }, champion: { value: 2 }, policyMetric: 'rmse' }).candidateWins).toBe(true);
  });

  it('lets a candidate without the metric lose', () => {
    expect(compareWithChampion({ metrics: { auc: null }, champion: { value: 0.5 }, policyMetric: 'auc' })).toMatchObject({ candidateWins: false, reason: 'the candidate has no auc' });
  });
});

describe('applyApprovalPolicy', () => {
  const wins = compareWithChampion({ metrics: {}, policyMetric: 'auc' });
  const loses = compareWithChampion({ metrics: { auc: 0.9 }, champion: { value: 0.95 }, policyMetric: 'auc' });

  it.each([
    [{ metric: 'auc' as const, minimum: 0.8, autoApprove: true }, { auc: 0.9 }, wins, 'AUTO_APPROVED'],
    [{ metric: 'auc' as const, minimum: 0.8, autoApprove: false }, { auc: 0.9 }, wins, 'PENDING_APPROVAL'],
    [{ metric: 'auc' as const, minimum: 0.95, autoApprove: true }, { auc: 0.9 }, wins, 'REJECTED'],
    [{ metric: 'auc' as const, autoApprove: true }, { auc: 0.9 }, loses, 'REJECTED'],
    [{ metric: 'auc' as const, autoApprove: true }, { auc: null }, wins, 'REJECTED'],
    [{ metric: 'rmse' as const, maximum: 2, autoApprove: true }, { rmse: 2.5 }, wins, 'REJECTED'],
    [{ metric: 'rmse' as const, maximum: 2, autoApprove: true }, { rmse: 1.5 }, wins, 'AUTO_APPROVED'],
  ])('policy %j with metrics %j → %s', (policy, metrics, comparison, outcome) => {
    expect(applyApprovalPolicy({ policy, metrics, comparison }).outcome).toBe(outcome);
  });

  it('gives every reason a rejection has', () => {
    const decision = applyApprovalPolicy({ policy: { metric: 'auc', minimum: 0.95, autoApprove: true }, metrics: { auc: 0.9 }, comparison: loses });
    expect(decision.reasons).toEqual(['auc 0.9000 is below the minimum 0.9500', "auc 0.9000 does not beat the champion's 0.9500"]);
  });
});
