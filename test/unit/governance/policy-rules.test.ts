import { DEFAULT_POLICY, validatePolicy } from '../../../core/governance/approval-policy';
import { tightened, tighteningOf } from '../../../core/governance/policy-tightening';
import type { GoverningPolicy } from '../../../core/governance/policy-store';
import { Forbidden, ValidationFailed } from '../../../core/errors';

const governing = (overrides: Partial<typeof DEFAULT_POLICY> = {}): GoverningPolicy => ({
  policy: { ...DEFAULT_POLICY, ...overrides },
  ref: { scope: 'tenant', revision: 4 },
});

describe('validatePolicy', () => {
  it('accepts the issue’s examples and fills defaults', () => {
    const { policy, gates } = validatePolicy({ gates: ['auc >= 0.80 and auc >= champion.auc - 0.01', 'disparate_impact >= 0.8', 'brier <= 0.1'] });
    expect(policy).toEqual({ ...DEFAULT_POLICY, gates: policy.gates });
    expect(gates.flatMap((g) => g.metrics)).toEqual(['auc', 'disparateImpact', 'brier']);
  });

  it('names every problem at once, each with its field', () => {
    try {
      validatePolicy({ gates: ['auc >=', 'recal > 0.5'], approvals: { count: 2, roles: ['viewer', 'approver'] } });
      throw new Error('accepted');
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationFailed);
      expect((error as ValidationFailed).fields.map((f) => f.field)).toEqual(['body.gates.0', 'body.gates.1', 'body.approvals.roles']);
      expect((error as ValidationFailed).fields[2].problem).toContain("'viewer' cannot decide approvals");
    }
  });

  it('refuses unknown fields, top level and nested', () => {
    expect(() => validatePolicy({ autoaprove: true })).toThrow(/autoaprove/);
    expect(() => validatePolicy({ approvals: { count: 1, roles: ['approver'], quorum: 3 } })).toThrow(/quorum/);
  });
});

describe('a run’s policy request tightens, never loosens', () => {
  it('refuses automatic approval the policy does not grant, and sources it does not count', () => {
    expect(() => tighteningOf({ metric: 'auc', minimum: 0, autoApprove: true }, governing())).toThrow(Forbidden);
    expect(() => tighteningOf({ evaluationSources: ['person'] }, governing({ evaluationSources: ['platform'] }))).toThrow(/never widen/);
    expect(tighteningOf({ autoApprove: true }, governing({ autoApprove: true }))).toEqual({ gates: [] });
  });

  it('turns legacy thresholds into gates and merges by adding, switching off and narrowing', () => {
    const request = tighteningOf(
      { metric: 'auc', minimum: 0.9, gates: ['brier <= 0.2'], autoApprove: false, evaluationSources: ['platform'] },
      governing({ autoApprove: true }),
    );
    expect(request).toEqual({ gates: ['brier <= 0.2', 'auc >= 0.9'], autoApprove: false, evaluationSources: ['platform'] });
    expect(tightened({ ...DEFAULT_POLICY, gates: ['auc >= 0.8'], autoApprove: true }, request)).toMatchObject({
      gates: ['auc >= 0.8', 'brier <= 0.2', 'auc >= 0.9'],
      autoApprove: false,
      evaluationSources: ['platform'],
    });
  });

  it('names a malformed requested gate', () => {
    expect(() => tighteningOf({ gates: ['auc >>'] }, governing())).toThrow(/policy\.gates\.0/);
  });
});
