import { approvalBlockers } from '../../../web/src/lib/approval-blockers';
import { auditFilterProblems, auditQuery } from '../../../web/src/lib/audit-filter';
import { ioSchemaFromColumns } from '../../../web/src/lib/io-schema';
import { layoutLineage, NODE_WIDTH } from '../../../web/src/lib/lineage-layout';
import { modelSearchQuery } from '../../../web/src/lib/query-keys';

describe('why someone cannot approve a version (shown before they try)', () => {
  const pending = { status: 'pending-approval', createdBy: 'pipeline:run1', startedBy: 'user:ds', modelOwner: 'user:ds' };

  it('says nothing to an approver who did not build the version', () => {
    expect(approvalBlockers({ ...pending, roles: ['approver'], actor: 'user:ap' })).toEqual([]);
  });

  it('tells a data scientist who trained it both reasons: the role and segregation of duties', () => {
    const reasons = approvalBlockers({ ...pending, roles: ['data-scientist'], actor: 'user:ds' });
    expect(reasons).toEqual([
      'Only approvers decide on versions, and your roles are data-scientist. Ask a tenant administrator for the approver role.',
      'You started the run that trained this version, so someone else must decide (segregation of duties).',
      'You own this model, so someone else must decide (segregation of duties).',
    ]);
  });

  it('holds an approver to segregation of duties too, and refuses versions not pending approval', () => {
    expect(approvalBlockers({ ...pending, roles: ['approver'], actor: 'user:ds' })).toHaveLength(2);
    expect(approvalBlockers({ ...pending, status: 'approved', roles: ['approver'], actor: 'user:ap' })).toEqual([
      'This version is approved; only versions pending approval can be approved or rejected.',
    ]);
    expect(approvalBlockers({ ...pending, createdBy: 'user:ap', roles: ['approver'], actor: 'user:ap' })).toEqual([
      'You registered this version, so someone else must decide (segregation of duties).',
    ]);
  });
});

describe('lineage layout', () => {
  const graph = {
    root: 'version:m/2',
    nodes: [
      { id: 'version:m/2', kind: 'version', label: 'm v2', attributes: {} },
      { id: 'evaluation:e1', kind: 'evaluation', label: 'evaluation', attributes: {} },
      { id: 'dataset:d/1', kind: 'dataset', label: 'dataset d v1', attributes: {} },
      { id: 'dataset:d/2', kind: 'dataset', label: 'dataset d v2', attributes: {} },
      { id: 'execution:x', kind: 'execution', label: 'run x', attributes: {} },
    ],
    edges: [
      { from: 'dataset:d/1', to: 'execution:x', relation: 'input' },
      { from: 'execution:x', to: 'version:m/2', relation: 'produced' },
      { from: 'version:m/2', to: 'evaluation:e1', relation: 'evaluated-by' },
      { from: 'version:m/2', to: 'nowhere', relation: 'dangling' },
    ],
  };

  it('places kinds in columns in the order data flows, stacking nodes of one kind', () => {
    const layout = layoutLineage(graph);
    const at = (id: string) => layout.nodes.find((n) => n.id === id)!;
    expect([at('dataset:d/1').column, at('execution:x').column, at('version:m/2').column, at('evaluation:e1').column]).toEqual([0, 1, 2, 3]);
    expect(at('dataset:d/2').x).toBe(at('dataset:d/1').x);
    expect(at('dataset:d/2').y).toBeGreaterThan(at('dataset:d/1').y);
    expect(layout.width).toBeGreaterThanOrEqual(4 * NODE_WIDTH);
  });

  it('draws edges left to right between node sides, and drops edges to unknown nodes', () => {
    const layout = layoutLineage(graph);
    expect(layout.edges).toHaveLength(3);
    for (const e of layout.edges) expect(e.x2).toBeGreaterThan(e.x1);
  });
});

describe('search and filter queries', () => {
  it('sends a model search with the name prefix and at most one other filter, leaving blanks out', () => {
    expect(modelSearchQuery({ namePrefix: ' churn ', field: 'framework', value: 'xgboost' })).toEqual({ namePrefix: 'churn', framework: 'xgboost' });
    expect(modelSearchQuery({ namePrefix: '', field: 'tag', value: '  ' })).toEqual({});
  });

  it('sends audit filters with local times as ISO instants and without blanks', () => {
    const q = auditQuery({ targetType: 'version', targetId: '', actor: ' user:abc ', from: '2026-12-01T10:00', to: 'not a date' });
    expect(q).toEqual({ targetType: 'version', actor: 'user:abc', from: new Date('2026-12-01T10:00').toISOString() });
  });
});

describe('a model schema from a dataset’s columns', () => {
  it('makes every column but the target an input, typed from the profile, with probability and label outputs', () => {
    const schema = ioSchemaFromColumns(
      [
        { name: 'mean radius', type: 'number', categorical: false },
        { name: '2nd_area', type: 'integer', categorical: false },
        { name: 'smoker', type: 'boolean', categorical: false },
        { name: 'region', type: 'string', categorical: true },
        { name: 'benign', type: 'integer', categorical: true },
      ],
      'benign',
    );
    expect(schema.inputs).toEqual([
      { name: 'mean_radius', type: 'float' },
      { name: '_2nd_area', type: 'float' },
      { name: 'smoker', type: 'bool' },
      { name: 'region', type: 'category' },
    ]);
    expect(schema.outputs.map((o) => [o.name, o.type])).toEqual([
      ['probability', 'float'],
      ['label', 'long'],
    ]);
  });
});

describe('audit filters the API would refuse', () => {
  const empty = { targetType: '', targetId: '', actor: '', from: '', to: '' };
  it('asks for target type and id together, and for target or actor, not both', () => {
    expect(auditFilterProblems(empty)).toEqual({});
    expect(auditFilterProblems({ ...empty, targetType: 'version' })).toEqual({ targetId: expect.stringContaining('target id') });
    expect(auditFilterProblems({ ...empty, targetId: 'm-1' })).toEqual({ targetType: expect.stringContaining('target type') });
    expect(auditFilterProblems({ ...empty, targetType: 'version', targetId: 'm-1' })).toEqual({});
    expect(auditFilterProblems({ ...empty, targetType: 'version', targetId: 'm-1', actor: 'user:a' })).toEqual({ actor: expect.stringContaining('not both') });
    expect(auditFilterProblems({ ...empty, from: '2026-12-02T00:00', to: '2026-12-01T00:00' })).toEqual({ to: expect.any(String) });
  });
});
