import { ValidationFailed } from '../errors';

/**
 * Tenant ids are opaque and fixed-length (`t` + 15 Crockford base32 chars), so
 * that no id is a prefix of another and a key prefix identifies one tenant.
 */
export const TENANT_ID_PATTERN = /^t[0-9a-hjkmnp-tv-z]{15}$/;
export const TENANT_ID_LENGTH = 16;

const SEPARATOR = '#';

export function isTenantId(value: string): boolean {
  return TENANT_ID_PATTERN.test(value);
}

export function assertTenantId(value: string): string {
  if (!isTenantId(value)) throw new ValidationFailed('invalid tenant id', [{ field: 'tenantId', problem: 'malformed' }]);
  return value;
}

/** The key prefix owning every item of one tenant. */
export function tenantPrefix(tenantId: string): string {
  return `T${SEPARATOR}${assertTenantId(tenantId)}${SEPARATOR}`;
}

/** Key segments must not contain the separator, or one key could imitate another. */
export function keySegment(value: string | number): string {
  const text = String(value);
  if (text.length === 0 || text.includes(SEPARATOR)) {
    throw new ValidationFailed('invalid key segment', [{ field: 'key', problem: `segment '${text}' is empty or contains '${SEPARATOR}'` }]);
  }
  return text;
}

export function tenantKey(tenantId: string, parts: readonly (string | number)[]): string {
  return tenantPrefix(tenantId) + parts.map(keySegment).join(SEPARATOR);
}

/** tenantKey for one tenant, its id checked once here rather than on every key (a table builds several per request). */
export function tenantKeys(tenantId: string): (parts: readonly (string | number)[]) => string {
  const prefix = tenantPrefix(tenantId);
  return (parts) => prefix + parts.map(keySegment).join(SEPARATOR);
}

/** Platform (control-plane) keys: tenant registry, global indexes. Never tenant data. */
export function platformKey(parts: readonly (string | number)[]): string {
  return `P${SEPARATOR}` + parts.map(keySegment).join(SEPARATOR);
}

/** Sort keys may embed free text (names), so they join raw values; only partitions need the guard. */
export function sortKey(parts: readonly (string | number)[]): string {
  return parts.map(String).join(SEPARATOR);
}
