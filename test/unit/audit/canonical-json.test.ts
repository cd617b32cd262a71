import { runInNewContext } from 'node:vm';
import { canonicalJson } from '../../../core/audit/canonical-json';

describe('canonical JSON', () => {
  it('writes the same text whatever order keys were inserted in, at every depth', () => {
    const a = { b: 1, a: { y: [3, { q: 1, p: 2 }], x: null } };
    const b = { a: { x: null, y: [3, { p: 2, q: 1 }] }, b: 1 };
    expect(canonicalJson(a)).toBe('{"a":{"x":null,"y":[3,{"p":2,"q":1}]},"b":1}');
    expect(canonicalJson(b)).toBe(canonicalJson(a));
  });

  it('keeps array order and leaves out undefined members, as if absent', () => {
    expect(canonicalJson([3, 1, 2])).toBe('[3,1,2]');
    expect(canonicalJson({ a: 1, gone: undefined })).toBe(canonicalJson({ a: 1 }));
  });

  it('matches the RFC 8785 example (numbers, escapes, literals)', () => {
    const value = {
      // eslint-disable-next-line no-loss-of-precision -- RFC 8785's own example: the literal is the point
      numbers: [333333333.33333329, 1e30, 4.5, 2e-3, 0.000000000000000000000000001],
      string: '\u20ac$\u000F\u000aA\'\u0042\u0022\u005c\\"/',
      literals: [null, true, false],
    };
    expect(canonicalJson(value)).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });

  it('orders keys by UTF-16 code units (so an astral character sorts before U+FFFF)', () => {
    expect(canonicalJson({ '\uffff': 1, '\u{1F600}': 2, a: 3, B: 4, é: 5 })).toBe('{"B":4,"a":3,"é":5,"\u{1F600}":2,"\uffff":1}');
  });

  it('accepts a plain object made in another realm (a child process answer read under jest), and still refuses class instances from it', () => {
    const foreign = runInNewContext('({ kind: "packed", fields: ["a", "b"] })') as object;
    expect(Object.getPrototypeOf(foreign)).not.toBe(Object.prototype);
    expect(canonicalJson({ binding: foreign })).toBe('{"binding":{"fields":["a","b"],"kind":"packed"}}');
    expect(() => canonicalJson({ at: runInNewContext('new Date(0)') })).toThrow(TypeError);
  });

  it('writes -0 as 0 and large numbers in exponent form', () => {
    expect(canonicalJson([-0, 1e21, 1e-7, 123456789012345680000])).toBe('[0,1e+21,1e-7,123456789012345680000]');
  });

  it('writes plain objects made in another realm (IPC from a child process, another vm context) like any other', () => {
    const foreign = runInNewContext('({ b: { y: [1, { q: 2 }] }, a: null })') as unknown;
    expect(Object.getPrototypeOf(foreign)).not.toBe(Object.prototype);
    expect(canonicalJson({ summary: foreign })).toBe('{"summary":{"a":null,"b":{"y":[1,{"q":2}]}}}');
    expect(canonicalJson(Object.assign(Object.create(null), { k: 1 }))).toBe('{"k":1}');
  });

  it.each([
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['a bigint', 1n],
    ['a Date', new Date(0)],
    ['a Set', new Set(['a'])],
    ['binary', new Uint8Array([1])],
    ['undefined in an array', [1, undefined]],
    ['a function', () => 1],
    [
      'a class instance',
      new (class Point {
        x = 1;
      })(),
    ],
    ['a Date from another realm', runInNewContext('new Date(0)')],
  ])('refuses %s rather than guess', (_name, value) => {
    expect(() => canonicalJson({ v: value })).toThrow(TypeError);
  });
});
