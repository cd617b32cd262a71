import type { Field } from '../../../core/catalog/artifacts/io-schema';
import { MAX_PAYLOAD_BYTES, readInputRows } from '../../../serving/payloads/read-input-rows';
import { negotiate } from '../../../serving/runtimes/media-types';
import { NotAcceptable, PayloadTooLarge, UnsupportedContentType } from '../../../serving/runtimes/runtime-errors';
import { bytes } from './fixtures';

const NUMERIC: Field[] = [
  { name: 'age', type: 'double' },
  { name: 'income', type: 'double' },
  { name: 'tenure', type: 'int' },
];
const read = (body: string, contentType: string | undefined, inputs: Field[] = NUMERIC, optional?: string[]) =>
  readInputRows(bytes(body), contentType, { inputs, optionalInputs: optional ? new Set(optional) : undefined });

describe('CSV requests', () => {
  it('reads headerless rows in input order, skipping blank lines and CRLF', async () => {
    await expect(read('1,2,3\r\n\r\n4.5,-6,7e2\n', 'text/csv; charset=utf-8')).resolves.toEqual([
      [1, 2, 3],
      [4.5, -6, 700],
    ]);
  });

  it('matches columns by name when the first line is a header, ignoring extra columns and quoted commas', async () => {
    await expect(read('id,tenure,age,income\n"x,1",3,1,2\n', 'text/csv')).resolves.toEqual([[1, 2, 3]]);
  });

  it('names the row, field and value it cannot read', async () => {
    await expect(read('1,2,3\n1,abc,3\n', 'text/csv')).rejects.toMatchObject({
      name: 'InvalidModelInput',
      status: 400,
      message: "row 2, field 'income': 'abc' is not a number",
    });
    await expect(read('1,2,3.5\n', 'text/csv')).rejects.toThrow("row 1, field 'tenure': '3.5' is not a number (an integer)");
    await expect(read('1,,3\n', 'text/csv')).rejects.toThrow("row 1, field 'income': missing");
  });

  it('lets a model accept missing values in the fields it says', async () => {
    await expect(read('1,,3\n', 'text/csv', NUMERIC, ['income'])).resolves.toEqual([[1, null, 3]]);
  });

  it('names the expected fields when a row is too short or a header lacks one', async () => {
    await expect(read('1,2\n', 'text/csv')).rejects.toThrow('row 1: has 2 values; expected 3 (age, income, tenure)');
    await expect(read('age,income\n1,2\n', 'text/csv')).rejects.toThrow(/header lacks field\(s\) tenure/);
  });

  it('reads string, category and bool fields, checking allowed categories', async () => {
    const inputs: Field[] = [
      { name: 'home', type: 'category', allowed: ['own', 'rent'] },
      { name: 'note', type: 'string' },
      { name: 'vip', type: 'bool' },
    ];
    await expect(read('home,note,vip\nown,"a, b",true\n', 'text/csv', inputs)).resolves.toEqual([['own', 'a, b', true]]);
    await expect(read('rent,x,maybe\n', 'text/csv', inputs)).rejects.toThrow("row 1, field 'vip': 'maybe' is not true or false (bool)");
    await expect(read('boat,x,0\n', 'text/csv', inputs)).rejects.toThrow("row 1, field 'home': 'boat' is not one of the allowed values: own, rent");
  });

  it('refuses an empty body and an unclosed quote', async () => {
    await expect(read('\n\n', 'text/csv')).rejects.toThrow('the request holds no rows to score');
    await expect(read('1,"2,3\n', 'text/csv')).rejects.toThrow(/quoted field is never closed/);
  });
});

describe('JSON requests', () => {
  it('reads {instances} of arrays, objects and {features}', async () => {
    const body = JSON.stringify({ instances: [[1, 2, 3], { tenure: 3, age: 1, income: 2, id: 'x' }, { features: [1, 2, 3] }] });
    await expect(read(body, 'application/json')).resolves.toEqual([
      [1, 2, 3],
      [1, 2, 3],
      [1, 2, 3],
    ]);
  });

  it('reads a bare array of records, one record alone, and columns', async () => {
    await expect(read('[{"age":1,"income":2,"tenure":3}]', 'application/json')).resolves.toEqual([[1, 2, 3]]);
    await expect(read('{"age":1,"income":2,"tenure":3}', 'application/json')).resolves.toEqual([[1, 2, 3]]);
    await expect(read('{"columns":{"age":[1,4],"income":[2,5],"tenure":[3,6]}}', 'application/json')).resolves.toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    await expect(read('{"columns":{"age":[1,4],"income":[2],"tenure":[3,6]}}', 'application/json')).rejects.toThrow(
      'columns.income has 1 values; the other columns have 2',
    );
  });

  it('names a missing field, a non-number and malformed JSON', async () => {
    await expect(read('[{"age":1,"income":2}]', 'application/json')).rejects.toThrow("row 1, field 'tenure': missing");
    await expect(read('{"instances":[[1,"2",3]]}', 'application/json')).rejects.toThrow(`row 1, field 'income': expected a finite number (double), got "2"`);
    await expect(read('{"instances":[[1,2,3],[1,null,3]]}', 'application/json')).rejects.toThrow("row 2, field 'income': missing");
    await expect(read('{"instances":', 'application/json')).rejects.toThrow(/not valid JSON/);
    await expect(read('{"rows":[]}', 'application/json')).rejects.toThrow(/must be \{"instances"/);
  });

  it('reads a shaped field as a flat array of numbers', async () => {
    const inputs: Field[] = [{ name: 'x', type: 'float', shape: [-1, 2, 2] }];
    await expect(read('{"instances":[{"x":[[1,2],[3,4]]}]}', 'application/json', inputs)).resolves.toEqual([[[1, 2, 3, 4]]]);
    await expect(read('{"instances":[{"x":[1,2,3]}]}', 'application/json', inputs)).rejects.toThrow(/expected 4 numbers/);
  });
});

describe('limits and content negotiation', () => {
  it('refuses a body over the limit with 413', async () => {
    const error = await read('1,2,3\n'.repeat(10), 'text/csv').then(
      () => undefined,
      (e) => e,
    );
    expect(error).toBeUndefined();
    const big = await readInputRows(new Uint8Array(MAX_PAYLOAD_BYTES + 1), 'text/csv', { inputs: NUMERIC }).catch((e) => e);
    expect(big).toBeInstanceOf(PayloadTooLarge);
    expect(big).toMatchObject({ status: 413 });
  });

  it('refuses a content type it cannot read with 415, listing what it reads', async () => {
    const error = await read('1,2,3', 'application/octet-stream').catch((e) => e);
    expect(error).toBeInstanceOf(UnsupportedContentType);
    expect(error).toMatchObject({ status: 415, message: "content type 'application/octet-stream' is not supported; send one of: text/csv, application/json" });
  });

  it('picks the best supported Accept by q, falling back on wildcards', () => {
    const supported = ['application/json', 'text/csv'] as const;
    expect(negotiate(undefined, supported)).toBe('application/json');
    expect(negotiate('*/*', supported)).toBe('application/json');
    expect(negotiate('text/csv', supported)).toBe('text/csv');
    expect(negotiate('application/json;q=0.2, text/csv', supported)).toBe('text/csv');
    expect(negotiate('text/*', supported)).toBe('text/csv');
    expect(() => negotiate('image/png', supported)).toThrow(NotAcceptable);
  });
});
