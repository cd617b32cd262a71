import { negotiate } from '../../../serving/runtimes/media-types';
import { InvalidModelInput, NotAcceptable, UnsupportedContentType } from '../../../serving/runtimes/runtime-errors';
import { readTabularRows } from '../../../serving/runtimes/tabular-input';
import { bytes } from './fixtures';

const FEATURES = ['age', 'income', 'tenure'];
const read = (body: string, contentType: string | undefined) => readTabularRows(bytes(body), contentType, FEATURES);

describe('CSV requests', () => {
  it('reads headerless rows in feature order, skipping blank lines and CRLF', () => {
    expect(read('1,2,3\r\n\r\n4.5,-6,7e2\n', 'text/csv; charset=utf-8')).toEqual([
      [1, 2, 3],
      [4.5, -6, 700],
    ]);
  });

  it('matches columns by name when the first line is a header, ignoring extra columns', () => {
    expect(read('id,tenure,age,income\n"x,1",3,1,2\n', 'text/csv')).toEqual([[1, 2, 3]]);
  });

  it('names the row, feature and value it cannot read', () => {
    expect(() => read('1,2,3\n1,abc,3\n', 'text/csv')).toThrow(new InvalidModelInput("row 2, feature 'income': 'abc' is not a number"));
    expect(() => read('1,,3\n', 'text/csv')).toThrow(/row 1, feature 'income': '' is not a number/);
  });

  it('names the expected features when a row is too short or a header lacks one', () => {
    expect(() => read('1,2\n', 'text/csv')).toThrow('row 1 has 2 values; expected 3 (age, income, tenure)');
    expect(() => read('age,income\n1,2\n', 'text/csv')).toThrow(/header lacks feature\(s\) tenure/);
  });

  it('refuses an empty body', () => {
    expect(() => read('\n\n', 'text/csv')).toThrow('the request holds no rows to score');
  });
});

describe('JSON requests', () => {
  it('reads {instances} of arrays, objects and {features}', () => {
    const body = JSON.stringify({ instances: [[1, 2, 3], { tenure: 3, age: 1, income: 2, id: 'x' }, { features: [1, 2, 3] }] });
    expect(read(body, 'application/json')).toEqual([
      [1, 2, 3],
      [1, 2, 3],
      [1, 2, 3],
    ]);
  });

  it('reads a bare array of feature objects', () => {
    expect(read('[{"age":1,"income":2,"tenure":3}]', 'application/json')).toEqual([[1, 2, 3]]);
  });

  it('names a missing feature, a non-number and malformed JSON', () => {
    expect(() => read('[{"age":1,"income":2}]', 'application/json')).toThrow("instance 1 lacks feature 'tenure'");
    expect(() => read('{"instances":[[1,"2",3]]}', 'application/json')).toThrow(`instance 1, feature 'income': "2" is not a number`);
    expect(() => read('{"instances":[[1,null,3]]}', 'application/json')).toThrow(/null is not a number/);
    expect(() => read('{"instances":', 'application/json')).toThrow(/not valid JSON/);
    expect(() => read('{"rows":[]}', 'application/json')).toThrow(/must be \{"instances"/);
  });
});

describe('content negotiation', () => {
  it('refuses a content type it cannot read with 415, listing what it reads', () => {
    const error = (() => {
      try {
        read('1,2,3', 'application/octet-stream');
      } catch (e) {
        return e;
      }
    })();
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
