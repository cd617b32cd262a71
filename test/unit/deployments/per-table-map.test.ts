import { PerTableMap } from '../../../core/deployments/per-table-map';

describe('PerTableMap (the scoring path caches: by table identity, then name)', () => {
  it('keeps the same name apart in two tables, and forgets one entry without the other', () => {
    const map = new PerTableMap<number>(10);
    map.set('store-a|tenant-1', 'fraud', 1);
    map.set('store-a|tenant-2', 'fraud', 2);
    expect([map.get('store-a|tenant-1', 'fraud'), map.get('store-a|tenant-2', 'fraud')]).toEqual([1, 2]);
    map.delete('store-a|tenant-1', 'fraud');
    expect([map.get('store-a|tenant-1', 'fraud'), map.get('store-a|tenant-2', 'fraud')]).toEqual([undefined, 2]);
  });

  it('holds at most its limit: past it, the oldest table’s oldest entry goes; replacing a value adds none', () => {
    const map = new PerTableMap<string>(3);
    map.set('t1', 'a', 'x');
    map.set('t1', 'b', 'x');
    map.set('t2', 'c', 'x');
    map.set('t1', 'a', 'y');
    expect(map.get('t1', 'a')).toBe('y');
    map.set('t2', 'd', 'x');
    expect([map.get('t1', 'a'), map.get('t1', 'b'), map.get('t2', 'c'), map.get('t2', 'd')]).toEqual([undefined, 'x', 'x', 'x']);
    map.delete('t1', 'b');
    map.set('t3', 'e', 'x');
    // t1 emptied and went with its last entry: the count stayed right, so nothing more was evicted.
    expect([map.get('t2', 'c'), map.get('t2', 'd'), map.get('t3', 'e')]).toEqual(['x', 'x', 'x']);
    map.set('t3', 'f', 'x');
    expect([map.get('t2', 'c'), map.get('t3', 'f')]).toEqual([undefined, 'x']);
  });
});
