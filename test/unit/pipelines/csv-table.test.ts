import { ValidationFailed } from '../../../core/errors';
import { numericTable, parseCsv } from '../../../core/pipelines/csv-table';

describe('parseCsv', () => {
  it('reads quoted fields, escaped quotes, CRLF, a BOM and skips blank lines', () => {
    const table = parseCsv('\ufeffname,"note, with comma",y\r\n"a ""b""",x,1\r\n\r\nc,"multi\nline",0\n');
    expect(table.header).toEqual(['name', 'note, with comma', 'y']);
    expect(table.rows).toEqual([
      ['a "b"', 'x', '1'],
      ['c', 'multi\nline', '0'],
    ]);
  });

  it('reads a last line without newline', () => {
    expect(parseCsv('a,b\n1,2').rows).toEqual([['1', '2']]);
  });

  it.each([
    ['', 'the file is empty'],
    ['a,b\n1,2,3\n', 'line 2 has 3 fields, the header has 2'],
    ['a,a\n1,2\n', "the header names column 'a' twice"],
    ['a,"b\n1,2\n', 'a quoted field is not closed'],
    ['a,,c\n1,2,3\n', 'the header has an empty column name'],
    // What the dataset catalog refuses too (core/tabular/csv-rows.ts reads both): line and field named.
    ['a,b\n1,2\n3,x"y\n', 'line 3, field 2: a quote appears inside an unquoted field'],
    ['a,b\n1,"2"x\n', 'line 2, field 2: a field has text after its closing quote'],
    ['a,b\n1,2\n""\n', 'line 3 has 1 fields, the header has 2'],
  ])('refuses %j: %s', (text, problem) => {
    try {
      parseCsv(text);
      throw new Error('expected a failure');
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationFailed);
      expect((error as ValidationFailed).fields[0].problem).toBe(problem);
      // A failed training run's cause is the message: it names the problem, not only "malformed CSV".
      expect((error as ValidationFailed).message).toBe(`malformed CSV: ${problem}`);
    }
  });
});

describe('numericTable', () => {
  const csv = parseCsv('x1,x2,label\n1,2.5,0\n-3,1e2,1\n');

  it('takes every other column as features by default', () => {
    expect(numericTable(csv, { target: 'label' })).toEqual({
      features: ['x1', 'x2'],
      target: 'label',
      x: [
        [1, 2.5],
        [-3, 100],
      ],
      y: [0, 1],
    });
    expect(numericTable(csv, { target: 'label', features: ['x2'] }).x).toEqual([[2.5], [100]]);
  });

  it('names the column and line of a non-numeric value', () => {
    expect(() => numericTable(parseCsv('x,y\n1,0\nabc,1\n'), { target: 'y' })).toThrow("column 'x' has a non-numeric value 'abc' on line 3");
    expect(() => numericTable(parseCsv('x,y\n,0\n'), { target: 'y' })).toThrow("column 'x' has a non-numeric value '' on line 2");
  });

  it('refuses a missing target or feature, and the target as a feature', () => {
    expect(() => numericTable(csv, { target: 'churn' })).toThrow("target column 'churn' is not in the dataset header");
    expect(() => numericTable(csv, { target: 'label', features: ['x3'] })).toThrow('feature column(s) not in the dataset header: x3');
    expect(() => numericTable(csv, { target: 'label', features: ['label'] })).toThrow('the target column cannot also be a feature');
  });
});
