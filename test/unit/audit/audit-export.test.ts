import { AUDIT_CSV_COLUMNS, csvCells, csvRow, jsonLine } from '../../../core/audit/audit-export';
import { canonicalJson } from '../../../core/audit/canonical-json';
import { chainOf } from './chain-fixtures';

describe('audit export formats', () => {
  it('CSV cells follow the documented columns, before/after as canonical JSON', () => {
    const [e] = chainOf(1);
    const cells = csvCells({ ...e, sourceIp: '10.0.0.1' });
    expect(cells).toHaveLength(AUDIT_CSV_COLUMNS.length);
    const row = Object.fromEntries(AUDIT_CSV_COLUMNS.map((c, i) => [c, cells[i]]));
    expect(row).toEqual({
      eventId: e.eventId,
      seq: '1',
      at: e.at,
      action: e.action,
      actor: e.actor,
      targetType: 'user',
      targetId: 'u1',
      requestId: 'req-1',
      sourceIp: '10.0.0.1',
      tokenId: '',
      before: '{"roles":["viewer"]}',
      after: '{"n":1,"roles":["viewer","approver"]}',
      prevHash: e.prevHash,
      hash: e.hash,
    });
  });

  it('quotes per RFC 4180 and ends records with CRLF', () => {
    expect(csvRow(['a', 'b,c', 'say "hi"', 'two\nlines'])).toBe('a,"b,c","say ""hi""","two\nlines"\r\n');
  });

  it('defuses cells a spreadsheet would run as formulas, but not negative numbers', () => {
    expect(csvRow(['=HYPERLINK("x")', '+1', '@SUM(A1)', '-5', '-2.5e3', '-x'])).toBe(`"'=HYPERLINK(""x"")",'+1,'@SUM(A1),-5,-2.5e3,'-x\r\n`);
  });

  it('JSON Lines: one canonical event per line, chain fields included', () => {
    const [e] = chainOf(1);
    const line = jsonLine(e);
    expect(line.endsWith('\n')).toBe(true);
    expect(line.slice(0, -1)).not.toContain('\n');
    expect(JSON.parse(line)).toEqual(e);
    expect(line).toBe(`${canonicalJson(e)}\n`);
  });
});
