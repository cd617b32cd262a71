import fc from 'fast-check';
import { MalformedDataset } from '../../../core/catalog/datasets/dataset-problems';
import { readCsv } from '../../../core/catalog/datasets/tabular-readers';
import { ValidationFailed } from '../../../core/errors';
import { parseCsv } from '../../../core/pipelines/csv-table';
import { parseCsvText, parseCsvTextSync, readCsvBatches, readCsvRecords } from '../../../core/tabular/csv-rows';

/**
 * Every production path that reads a CSV must read a file the same way: the
 * catalog profiles a dataset with `readCsv`, the built-in trainers train on it
 * with `parseCsv`, batch scoring streams it with `readCsvBatches`. A reader of
 * its own (the hand-written loop the trainers had) diverges on exactly the
 * cases below: a line that is only `""`, stray quotes, a lone CR.
 */

type Reading = { header: readonly string[]; rows: string[][] } | { refused: true };

function training(text: string): Reading {
  try {
    const { header, rows } = parseCsv(text);
    return { header, rows };
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationFailed);
    return { refused: true };
  }
}

async function* chunked(text: string, size: number): AsyncIterable<Uint8Array> {
  const bytes = Buffer.from(text, 'utf8');
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function profiling(text: string, chunkSize: number): Promise<Reading> {
  let header: readonly string[] = [];
  const rows: string[][] = [];
  try {
    await readCsv(chunked(text, chunkSize), (values, names) => {
      header = names;
      rows.push(Array.from(values as ArrayLike<string>));
    });
  } catch (error) {
    expect(error).toBeInstanceOf(MalformedDataset);
    return { refused: true };
  }
  return { header, rows };
}

async function batches(text: string, chunkSize: number): Promise<{ header?: readonly string[]; rows: string[][] }> {
  let header: readonly string[] | undefined;
  const rows: string[][] = [];
  for await (const batch of readCsvBatches(chunked(text, chunkSize), { batchSize: 3 })) {
    header = batch.header;
    rows.push(...batch.records.map((r) => r.cells));
  }
  return { header, rows };
}

async function pushed(text: string, chunkSize: number): Promise<{ header?: readonly string[]; rows: string[][] }> {
  const rows: string[][] = [];
  const { header } = await readCsvRecords(chunked(text, chunkSize), { record: ({ cells }) => rows.push(cells) });
  return { header, rows };
}

const cellText = fc.string({ unit: fc.constantFrom('a', '7', ' ', ',', '"', '\n', '\r\n', 'é', '-'), maxLength: 6 });

/** A well-formed file, written with the liberties RFC 4180 allows, and the table it stands for. */
const wellFormed = fc
  .integer({ min: 2, max: 4 })
  .chain((width) =>
    fc.record({
      header: fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9_]{0,5}$/), { minLength: width, maxLength: width }),
      // At least one record: the dataset reader shows the header only alongside a row.
      rows: fc.array(fc.array(cellText, { minLength: width, maxLength: width }), { minLength: 1, maxLength: 6 }),
      quoteEverything: fc.boolean(),
      bom: fc.boolean(),
      // Per record: the line end after it, and how many blank lines follow.
      ends: fc.array(fc.record({ end: fc.constantFrom('\n', '\r\n'), blanks: fc.constantFrom(0, 0, 0, 1, 2) }), { minLength: 8, maxLength: 8 }),
      finalEnd: fc.boolean(),
      chunkSize: fc.integer({ min: 1, max: 64 }),
    }),
  )
  .map(({ header, rows, quoteEverything, bom, ends, finalEnd, chunkSize }) => {
    const cell = (value: string) => (quoteEverything || /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);
    const lines = [header, ...rows].map((record) => record.map(cell).join(','));
    let text = bom ? '\uFEFF' : '';
    lines.forEach((line, i) => {
      const { end, blanks } = ends[i % ends.length];
      const last = i === lines.length - 1;
      text += line + (last && !finalEnd ? '' : end + end.repeat(last ? 0 : blanks));
    });
    return { text, header, rows, chunkSize };
  });

describe('the CSV readers agree', () => {
  it('on well-formed files: quoted commas, quotes and line breaks, CRLF and LF mixed, a BOM, blank lines, chunks split anywhere', async () => {
    await fc.assert(
      fc.asyncProperty(wellFormed, async ({ text, header, rows, chunkSize }) => {
        const expected = { header, rows };
        expect(training(text)).toEqual(expected);
        expect(await profiling(text, chunkSize)).toEqual(expected);
        expect(await batches(text, chunkSize)).toEqual(expected);
        expect(await pushed(text, chunkSize)).toEqual(expected);
        const whole = await parseCsvText(text);
        expect(parseCsvTextSync(text)).toEqual(whole);
      }),
      { numRuns: 100 },
    );
  });

  it.each([
    ['a line that is only "" is a record of one empty field, not a blank line', 'a,b\n1,2\n""\n3,4\n'],
    ['a blank-looking line of spaces is a record', 'a,b\n1,2\n   \n3,4\n'],
    ['a stray quote inside an unquoted field', 'a,b\n1,x"y\n'],
    ['text after a closing quote', 'a,b\n1,"2"x\n'],
    ['a space before an opening quote', 'a,b\n1, "2"\n'],
    ['an unclosed quote', 'a,b\n1,"2\n3,4\n'],
    ['a record wider than the header', 'a,b\n1,2,3\n'],
    ['a repeated column name', 'a,a\n1,2\n'],
    ['an empty column name', 'a,,c\n1,2,3\n'],
    ['no header at all', '\uFEFF\n\r\n'],
  ])('both refuse %s', async (_, text) => {
    expect(training(text)).toEqual({ refused: true });
    expect(await profiling(text, 3)).toEqual({ refused: true });
  });

  it('neither takes a lone CR for a line end (only LF and CRLF end a record)', async () => {
    const text = 'a,b\r1,2\r\n3,4\n';
    const expected = { header: ['a', 'b\r1', '2'], rows: [['3', '4']] };
    // Three header names, a record of two: refused alike.
    expect(training(text)).toEqual({ refused: true });
    expect(await profiling(text, 2)).toEqual({ refused: true });
    expect(parseCsvTextSync(text)).toEqual({ header: expected.header, records: [{ row: 1, cells: ['3', '4'] }] });
  });
});
