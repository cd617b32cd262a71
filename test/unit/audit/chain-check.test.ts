import { checkChain } from '../../../core/audit/chain-check';
import { genesisHash, linkHash, type SealedAuditEvent } from '../../../core/audit/chain-hash';
import { chainOf, OWNER } from './chain-fixtures';

const anchor = { seq: 0, hash: genesisHash(OWNER) };
const headOf = (chain: readonly SealedAuditEvent[]) => ({ seq: chain.at(-1)!.seq, hash: chain.at(-1)!.hash });

describe('verifying a chain', () => {
  it('accepts an intact chain and counts every event', () => {
    const chain = chainOf(5);
    expect(checkChain(chain, { anchor, head: headOf(chain) })).toEqual({ checked: 5, broken: undefined });
  });

  it('content-altered: an edit that leaves the stored hash', () => {
    const chain = chainOf(5);
    const head = headOf(chain);
    chain[2] = { ...chain[2], after: { roles: ['tenant-admin'] } };
    expect(checkChain(chain, { anchor, head })).toMatchObject({ checked: 2, broken: { reason: 'content-altered', seq: 3, eventId: chain[2].eventId } });
  });

  it('content-altered: a renumbered event (seq is hashed)', () => {
    const chain = chainOf(5);
    chain[3] = { ...chain[3], seq: 3 };
    expect(checkChain(chain, { anchor }).broken).toMatchObject({ reason: 'content-altered', seq: 4 });
  });

  it('link-broken: an edit whose own hash was recomputed breaks the next link', () => {
    const chain = chainOf(5);
    const head = headOf(chain);
    const edited = { ...chain[2], after: { roles: ['tenant-admin'] } };
    chain[2] = { ...edited, hash: linkHash(edited.prevHash, edited) };
    expect(checkChain(chain, { anchor, head })).toMatchObject({ checked: 3, broken: { reason: 'link-broken', seq: 4, eventId: chain[3].eventId } });
  });

  it('link-broken: a re-hashed edit of the last event no longer matches the head', () => {
    const chain = chainOf(5);
    const head = headOf(chain);
    const edited = { ...chain[4], action: 'user.enabled' };
    chain[4] = { ...edited, hash: linkHash(edited.prevHash, edited) };
    expect(checkChain(chain, { anchor, head })).toMatchObject({ checked: 5, broken: { reason: 'link-broken', seq: 5 } });
  });

  it('sequence-gap: a deleted event, reported at the missing position', () => {
    const chain = chainOf(5);
    const head = headOf(chain);
    const afterGap = chain[3].eventId;
    chain.splice(2, 1);
    expect(checkChain(chain, { anchor, head })).toMatchObject({ checked: 2, broken: { reason: 'sequence-gap', seq: 3, eventId: afterGap } });
  });

  it('sequence-gap: a position occupied twice', () => {
    const chain = chainOf(4);
    const duplicated = [...chain.slice(0, 3), chain[2], chain[3]];
    expect(checkChain(duplicated, { anchor }).broken).toMatchObject({ reason: 'sequence-gap', seq: 4 });
  });

  it('event-missing: a deleted tail, seen against the head', () => {
    const chain = chainOf(5);
    const head = headOf(chain);
    expect(checkChain(chain.slice(0, 3), { anchor, head })).toMatchObject({ checked: 3, broken: { reason: 'event-missing', seq: 4 } });
  });

  it('link-broken: a chain grafted from another owner fails at its first link', () => {
    const chain = chainOf(3);
    expect(checkChain(chain, { anchor: { seq: 0, hash: genesisHash('t000000000000002') } }).broken).toMatchObject({ reason: 'link-broken', seq: 1 });
  });

  it('checks a window from an anchor inside the chain', () => {
    const chain = chainOf(6);
    expect(checkChain(chain.slice(3), { anchor: { seq: 3, hash: chain[2].hash }, head: headOf(chain) })).toEqual({ checked: 3, broken: undefined });
    expect(checkChain(chain.slice(3), { anchor: { seq: 3, hash: chain[1].hash } }).broken).toMatchObject({ reason: 'link-broken', seq: 4 });
  });

  it('content-altered: an event that lost its chain fields', () => {
    const chain = chainOf(2);
    const { hash: _h, ...stripped } = chain[1];
    expect(checkChain([chain[0], stripped as SealedAuditEvent], { anchor }).broken).toMatchObject({ reason: 'content-altered', seq: 2 });
  });
});
