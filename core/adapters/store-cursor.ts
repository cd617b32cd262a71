import { ValidationFailed } from '../errors';

/**
 * Pagination cursors are DynamoDB LastEvaluatedKeys, base64url-encoded. A cursor
 * comes back from a client, so on decode every key value must still sit under
 * the caller's own prefix: a forged cursor cannot start a page in another tenant.
 */
export function encodeCursor(key: Record<string, unknown> | undefined): string | undefined {
  if (!key) return undefined;
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string | undefined, requiredPrefix: string): Record<string, string> | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw invalidCursor();
  const entries = Object.entries(parsed as Record<string, unknown>);
  if (entries.length === 0 || entries.length > 6) throw invalidCursor();
  for (const [name, value] of entries) {
    if (typeof value !== 'string') throw invalidCursor();
    if ((name === 'pk' || name.endsWith('pk')) && !value.startsWith(requiredPrefix)) throw invalidCursor();
  }
  return parsed as Record<string, string>;
}

function invalidCursor(): ValidationFailed {
  return new ValidationFailed('invalid cursor', [{ field: 'query.cursor', problem: 'not a cursor issued by this list' }]);
}
