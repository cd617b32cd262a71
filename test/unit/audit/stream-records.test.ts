import { auditEventOf } from '../../../functions/audit-sealer/handler';

const tenant = 't000000000000001';
const record = (eventName: string, pk: string, sk: string) => ({ eventName, dynamodb: { SequenceNumber: '100', Keys: { pk: { S: pk }, sk: { S: sk } } } });

describe('audit sealer stream records', () => {
  it('finds the owner of an inserted audit event from the keys alone', () => {
    expect(auditEventOf(record('INSERT', `T#${tenant}#AUDIT`, 'E#01ABC'))).toEqual({ owner: tenant, eventId: '01ABC', sequenceNumber: '100' });
    expect(auditEventOf(record('INSERT', 'P#AUDIT', 'E#01ABC'))).toEqual({ owner: 'platform', eventId: '01ABC', sequenceNumber: '100' });
  });

  it('ignores its own sealing updates, other items and malformed tenant ids', () => {
    expect(auditEventOf(record('MODIFY', `T#${tenant}#AUDIT`, 'E#01ABC'))).toBeUndefined();
    expect(auditEventOf(record('INSERT', `T#${tenant}#AUDIT-HEAD`, 'META'))).toBeUndefined();
    expect(auditEventOf(record('INSERT', `T#${tenant}#USER#u1`, 'META'))).toBeUndefined();
    expect(auditEventOf(record('INSERT', 'T#nope#AUDIT', 'E#01ABC'))).toBeUndefined();
  });
});
