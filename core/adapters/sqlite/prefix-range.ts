/**
 * The least string greater than every string that starts with `prefix`, in
 * code-point order (which is UTF-8 byte order, SQLite's BINARY collation and
 * DynamoDB's key order): `begins_with(x, p)` ⇔ `p <= x < prefixUpperBound(p)`.
 * The last code point is incremented (skipping the surrogate range); a
 * trailing U+10FFFF cannot be, so it is dropped and the one before it taken.
 * An empty prefix (or one of U+10FFFF only) has no bound: U+10FFFF twice is
 * beyond any key Steward writes.
 */
export function prefixUpperBound(prefix: string): string {
  const points = Array.from(prefix);
  while (points.length > 0) {
    const last = points.pop()!.codePointAt(0)!;
    if (last < 0x10ffff) {
      const next = last + 1 === 0xd800 ? 0xe000 : last + 1;
      return points.join('') + String.fromCodePoint(next);
    }
  }
  return '\u{10FFFF}\u{10FFFF}';
}
