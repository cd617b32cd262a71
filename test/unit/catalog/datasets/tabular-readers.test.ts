import { createHash } from 'node:crypto';
import { MalformedDataset } from '../../../../core/catalog/datasets/dataset-problems';
import { DEFAULT_PROFILE_LIMITS } from '../../../../core/catalog/datasets/column-profile';
import { type DatasetBytes, inspectDatasetObject } from '../../../../core/catalog/datasets/inspect-dataset-object';
import { readCsv, readJsonLines } from '../../../../core/catalog/datasets/tabular-readers';

/** The bytes of `text`, delivered in chunks of `size` bytes (splitting lines, quotes and UTF-8 sequences). */
async function* chunked(text: string | Uint8Array, size = 7): AsyncIterable<Uint8Array> {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function rowsOf(read: typeof readCsv, text: string, size?: number): Promise<{ header: string[]; rows: unknown[][] }> {
  const rows: unknown[][] = [];
  let header: string[] = [];
  await read(chunked(text, size), (values, h) => {
    rows.push(Array.from(values));
    header = [...h];
  });
  return { header, rows };
}

async function problemOf(run: Promise<unknown>): Promise<MalformedDataset> {
  const error = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MalformedDataset);
  return error as MalformedDataset;
}

describe('CSV reading', () => {
  it('streams records across chunk boundaries, with quoted commas, quotes and newlines, a BOM and blank lines', async () => {
    const text = '\uFEFFname,comment,n\n"Smith, J","said ""hi""\nthen left",3\n\nLee,ok,4\n';
    for (const size of [1, 3, 1024]) {
      const { header, rows } = await rowsOf(readCsv, text, size);
      expect(header).toEqual(['name', 'comment', 'n']);
      expect(rows).toEqual([
        ['Smith, J', 'said "hi"\nthen left', '3'],
        ['Lee', 'ok', '4'],
      ]);
    }
  });

  it('accepts LF and CRLF line ends, even mixed in one file', async () => {
    const { rows } = await rowsOf(readCsv, 'a,b\r\n1,2\r\n3,4\n5,"x\r\ny"\r\n', 2);
    expect(rows).toEqual([
      ['1', '2'],
      ['3', '4'],
      ['5', 'x\r\ny'],
    ]);
  });

  it('names the line of a record with the wrong number of fields', async () => {
    const problem = await problemOf(rowsOf(readCsv, 'a,b\n1,2\n3,4\n5,6,7\n8,9\n'));
    expect(problem.location).toEqual({ line: 4 });
    expect(problem.message).toBe('malformed CSV at line 4: expected 2 fields like the header, found 3');
    expect(problem.fields).toEqual([{ field: 'file', problem: 'line 4: expected 2 fields like the header, found 3' }]);
  });

  it('counts physical lines, so a quoted multi-line field before the problem is accounted for', async () => {
    const problem = await problemOf(rowsOf(readCsv, 'a,b\n"x\ny\nz",1\n2\n'));
    expect(problem.location.line).toBe(5);
  });

  it('names line and column of a stray quote', async () => {
    const opening = await problemOf(rowsOf(readCsv, 'a,b\n1,2\n3,x"y\n'));
    expect(opening.location).toEqual({ line: 3, column: 2 });
    expect(opening.message).toContain("field 2 ('b')");
    const closing = await problemOf(rowsOf(readCsv, 'a,b\n1,"2"x\n'));
    expect(closing.location).toEqual({ line: 2, column: 2 });
  });

  it('reports an unclosed quote, a bad header and an empty file', async () => {
    expect((await problemOf(rowsOf(readCsv, 'a,b\n1,"2\n3,4\n'))).problem).toBe('a quoted field is never closed');
    expect((await problemOf(rowsOf(readCsv, 'a,b,a\n1,2,3\n'))).message).toBe(
      "malformed CSV at line 1, column 3: column name 'a' appears twice (columns 1 and 3)",
    );
    expect((await problemOf(rowsOf(readCsv, 'a,,c\n1,2,3\n'))).location).toEqual({ line: 1, column: 2 });
    expect((await problemOf(rowsOf(readCsv, ''))).problem).toContain('empty');
  });
});

