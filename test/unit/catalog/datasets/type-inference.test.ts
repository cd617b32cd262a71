import { cellFromText, cellFromValue, resolveColumnType } from '../../../../core/catalog/datasets/cell-types';
import { DatasetProfiler, schemaOf } from '../../../../core/catalog/datasets/dataset-profiler';

describe('cells from CSV text', () => {
  it.each([
    ['42', 'number', true],
    [' 7 ', 'number', true],
    ['-3.5', 'number', false],
    ['.5', 'number', false],
    ['1e3', 'number', false],
    ['99999999999999999999', 'number', false],
    ['TRUE', 'boolean', undefined],
    ['false', 'boolean', undefined],
    ['2024-01-31', 'datetime', undefined],
    ['2024-01-31T10:00:00Z', 'datetime', undefined],
    ['2024-01-31 10:00:00.123+02:00', 'datetime', undefined],
    ['2024-13-45T00:00:00Z', 'string', undefined],
    ['31/01/2024', 'string', undefined],
    ['1,5', 'string', undefined],
    ['yes', 'string', undefined],
    ['0x1f', 'string', undefined],
    ['', 'missing', undefined],
    ['NA', 'missing', undefined],
    ['NaN', 'missing', undefined],
  ])('%j is %s', (text, kind, integer) => {
    const cell = cellFromText(text);
    expect(cell.kind).toBe(kind);
    if (integer !== undefined) expect(cell).toMatchObject({ integer });
  });
});

describe('cells from typed values (JSON Lines, Parquet)', () => {
  it('keeps the value’s own type: a JSON string of digits stays a string', () => {
    expect(cellFromValue('5')).toMatchObject({ kind: 'string', text: '5' });
    expect(cellFromValue(5)).toMatchObject({ kind: 'number', integer: true });
    expect(cellFromValue(5.25)).toMatchObject({ kind: 'number', integer: false });
    expect(cellFromValue(10n)).toMatchObject({ kind: 'number', value: 10, integer: true });
    expect(cellFromValue(true)).toMatchObject({ kind: 'boolean', value: true });
    expect(cellFromValue('2024-05-01T00:00:00Z')).toMatchObject({ kind: 'datetime', epochMs: Date.UTC(2024, 4, 1) });
    expect(cellFromValue(new Date(Date.UTC(2020, 0, 1)))).toMatchObject({ kind: 'datetime', text: '2020-01-01T00:00:00.000Z' });
    expect(cellFromValue({ a: [1, 2] })).toMatchObject({ kind: 'string', text: '{"a":[1,2]}' });
    for (const missing of [null, undefined, Number.NaN, Number.POSITIVE_INFINITY]) expect(cellFromValue(missing).kind).toBe('missing');
  });
});

describe('column types', () => {
  const none = { number: 0, integer: 0, boolean: 0, datetime: 0, string: 0 };
  it('is the narrowest type every value fits', () => {
    expect(resolveColumnType({ ...none, number: 3, integer: 3 })).toBe('integer');
    expect(resolveColumnType({ ...none, number: 3, integer: 2 })).toBe('number');
    expect(resolveColumnType({ ...none, boolean: 2 })).toBe('boolean');
    expect(resolveColumnType({ ...none, datetime: 2 })).toBe('datetime');
    expect(resolveColumnType({ ...none, number: 2, integer: 2, string: 1 })).toBe('string');
    expect(resolveColumnType({ ...none, boolean: 1, number: 1, integer: 1 })).toBe('string');
    expect(resolveColumnType(none)).toBe('string');
  });

  it('infers a CSV dataset’s schema, including nullable and categorical columns', () => {
    const profiler = new DatasetProfiler('csv');
    const header = ['id', 'age', 'income', 'member', 'joined', 'plan', 'note', 'empty'];
    const rows = [
      ['1', '34', '52000.5', 'true', '2023-01-05', 'gold', 'x', ''],
      ['2', '', '61000', 'false', '2023-02-11', 'silver', '12', ''],
      ['3', '51', '48000.25', 'true', '2023-03-20', 'gold', 'y', ''],
      ['4', '29', '', 'true', '2023-04-02', 'gold', 'z', ''],
    ];
    for (const row of rows) profiler.addRow(row, header);
    expect(schemaOf(profiler.finish())).toEqual([
      { name: 'id', type: 'integer', categorical: false, nullable: false },
      { name: 'age', type: 'integer', categorical: false, nullable: true },
      { name: 'income', type: 'number', categorical: false, nullable: true },
      { name: 'member', type: 'boolean', categorical: false, nullable: false },
      { name: 'joined', type: 'datetime', categorical: false, nullable: false },
      { name: 'plan', type: 'string', categorical: true, nullable: false },
      { name: 'note', type: 'string', categorical: false, nullable: false },
      { name: 'empty', type: 'string', categorical: false, nullable: true },
    ]);
  });

  it('counts rows before a JSON Lines column first appears as missing', () => {
    const profiler = new DatasetProfiler('jsonl');
    profiler.addRow([1], ['a']);
    profiler.addRow([2], ['a']);
    profiler.addRow([3, 'late'], ['a', 'b']);
    const b = profiler.finish().columns[1];
    expect(b).toMatchObject({ name: 'b', count: 1, missing: 2, nullable: true });
  });
});
