import { batchProgress, canaryStatus, parseSplit, scoringRecordSchema } from '../../../web/src/lib/deployment-forms';
import { policyFieldErrors, policyOf, draftOf } from '../../../web/src/lib/policy-form';
import { bodyFromValues, fieldsFromSchema } from '../../../web/src/lib/schema-form';

describe('the test-scoring form built from a model’s input schema', () => {
  const inputs = [
    { name: 'age', type: 'int' as const },
    { name: 'income', type: 'double' as const, description: 'yearly, in EUR' },
    { name: 'member', type: 'bool' as const },
    { name: 'plan', type: 'category' as const, allowed: ['basic', 'gold'] },
    { name: 'city', type: 'string' as const },
  ];

  it('gives each input a field of its type, all required, choices from the allowed values', () => {
    const fields = fieldsFromSchema(scoringRecordSchema(inputs));
    expect(fields.map((f) => [f.path, f.kind, f.required])).toEqual([
      ['age', 'number', true],
      ['income', 'number', true],
      ['member', 'boolean', true],
      ['plan', 'choice', true],
      ['city', 'text', true],
    ]);
    expect(fields[1].description).toBe('yearly, in EUR');
    expect(fields[3]).toMatchObject({ options: ['basic', 'gold'] });
  });

  it('turns what was typed into one typed record to score', () => {
    const fields = fieldsFromSchema(scoringRecordSchema(inputs));
    expect(bodyFromValues(fields, { age: '41', income: '52000.5', member: true, plan: 'gold', city: ' Lyon ' })).toEqual({
      age: 41,
      income: 52000.5,
      member: true,
      plan: 'gold',
      city: 'Lyon',
    });
  });
});

describe('the split of traffic between variants', () => {
  it('reads a 90/10 split with each variant’s share', () => {
    const split = parseSplit([
      { modelId: 'm1', version: '3', weight: '90' },
      { modelId: 'm1', version: '4', weight: '10' },
    ]);
    expect(split.errors).toEqual({});
    expect(split.variants).toEqual([
      { modelId: 'm1', version: 3, weight: 90 },
      { modelId: 'm1', version: 4, weight: 10 },
    ]);
    expect(split.shares).toEqual([90, 10]);
  });

  it('names each bad field in place, keyed like the API’s invalid fields', () => {
    const split = parseSplit([
      { modelId: '', version: '', weight: '0' },
      { modelId: 'm1', version: '2', weight: 'x' },
    ]);
    expect(Object.keys(split.errors).sort()).toEqual(['variants.0.modelId', 'variants.0.version', 'variants.0.weight', 'variants.1.weight']);
    expect(split.shares).toEqual([0, 0]);
  });
});

describe('canary and batch progress', () => {
  const canary = { variantName: 'canary', steps: [10, 50, 100], stepIndex: 0, stepStartedAt: '2026-12-06T14:00:00.000Z', bakeSeconds: 300 };

  it('says at which step a live canary is and when it may grow', () => {
    expect(canaryStatus(canary, 'live')).toBe('Canary canary at 10 % (step 1 of 3); next step after 14:05 UTC if its errors and latency stay within bounds.');
    expect(canaryStatus({ ...canary, stepIndex: 2 }, 'live')).toBe('Canary canary promoted: it takes all traffic.');
    expect(canaryStatus({ ...canary, stepIndex: 1 }, 'rolled-back')).toBe('Canary canary rolled back at 50 % (step 2 of 3).');
  });

  it('counts partitions done of total, and says when a job is not split yet', () => {
    expect(batchProgress({ partitionsTotal: 8, partitionsDone: 2 })).toEqual({ done: 2, total: 8, label: '2 of 8 partitions (25 %)' });
    expect(batchProgress(undefined, undefined)).toEqual({ done: 0, total: 0, label: 'not split yet' });
  });
});

describe('the approval-policy editor', () => {
  const policy = {
    gates: ['auc >= 0.8'],
    approvals: { count: 2, roles: ['approver' as const] },
    autoApprove: false,
    evaluationSources: ['platform' as const],
    approverCannotDeploy: true,
  };

  it('edits gates one per line and gives back the same policy', () => {
    expect(policyOf(draftOf(policy))).toEqual(policy);
    expect(policyOf({ ...draftOf(policy), gates: 'auc >= 0.8\n\n  f1 > 0.7 \n' }).gates).toEqual(['auc >= 0.8', 'f1 > 0.7']);
  });

  it('puts the API’s invalid fields next to the form field that shows them', () => {
    expect(
      policyFieldErrors([
        { field: 'body.gates.1', problem: 'unknown metric' },
        { field: 'body.approvals.roles', problem: 'viewer cannot decide approvals' },
        { field: 'body.approvals.count', problem: 'must be at least 1' },
        { field: 'body.surprise', problem: 'unknown field' },
      ]),
    ).toEqual({
      gates: ['gate 2: unknown metric'],
      roles: ['viewer cannot decide approvals'],
      approvalsCount: ['must be at least 1'],
      other: ['body.surprise: unknown field'],
    });
  });
});
