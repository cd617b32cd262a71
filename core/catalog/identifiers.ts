import { ulid } from 'ulid';
import { z } from 'zod';
import { sha256Hex } from '../identity/secrets';
import { ulidRandom } from '../storage/ulid-random';

/** Catalog ids: lower-case ULIDs, time-ordered, safe as key segments and path parameters. */
export function newCatalogId(at: Date): string {
  return ulid(at.getTime(), ulidRandom).toLowerCase();
}

export const CatalogIdSchema = z.string().regex(/^[0-9a-hjkmnp-tv-z]{26}$/, 'not a catalog id');

/** Names people type: letters, digits, dot, dash, underscore; case kept, compared case-insensitively. */
export const NameSchema = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'use letters, digits, dot, dash or underscore, starting with a letter or digit');

export const TagSchema = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:/=+-]*$/, 'use letters, digits and . _ : / = + -');

export const TagsSchema = z
  .array(TagSchema)
  .max(20)
  .default([])
  .transform((tags) => [...new Set(tags.map((t) => t.toLowerCase()))].sort());

/** Digests of recent facet values: a registration digests its owner, framework and tags twice each, and the same few values recur across requests. */
const FACET_DIGESTS = new Map<string, string>();
const MAX_FACET_DIGESTS = 4096;

/** Free text (owners, tags) becomes a key segment only through a digest, so no value can forge a key. */
export function facetValue(value: string): string {
  let digest = FACET_DIGESTS.get(value);
  if (digest === undefined) {
    digest = sha256Hex(value.trim().toLowerCase()).slice(0, 32);
    if (FACET_DIGESTS.size >= MAX_FACET_DIGESTS) FACET_DIGESTS.clear();
    FACET_DIGESTS.set(value, digest);
  }
  return digest;
}

export function nameKey(name: string): string {
  return name.trim().toLowerCase();
}

export function pad(n: number, width = 8): string {
  return String(n).padStart(width, '0');
}
