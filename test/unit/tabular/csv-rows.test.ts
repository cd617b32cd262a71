import { Readable } from 'node:stream';
import { CsvFormatError, csvCell, parseCsvText, readCsvBatches } from '../../../core/tabular/csv-rows';

describe('csv-rows: the one CSV reader', () => {
  it('streams batches of numbered records after the header: BOM, CRLF/LF mixed, quotes, blank lines', async () => {
    const text = '\uFEFFa, b ,c\r\n1,"x, y",3\n\n4,"say ""hi""\nthere",6\r\n7,8,9\n';
    const chunks = [text.slice(0, 7), text.slice(7, 20), text.slice(20)].map((s) => Buffer.from(s));
    const batches = [];
    for await (const batch of readCsvBatches(Readable.from(chunks), { batchSize: 2 })) batches.push(batch);
    expect(batches.map((b) => b.records.length)).toEqual([2, 1]);
    expect(batches[0].header).toEqual(['a', 'b', 'c']);
    expect(batches.flatMap((b) => b.records)).toEqual([
      { row: 1, cells: ['1', 'x, y', '3'] },
      { row: 2, cells: ['4', 'say "hi"\nthere', '6'] },
      { row: 3, cells: ['7', '8', '9'] },
    ]);
  });

  it('passes records of another width on, for the caller to reject one row and go on', async () => {
    const { records } = await parseCsvText('a,b\n1\n1,2,3\n');
    expect(records.map((r) => r.cells.length)).toEqual([1, 3]);
  });

  it('reads without a header when told, and reports what makes the rest unreadable', async () => {
    expect((await parseCsvText('1,2\n', { header: false })).records).toEqual([{ row: 1, cells: ['1', '2'] }]);
    const error = await parseCsvText('a,b\n1,"2\n').catch((e) => e);
    expect(error).toBeInstanceOf(CsvFormatError);
    expect(error.message).toMatch(/quoted field is never closed/);
  });

  it('writes cells as RFC 4180 does', () => {
    expect([csvCell('plain'), csvCell('a,b'), csvCell('say "hi"'), csvCell(1.5), csvCell(null), csvCell(true)]).toEqual(['plain', '"a,b"', '"say ""hi"""', '1.5', '', 'true']);
  });
});
