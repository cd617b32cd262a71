import { createHash } from 'node:crypto';
import { chainContent, chainSortKey, genesisHash, linkHash } from '../../../core/audit/chain-hash';
import { event, OWNER } from './chain-fixtures';

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

describe('chain hash', () => {
  it('is sha256 of prevHash followed by the canonical JSON of the content, written out by hand here', () => {
    const prev = 'a'.repeat(64);
    const e = {
      eventId: 'E1',
      seq: 7,
      at: '2026-01-01T00:00:00.000Z',
      action: 'token.created',
      actor: 'user:u1',
      target: { type: 'ci-token', id: 'k1' },
      before: null,
      after: { name: 'ci' },
      requestId: 'r1',
    };
    const expected = sha256(
      prev +
        '{"action":"token.created","actor":"user:u1","after":{"name":"ci"},"at":"2026-01-01T00:00:00.000Z","before":null,"eventId":"E1","requestId":"r1","seq":7,"target":{"id":"k1","type":"ci-token"}}',
    );
    expect(linkHash(prev, e)).toBe(expected);
  });

  it('ignores the link fields and the storage discriminator, but covers seq and every other field', () => {
    const base = { ...event(1), seq: 1 };
    const h = linkHash('0'.repeat(64), base);
    expect(linkHash('0'.repeat(64), { ...base, prevHash: 'x', hash: 'y', entity: 'audit-event' })).toBe(h);
    expect(linkHash('0'.repeat(64), { ...base, seq: 2 })).not.toBe(h);
    expect(linkHash('0'.repeat(64), { ...base, note: 'added later' })).not.toBe(h);
    expect(linkHash('1'.repeat(64), base)).not.toBe(h);
    expect(chainContent({ a: 1, prevHash: 'p', hash: 'h', entity: 'e' })).toEqual({ a: 1 });
  });

  it('starts each owner’s chain from its own genesis', () => {
    expect(genesisHash(OWNER)).toBe(sha256(`steward-audit-chain:v1:${OWNER}`));
    expect(genesisHash(OWNER)).not.toBe(genesisHash('t000000000000002'));
  });

  it('pads seq so text order is numeric order in the index', () => {
    expect(chainSortKey(2) < chainSortKey(10)).toBe(true);
    expect(chainSortKey(42)).toBe('000000000042');
  });
});
