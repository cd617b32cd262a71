/**
 * Canonical JSON: one byte sequence per JSON value, so a hash of an audit event
 * can be recomputed by anyone, in any language, from the exported event.
 *
 * The form is RFC 8785 (JSON Canonicalization Scheme, "JCS") for the values
 * Steward stores, stated here so it can be reimplemented without reading code:
 *
 * - `null`, `true`, `false` are written as those literals.
 * - A string is written as ECMAScript `JSON.stringify` writes it: in double
 *   quotes; `"` and `\` escaped with a backslash; U+0008, U+0009, U+000A,
 *   U+000C, U+000D as `\b \t \n \f \r`; every other code point below U+0020
 *   as `\u00xx` (lower-case hex); every other character, including non-ASCII,
 *   as itself (the whole text is then encoded as UTF-8).
 * - A number must be finite and is written as ECMAScript `Number.prototype
 *   .toString` writes it (shortest round-trip form; `-0` as `0`; exponent
 *   form `1e+21` from 1e21 up and `1e-7` below 1e-6) — which is what RFC 8785
 *   prescribes.
 * - An array is `[` + its elements in order, separated by `,` + `]`.
 * - An object is `{` + its members sorted by key, comparing keys as sequences
 *   of UTF-16 code units, each written `"key":value`, separated by `,` + `}`.
 *   A member whose value is `undefined` is left out (as if absent).
 * - No whitespace anywhere.
 *
 * Anything that is not a JSON value (undefined outside an object, NaN,
 * Infinity, bigint, functions, symbols, Dates, Sets, Maps, binary) is refused
 * with a TypeError rather than guessed at: a hash over an ambiguous form would
 * prove nothing.
 *
 * @example
 * canonicalJson({ b: [1, 'x'], a: null }) // '{"a":null,"b":[1,"x"]}'
 */
export function canonicalJson(value: unknown): string {
  return write(value, '$');
}

function write(value: unknown, path: string): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`canonical JSON: ${path} is ${value}, not a finite number`);
      // Number#toString already writes -0 as "0", as RFC 8785 requires.
      return String(value);
    case 'object':
      break;
    default:
      throw new TypeError(`canonical JSON: ${path} is a ${typeof value}, not a JSON value`);
  }
  if (Array.isArray(value)) {
    return `[${value.map((element, i) => {
      if (element === undefined) throw new TypeError(`canonical JSON: ${path}[${i}] is undefined`);
      return write(element, `${path}[${i}]`);
    }).join(',')}]`;
  }
  const prototype = Object.getPrototypeOf(value);
  // A plain object's prototype is some realm's Object.prototype (whose own prototype is null): objects
  // that crossed a realm (a child process's answer deserialized under jest's vm context) are still plain.
  if (prototype !== null && Object.getPrototypeOf(prototype) !== null) {
    throw new TypeError(`canonical JSON: ${path} is a ${(value as object).constructor?.name ?? 'non-plain object'}, not a plain object`);
  }
  const record = value as Record<string, unknown>;
  // Default string comparison in JavaScript is by UTF-16 code units: exactly RFC 8785's order.
  const keys = Object.keys(record).filter((k) => record[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${write(record[k], `${path}.${k}`)}`).join(',')}}`;
}
