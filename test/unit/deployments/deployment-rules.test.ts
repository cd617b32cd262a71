import { judgeCanary } from '../../../core/deployments/canary-watch';
import type { Deployment } from '../../../core/deployments/deployment-records';

const canaryDeployment = {
  status: 'live',
  canary: {
    variantName: 'canary-v2',
    steps: [10, 50, 100],
    stepIndex: 0,
    stepStartedAt: '2026-01-01T00:00:00.000Z',
    bakeSeconds: 60,
    maxErrorRate: 0.05,
    maxLatencyMs: 100,
    minRequests: 20,
    baseline: [],
  },
} as unknown as Deployment;
const stats = (requests: number, errors: number, p99Ms = 5) => ({ requests, errors, errorRate: requests ? errors / requests : 0, p50Ms: 1, p99Ms });

describe('canary verdicts', () => {
  const early = new Date('2026-01-01T00:00:30Z');
  const baked = new Date('2026-01-01T00:01:01Z');
  it('waits for enough requests', () => expect(judgeCanary(canaryDeployment, stats(19, 19), baked)).toEqual({ action: 'none' }));
  it('rolls back on error rate', () =>
    expect(judgeCanary(canaryDeployment, stats(20, 2), early)).toMatchObject({ action: 'rollback', reason: expect.stringContaining('error rate') }));
  it('rolls back on latency', () =>
    expect(judgeCanary(canaryDeployment, stats(20, 0, 150), early)).toMatchObject({ action: 'rollback', reason: expect.stringContaining('p99') }));
  it('bakes before advancing, then advances, and promotes at the last step', () => {
    expect(judgeCanary(canaryDeployment, stats(20, 0), early)).toEqual({ action: 'none' });
    expect(judgeCanary(canaryDeployment, stats(20, 0), baked)).toEqual({ action: 'advance', toStep: 1, promote: false });
    const last = { ...canaryDeployment, canary: { ...canaryDeployment.canary!, stepIndex: 1 } };
    expect(judgeCanary(last, stats(20, 0), baked)).toEqual({ action: 'advance', toStep: 2, promote: true });
  });
});
