import { Readable } from 'node:stream';
import { CsvFormatError, csvCell, type LocatedCsvRecord, parseCsvText, parseCsvTextSync, readCsvBatches, readCsvRecords } from '../../../core/tabular/csv-rows';

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

  it('closes its source when the caller stops early, and leaves a fully read one ended', async () => {
    // A source that never ends by itself, as a large S3 body still arriving: only a destroy closes it.
    let sent = 0;
    const endless = new Readable({
      read() {
        this.push(sent++ === 0 ? 'a,b\n' : `${sent},${sent}\n`);
      },
    });
    for await (const batch of readCsvBatches(endless, { batchSize: 10 })) {
      expect(batch.records).toHaveLength(10);
      break;
    }
    expect(endless.destroyed).toBe(true);
    const whole = Readable.from(['a,b\n1,2\n']);
    const read = [];
    for await (const batch of readCsvBatches(whole)) read.push(batch);
    expect(read).toHaveLength(1);
    expect(whole.readableEnded).toBe(true);
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

  it('pushes the header, then each record with the physical line it ends on, from inside the parser', async () => {
    const seen: (string | LocatedCsvRecord)[] = [];
    const text = '\uFEFFa,b\r\n1,"x\ny"\n\n2,3\r\n';
    const read = await readCsvRecords(Readable.from([Buffer.from(text)]), {
      header: (names) => seen.push(names.join('|')),
      record: (record) => seen.push(record),
    });
    expect(seen).toEqual(['a|b', { row: 1, line: 3, cells: ['1', 'x\ny'] }, { row: 2, line: 5, cells: ['2', '3'] }]);
    expect(read).toEqual({ header: ['a', 'b'], records: 2 });
    expect(await readCsvRecords('', { record: () => undefined })).toEqual({ header: undefined, records: 0 });
  });

  it('stops reading at the record whose handler throws, before a later problem in the file', async () => {
    const refused = new Error('row 2 refused');
    const rows: number[] = [];
    const reading = readCsvRecords('a\n1\n2\n3\n"never closed\n', {
      record: ({ row }) => {
        rows.push(row);
        if (row === 2) throw refused;
      },
    });
    await expect(reading).rejects.toBe(refused);
    expect(rows).toEqual([1, 2]);
  });

  it('reads text at once the way it streams it, and says which problem and which field', async () => {
    const text = 'a,b\r\n1,"x, y"\n\n2\n';
    expect(parseCsvTextSync(text)).toEqual(await parseCsvText(text));
    expect(parseCsvTextSync('1,2\n', { header: false })).toEqual({ header: undefined, records: [{ row: 1, cells: ['1', '2'] }] });
    expect(parseCsvTextSync('')).toEqual({ header: undefined, records: [] });
    for (const [input, problem, line, field] of [
      ['a,b\n1,"2\n3,4\n', 'unclosed-quote', 3, undefined],
      ['a,b\n1,2\n3,x"y\n', 'quote-in-unquoted-field', 3, 2],
      ['a,b\n1,"2"x\n', 'text-after-closing-quote', 2, 2],
    ] as const) {
      const error = (() => {
        try {
          parseCsvTextSync(input);
        } catch (e) {
          return e;
        }
      })();
      // csv-parse/sync throws its own copy of CsvError; the caller still gets a CsvFormatError.
      expect(error).toBeInstanceOf(CsvFormatError);
      expect(error).toMatchObject({ problem, line, field });
      expect(await parseCsvText(input).catch((e: unknown) => e)).toMatchObject({ problem, line, field });
    }
  });

  it('writes cells as RFC 4180 does', () => {
    expect([csvCell('plain'), csvCell('a,b'), csvCell('say "hi"'), csvCell(1.5), csvCell(null), csvCell(true)]).toEqual([
      'plain',
      '"a,b"',
      '"say ""hi"""',
      '1.5',
      '',
      'true',
    ]);
  });
});
