import { inspectDatasetObject } from '../../../../core/catalog/datasets/inspect-dataset-object';
import { MalformedDataset } from '../../../../core/catalog/datasets/dataset-problems';
import { readParquet } from '../../../../core/catalog/datasets/tabular-readers';
import { writeParquet } from '../../../fixtures/datasets/parquet-writer';

const COLUMNS = [
  { name: 'id', type: 'int64' },
  { name: 'score', type: 'double', optional: true },
  { name: 'label', type: 'utf8' },
  { name: 'flag', type: 'boolean' },
] as const;
// Two row groups, to read the file one group at a time.
const FILE = writeParquet(COLUMNS, [
  [
    [1, 0.5, 'a', true],
    [2, null, 'b', false],
    [3, 1.5, 'a', true],
  ],
  [
    [4, 2.5, 'a', false],
    [5, null, 'b', true],
  ],
]);

function memory(bytes: Buffer) {
  const ranges: Array<[number, number]> = [];
  const source = {
    byteLength: bytes.length,
    slice: async (start: number, end = bytes.length) => {
      ranges.push([start, end]);
      return bytes.buffer.slice(bytes.byteOffset + start, bytes.byteOffset + end) as ArrayBuffer;
    },
  };
  return { source, ranges };
}

describe('Parquet reading', () => {
  it('reads typed rows group by group', async () => {
    const rows: unknown[][] = [];
    let header: readonly string[] = [];
    await readParquet(memory(FILE).source, (values, h) => {
      rows.push(Array.from(values));
      header = h;
    });
    expect(header).toEqual(['id', 'score', 'label', 'flag']);
    expect(rows).toEqual([
      [1n, 0.5, 'a', true],
      [2n, null, 'b', false],
      [3n, 1.5, 'a', true],
      [4n, 2.5, 'a', false],
      [5n, null, 'b', true],
    ]);
  });

  it('profiles a stored Parquet file: hashed by stream, read by ranges', async () => {
    const { source } = memory(FILE);
    const storage = {
      open: async () =>
        (async function* () {
          yield FILE;
        })(),
      ranges: async () => source,
    };
    const inspection = await inspectDatasetObject(storage, 'k', 'parquet', { size: FILE.length });
    const [id, score, label, flag] = inspection.profile!.columns;
    expect(inspection.profile!.rowCount).toBe(5);
    expect(id).toMatchObject({ type: 'integer', count: 5, mean: 3, min: 1, max: 5 });
    expect(score).toMatchObject({ type: 'number', count: 3, missing: 2, nullable: true, mean: 1.5 });
    expect(label).toMatchObject({
      type: 'string',
      categorical: true,
      topCategories: [
        { value: 'a', count: 3 },
        { value: 'b', count: 2 },
      ],
    });
    expect(flag).toMatchObject({
      type: 'boolean',
      topCategories: [
        { value: 'true', count: 3 },
        { value: 'false', count: 2 },
      ],
    });
  });

  it('refuses a file that is not Parquet', async () => {
    const error = await readParquet(memory(Buffer.from('id,score\n1,2\n')).source, () => undefined).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MalformedDataset);
    expect((error as MalformedDataset).message).toMatch(/^malformed PARQUET: not a readable Parquet file/);
  });
});
