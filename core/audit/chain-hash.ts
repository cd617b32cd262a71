import { createHash, hash } from 'node:crypto';
import type { AuditEvent } from './audit-event';
import { canonicalJson } from './canonical-json';

/**
 * How one sealed audit event is bound to the one before it. This is the whole
 * rule an auditor needs to re-verify an export (JSON Lines) outside Steward:
 *
 * 1. `content` = the event as exported, without `prevHash` and `hash` (so it
 *    includes `seq`, and every other field the event has).
 * 2. `hash` = lower-case hex SHA-256 of the UTF-8 bytes of
 *    `prevHash + canonicalJson(content)` (canonical-json.ts; plain string
 *    concatenation, no separator).
 * 3. `prevHash` of `seq` 1 = `genesisHash(owner)`; of `seq` n > 1 = `hash` of
 *    `seq` n−1. `seq` runs 1, 2, 3… without gaps.
 * 4. The chain head (`GET /audit/verify` → `head`, export headers
 *    `x-steward-audit-head-seq` / `-hash`) names the last sealed event, so a
 *    truncated tail shows too.
 *
 * The genesis binds a chain to its owner: a chain copied into another tenant
 * does not verify there.
 */
export const GENESIS_LABEL = 'steward-audit-chain:v1:';

/** Attributes added by sealing and left out of the hashed content. */
export const LINK_FIELDS = ['prevHash', 'hash'] as const;

/** An audit event as stored; chain fields exist once the sealer has linked it. */
export type StoredAuditEvent = AuditEvent & {
  readonly seq?: number;
  readonly prevHash?: string;
  readonly hash?: string;
};

export type SealedAuditEvent = AuditEvent & { readonly seq: number; readonly prevHash: string; readonly hash: string };

export function isSealed(event: StoredAuditEvent): event is SealedAuditEvent {
  return typeof event.seq === 'number' && typeof event.hash === 'string' && typeof event.prevHash === 'string';
}

/** `prevHash` of the first event of `owner`'s chain: a tenant id, or `platform`. */
export function genesisHash(owner: string): string {
  return sha256Hex(GENESIS_LABEL + owner);
}

/** The hashed part of an event: everything but the link fields (and the storage discriminator, never exported). */
export function chainContent(event: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const { prevHash: _p, hash: _h, entity: _e, ...content } = event;
  return content;
}

/** `sha256(prevHash + canonicalJson(content))`, hex. `event` may carry link fields; they are ignored. */
export function linkHash(prevHash: string, event: Readonly<Record<string, unknown>>): string {
  return sha256Hex(prevHash + canonicalJson(chainContent(event)));
}

/** Sort key of a sealed event in the CHAIN index: fixed width so text order is numeric order. */
export function chainSortKey(seq: number): string {
  return String(seq).padStart(SEQ_DIGITS, '0');
}
export const SEQ_DIGITS = 12;

/** One-shot `crypto.hash` where Node has it (≥ 20.12): no Hash object per digest (see core/identity/secrets.ts). */
const sha256Hex: (text: string) => string =
  typeof hash === 'function' ? (text) => hash('sha256', text, 'hex') : (text) => createHash('sha256').update(text, 'utf8').digest('hex');
