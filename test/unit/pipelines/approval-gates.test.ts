import { outcomeOf } from '../../../core/pipelines/approval-policy';
import { DEFAULT_POLICY } from '../../../core/governance/approval-policy';
import { evaluateGate, parseGate } from '../../../core/governance/gate-expression';
import { judge } from '../../../core/governance/version-judgement';
import { compareWithChampion } from '../../../core/pipelines/champion-comparison';

const champion = (value: number | null, version = 3) => ({ version, value, evaluationId: 'e1' });

describe('compareWithChampion', () => {
  it('lets the candidate win when there is no champion', () => {
    expect(compareWithChampion({ metrics: { auc: 0.7 }, metric: 'auc' })).toMatchObject({
      candidateWins: true,
      comparable: true,
      champion: null,
      reason: 'no champion to beat',
    });
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
    expect(compareWithChampion({ metrics: { auc: null }, metric: 'auc', champion: champion(0.5) })).toMatchObject({
      candidateWins: false,
      reason: 'the candidate has no auc',
    });
  });

  it('cannot compare with a champion that has no recorded value', () => {
    expect(compareWithChampion({ metrics: { auc: 0.9 }, metric: 'auc', champion: { version: 2, value: null } })).toMatchObject({
      comparable: false,
      candidateWins: false,
      reason: 'the champion (version 2) has no recorded auc to compare with',
    });
  });
});

describe('outcomeOf (the pipeline gate over a judgement)', () => {
  const facts = (candidate: Record<string, number>, champion?: Record<string, number>) => ({
    candidate,
    ...(champion ? { champion: { version: 3, metrics: champion } } : {}),
  });
  const policy = (gates: string[], autoApprove = true) => ({ ...DEFAULT_POLICY, gates, autoApprove });

  it.each([
    [['auc >= 0.8'], true, facts({ auc: 0.9 }), 'AUTO_APPROVED'],
    [['auc >= 0.8'], false, facts({ auc: 0.9 }), 'PENDING_APPROVAL'],
    [['auc >= 0.95'], true, facts({ auc: 0.9 }), 'REJECTED'],
    [['auc > champion.auc'], true, facts({ auc: 0.9 }, { auc: 0.95 }), 'REJECTED'],
    [['auc >= champion.auc - 0.01'], true, facts({ auc: 0.945 }, { auc: 0.95 }), 'AUTO_APPROVED'],
    [['auc > champion.auc'], true, facts({ auc: 0.9 }), 'AUTO_APPROVED'],
    [['auc >= 0.8'], true, facts({}), 'REJECTED'],
    [['auc > champion.auc'], true, facts({ auc: 0.9 }, {}), 'PENDING_APPROVAL'],
    [['auc >= 0.95', 'auc > champion.auc'], true, facts({ auc: 0.9 }, {}), 'REJECTED'],
    [['rmse <= 2'], true, facts({ rmse: 2.5 }), 'REJECTED'],
    [['rmse <= 2'], true, facts({ rmse: 1.5 }), 'AUTO_APPROVED'],
    [[], true, facts({}), 'AUTO_APPROVED'],
    [[], false, facts({}), 'PENDING_APPROVAL'],
  ])('gates %j (auto %s) over %j → %s', (gates, auto, given, outcome) => {
    const p = policy(gates, auto);
    expect(outcomeOf(judge(p, given), p.autoApprove).outcome).toBe(outcome);
  });

  it('gives every failed gate as a reason', () => {
    const p = policy(['auc >= 0.95', 'auc > champion.auc']);
    expect(outcomeOf(judge(p, facts({ auc: 0.9 }, { auc: 0.95 })), true).reasons).toEqual([
      'auc >= 0.95: auc 0.9 >= 0.95 does not hold',
      'auc > champion.auc: auc 0.9 > champion.auc 0.95 (v3) does not hold',
    ]);
  });
});

describe('gate expressions (jsep, reduced to a safe tree)', () => {
  it('reads and/or/not, arithmetic and champion metrics, with snake_case aliases', () => {
    const gate = parseGate('auc >= 0.80 and auc >= champion.auc - 0.01');
    expect(gate.metrics).toEqual(['auc']);
    expect(evaluateGate(gate, { candidate: { auc: 0.85 }, champion: { version: 1, metrics: { auc: 0.855 } } }).outcome).toBe('passed');
    expect(evaluateGate(gate, { candidate: { auc: 0.85 }, champion: { version: 1, metrics: { auc: 0.87 } } }).outcome).toBe('failed');
    expect(parseGate('disparate_impact >= 0.8').metrics).toEqual(['disparateImpact']);
    expect(evaluateGate(parseGate('not (brier > 0.1) || logLoss < 0.2'), { candidate: { brier: 0.05 } }).outcome).toBe('passed');
  });

  it('lets and/or settle what an unknown champion metric cannot', () => {
    const facts = { candidate: { auc: 0.7 }, champion: { version: 1, metrics: {} } };
    expect(evaluateGate(parseGate('auc >= 0.8 and auc > champion.auc'), facts).outcome).toBe('failed');
    expect(evaluateGate(parseGate('auc >= 0.6 or auc > champion.auc'), facts).outcome).toBe('passed');
    expect(evaluateGate(parseGate('auc >= 0.6 and auc > champion.auc'), facts).outcome).toBe('undecided');
  });

  it.each([
    ['auc >= ', /malformed expression/],
    ['auc >= 0.8 and', /malformed expression/],
    ['aucc >= 0.8', /unknown metric 'aucc'/],
    ['auc >= champion.aucc', /unknown metric 'champion.aucc'/],
    ['auc', /a number, not a condition/],
    ['process.exit(1)', /dotted name|function calls/],
    ['auc >= 0.8; brier <= 0.1', /one condition per gate/],
    ["auc >= '0.8'", /only numbers/],
    ['auc >= 0.8 + (brier < 1)', /takes numbers/],
    ['this.x > 1', /not allowed|dotted/],
    ['champion > 1', /name its metric/],
    ['auc >>> 2 > 1', /not allowed/],
  ])('refuses %j, naming the problem', (expression, problem) => {
    expect(() => parseGate(expression)).toThrow(problem);
  });
});
