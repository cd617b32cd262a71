import { createHash } from 'node:crypto';
import { z } from 'zod';
import { Conflict } from '../errors';
import type { KeyRef, MetadataTable } from '../ports/metadata-store';

/**
 * The tenant's record of one `Idempotency-Key`: claimed by the first request
 * that carries it (a conditional `new` write, so of two identical requests
 * at once exactly one runs), then completed with the answer that request got,
 * which every retry receives. Expires (`expiresAt`, epoch seconds: DynamoDB
 * TTL, and the embedded store) after a day; an expired record is taken over.
 */

export const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;

const StoredAnswerSchema = z.object({
  status: z.number().int(),
  body: z.string(),
  headers: z.record(z.string(), z.string()),
});
export type StoredAnswer = z.infer<typeof StoredAnswerSchema>;

const RecordSchema = z.object({
  state: z.enum(['pending', 'done']),
  fingerprint: z.string(),
  actor: z.string(),
  claimedAt: z.string(),
  expiresAt: z.number(),
  revision: z.number().int(),
  answer: z.string().optional(),
});

export type Claim =
  | { readonly kind: 'claimed'; readonly revision: number }
  | { readonly kind: 'replay'; readonly answer: StoredAnswer }
  | { readonly kind: 'mismatch' }
  | { readonly kind: 'in-progress' };

/** The key as stored: hashed, so any printable key becomes a safe key segment and keys do not leak into storage. */
function ref(key: string): KeyRef {
  return { partition: ['IDEMPOTENCY', createHash('sha256').update(key).digest('hex')], sort: 'K' };
}

/** What makes two requests "the same": caller, method, path and query, and the body's bytes. */
export function requestFingerprint(parts: { actor: string; method: string; url: string; body: string }): string {
  return createHash('sha256')
    .update(JSON.stringify([parts.actor, parts.method, parts.url, parts.body]))
    .digest('hex');
}

export async function claimKey(table: MetadataTable, key: string, fingerprint: string, actor: string, now: Date): Promise<Claim> {
  const item = (revision: number) => ({
    entity: 'idempotency-key',
    state: 'pending',
    fingerprint,
    actor,
    claimedAt: now.toISOString(),
    expiresAt: Math.floor(now.getTime() / 1000) + IDEMPOTENCY_TTL_SECONDS,
    revision,
  });
  try {
    await table.transact([{ kind: 'put', key: ref(key), item: item(1), expect: 'new' }]);
    return { kind: 'claimed', revision: 1 };
  } catch (error) {
    if (!(error instanceof Conflict)) throw error;
  }
  const existing = await readRecord(table, key);
  if (!existing) return { kind: 'in-progress' }; // released between the two calls: the caller tries again
  if (existing.expiresAt <= now.getTime() / 1000) {
    try {
      await table.transact([{ kind: 'put', key: ref(key), item: item(existing.revision + 1), expect: { revision: existing.revision } }]);
      return { kind: 'claimed', revision: existing.revision + 1 };
    } catch {
      return { kind: 'in-progress' };
    }
  }
  return judged(existing, fingerprint);
}

/**
 * Where a key stands, by a read alone (what a duplicate polls while the first
 * request runs, so waiting adds no conditional writes to the item): `absent`
 * when the first request failed and freed it.
 */
export async function peekKey(table: MetadataTable, key: string, fingerprint: string): Promise<Claim | { readonly kind: 'absent' }> {
  const existing = await readRecord(table, key);
  return existing ? judged(existing, fingerprint) : { kind: 'absent' };
}

async function readRecord(table: MetadataTable, key: string): Promise<z.infer<typeof RecordSchema> | undefined> {
  const raw = await table.get(ref(key), { consistent: true });
  return raw ? RecordSchema.parse(raw) : undefined;
}

function judged(existing: z.infer<typeof RecordSchema>, fingerprint: string): Claim {
  if (existing.fingerprint !== fingerprint) return { kind: 'mismatch' };
  if (existing.state === 'done' && existing.answer !== undefined) return { kind: 'replay', answer: StoredAnswerSchema.parse(JSON.parse(existing.answer)) };
  return { kind: 'in-progress' };
}

/** Keeps the answer of the request that claimed the key, for its retries. */
export async function completeKey(table: MetadataTable, key: string, answer: StoredAnswer): Promise<void> {
  await table.patch(ref(key), { state: 'done', answer: JSON.stringify(answer) });
}

/** Frees a key whose request did not succeed, so a retry runs afresh. */
export async function releaseKey(table: MetadataTable, key: string, revision: number): Promise<void> {
  await table.transact([{ kind: 'delete', key: ref(key), expect: { revision } }]).catch(() => undefined);
}
