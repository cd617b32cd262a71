import { decodeCursor, encodeCursor } from '../../../core/adapters/store-cursor';
import { ValidationFailed } from '../../../core/errors';
import { isTenantId, keySegment, tenantKey, tenantKeys, tenantPrefix } from '../../../core/storage/keys';
import { newTenantId } from '../../../core/tenancy/tenant-id';

describe('tenant keys', () => {
  it('generates opaque fixed-length tenant ids that no other id prefixes', () => {
    const ids = Array.from({ length: 2000 }, () => newTenantId());
    for (const id of ids) {
      expect(id).toHaveLength(16);
      expect(isTenantId(id)).toBe(true);
    }
    expect(new Set(ids).size).toBe(ids.length);
    const prefixes = ids.map(tenantPrefix);
    for (const p of prefixes.slice(0, 50)) expect(prefixes.filter((q) => q.startsWith(p))).toHaveLength(1);
  });

  it('puts the tenant first in every key and refuses separator smuggling', () => {
    const id = newTenantId();
    expect(tenantKey(id, ['MODEL', 'abc'])).toBe(`T#${id}#MODEL#abc`);
    expect(() => keySegment('a#T#other')).toThrow(ValidationFailed);
    expect(() => keySegment('')).toThrow(ValidationFailed);
    expect(() => tenantPrefix('T#x')).toThrow(ValidationFailed);
  });
});

describe('one tenant’s key builder', () => {
  it('builds the same keys as tenantKey, refusing a malformed tenant id up front and separator smuggling per key', () => {
    const tenantId = newTenantId();
    const keys = tenantKeys(tenantId);
    expect(keys(['MODEL', 'm1', 3])).toBe(tenantKey(tenantId, ['MODEL', 'm1', 3]));
    expect(() => keys(['MODEL', 'a#b'])).toThrow(ValidationFailed);
    expect(() => tenantKeys('T#other#')).toThrow(ValidationFailed);
  });
});

describe('cursors', () => {
  const mine = tenantPrefix(newTenantId());
  const theirs = tenantPrefix(newTenantId());

  it('round-trips a key under the caller’s prefix', () => {
    const key = { pk: `${mine}MODELS`, sk: 'a', gsi1pk: `${mine}X`, gsi1sk: 'b' };
    expect(decodeCursor(encodeCursor(key), mine)).toEqual(key);
  });

  it('refuses a cursor that would start a page in another tenant', () => {
    const forged = encodeCursor({ pk: `${theirs}MODELS`, sk: 'a' });
    expect(() => decodeCursor(forged, mine)).toThrow(ValidationFailed);
    expect(() => decodeCursor(encodeCursor({ pk: `${mine}A`, sk: 'x', gsi1pk: `${theirs}B`, gsi1sk: 'y' }), mine)).toThrow(ValidationFailed);
  });

  it('refuses garbage', () => {
    for (const bad of [
      '%%%',
      Buffer.from('[1,2]').toString('base64url'),
      Buffer.from('{}').toString('base64url'),
      Buffer.from('{"pk":1}').toString('base64url'),
    ]) {
      expect(() => decodeCursor(bad, mine)).toThrow(ValidationFailed);
    }
  });
});