describe('JSON Lines reading', () => {
  it('reads objects across chunk boundaries (including split UTF-8), skipping blank lines, with the union of keys', async () => {
    const text = '{"city":"Zürich","n":1}\r\n\n{"n":2,"flag":true}\n{"city":"Малмё"}';
    for (const size of [1, 5, 1024]) {
      const { header, rows } = await rowsOf(readJsonLines, text, size);
      expect(header).toEqual(['city', 'n', 'flag']);
      expect(rows).toEqual([
        ['Zürich', 1],
        [undefined, 2, true],
        ['Малмё', undefined, undefined],
      ]);
    }
  });

  it('names line and column of invalid JSON', async () => {
    const problem = await problemOf(rowsOf(readJsonLines, '{"a":1}\n\n{"a":2,}\n'));
    expect(problem.location).toEqual({ line: 3, column: 8 });
    expect(problem.message).toMatch(/^malformed JSONL at line 3, column 8: /);
  });

  it('refuses a line that is not an object', async () => {
    const problem = await problemOf(rowsOf(readJsonLines, '{"a":1}\n[1,2]\n'));
    expect(problem.location).toEqual({ line: 2, column: 1 });
    expect(problem.problem).toBe('expected a JSON object, found an array');
  });

  it('refuses invalid UTF-8', async () => {
    const bytes = Buffer.concat([Buffer.from('{"a":"ok"}\n{"a":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}\n')]);
    const rows: unknown[] = [];
    const problem = await problemOf(readJsonLines(chunked(bytes, 1024), (v) => rows.push(v)));
    expect(problem.location.line).toBe(2);
  });
});

/** Object bytes served from memory, counting how often the object is opened. */
function memoryBytes(content: string): DatasetBytes & { opened: number } {
  const bytes = Buffer.from(content, 'utf8');
  return {
    opened: 0,
    async open() {
      this.opened++;
      return chunked(bytes, 64);
    },
    async ranges() {
      return {
        byteLength: bytes.length,
        slice: async (s: number, e?: number) => bytes.buffer.slice(bytes.byteOffset + s, bytes.byteOffset + (e ?? bytes.length)),
      };
    },
  };
}

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

describe('inspecting a stored file', () => {
  it('hashes and profiles in one pass', async () => {
    const csv = 'x,y\n1,a\n2,b\n3,a\n';
    const storage = memoryBytes(csv);
    const inspection = await inspectDatasetObject(storage, 'k', 'csv', { size: csv.length, expectedSha256: sha(csv) });
    expect(inspection).toMatchObject({ sha256: sha(csv), bytes: csv.length, profile: { rowCount: 3 } });
    expect(storage.opened).toBe(1);
  });

  it('still hashes the whole file when the content is malformed early', async () => {
    const csv = `x,y\n1,2,3\n${'4,5\n'.repeat(200)}`;
    const inspection = await inspectDatasetObject(memoryBytes(csv), 'k', 'csv', { size: csv.length });
    expect(inspection.sha256).toBe(sha(csv));
    expect(inspection.bytes).toBe(csv.length);
    expect(inspection.problem?.location.line).toBe(2);
    expect(inspection.profile).toBeUndefined();
  });

  it('returns no profile when the digest differs from the declared one', async () => {
    const csv = 'x\n1\n';
    const inspection = await inspectDatasetObject(memoryBytes(csv), 'k', 'csv', { size: csv.length, expectedSha256: sha('other') });
    expect(inspection.sha256).toBe(sha(csv));
    expect(inspection.profile).toBeUndefined();
  });

  it('counts exact histograms in a second pass when a column outgrows the quantile reservoir', async () => {
    const jsonl = Array.from({ length: 500 }, (_, i) => JSON.stringify({ v: i % 100, label: i % 2 ? 'odd' : 'even' })).join('\n');
    const storage = memoryBytes(jsonl);
    const inspection = await inspectDatasetObject(storage, 'k', 'jsonl', { size: jsonl.length, limits: { ...DEFAULT_PROFILE_LIMITS, reservoirCapacity: 50 } });
    expect(storage.opened).toBe(2);
    const v = inspection.profile!.columns[0];
    expect(v).toMatchObject({ type: 'integer', count: 500, min: 0, max: 99, quantilesEstimated: true });
    expect(v.mean).toBeCloseTo(49.5, 10);
    // 0..99 five times over, in 20 bins of width 4.95: each bin holds 5 of the integers, so 25 values.
    expect(v.histogram!.counts).toEqual(new Array(20).fill(25));
    expect(inspection.profile!.quantilesEstimated).toBe(true);
    expect(inspection.profile!.columns[1]).toMatchObject({
      categorical: true,
      topCategories: [
        { value: 'even', count: 250 },
        { value: 'odd', count: 250 },
      ],
    });
  });
});
