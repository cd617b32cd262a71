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
  try {
    return writeUnchecked(value);
  } catch (error) {
    // Only a refused value comes here: write() walks it again, naming the offending path.
    if (error === NOT_JSON) return write(value, '$');
    throw error;
  }
}

// One Error built once: the fast path throws it to fall back to the checking writer, and a pre-built error costs no stack capture per throw.
const NOT_JSON = new Error('not a JSON value');

/**
 * write() without building a path for every member (it is hashed on every
 * audited change, and the paths are only needed for the error message).
 */
function writeUnchecked(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw NOT_JSON;
      return String(value);
    case 'object':
      break;
    default:
      throw NOT_JSON;
  }
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (value[i] === undefined) throw NOT_JSON;
      out += (i ? ',' : '') + writeUnchecked(value[i]);
    }
    return `${out}]`;
  }
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== null && (Object.getPrototypeOf(prototype) !== null || Object.prototype.toString.call(value) !== '[object Object]')) throw NOT_JSON;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  let out = '{';
  let first = true;
  for (const k of keys) {
    const member = record[k];
    if (member === undefined) continue;
    out += `${first ? '' : ','}${JSON.stringify(k)}:${writeUnchecked(member)}`;
    first = false;
  }
  return `${out}}`;
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
    return `[${value
      .map((element, i) => {
        if (element === undefined) throw new TypeError(`canonical JSON: ${path}[${i}] is undefined`);
        return write(element, `${path}[${i}]`);
      })
      .join(',')}]`;
  }
  // A plain object's prototype is *an* Object.prototype (whose own prototype is null), not
  // necessarily this realm's: values decoded by Node internals (IPC from a child process)
  // or made in another vm context are plain JSON too. Dates, Maps, class instances sit one level deeper.
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== null && (Object.getPrototypeOf(prototype) !== null || Object.prototype.toString.call(value) !== '[object Object]')) {
    throw new TypeError(`canonical JSON: ${path} is a ${value.constructor?.name ?? 'non-plain object'}, not a plain object`);
  }
  const record = value as Record<string, unknown>;
  // Default string comparison in JavaScript is by UTF-16 code units: exactly RFC 8785's order.
  const keys = Object.keys(record)
    .filter((k) => record[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${write(record[k], `${path}.${k}`)}`).join(',')}}`;
}
