import { randomBytes } from 'node:crypto';

const CROCKFORD = '0123456789abcdefghjkmnpqrstvwxyz';

/** `t` + 15 Crockford base32 characters (75 random bits): opaque, fixed length. */
export function newTenantId(): string {
  const bytes = randomBytes(15);
  let id = 't';
  for (const byte of bytes) id += CROCKFORD[byte & 31];
  return id;
}
