import { DEFAULT_PARQUET_LIMITS, DecodeLimitExceeded, readParquet } from '../../../../core/catalog/datasets/tabular-readers';
import { writeParquet } from '../../../fixtures/datasets/parquet-writer';

/**
 * Parquet row groups are decoded whole; the caps are checked against the
 * footer before any page is read, so a file is refused by what it declares,
 * whatever its pages hold.
 */
const COLUMNS = [
  { name: 'id', type: 'int64' },
  { name: 'x', type: 'double' },
] as const;
const rows = (n: number, from = 0) => Array.from({ length: n }, (_, i) => [from + i, (from + i) / 2]);

function source(bytes: Buffer) {
  let pageReads = 0;
  return {
    get pageReads() {
      return pageReads;
    },
    file: {
      byteLength: bytes.length,
      slice: async (start: number, end = bytes.length) => {
        // The footer sits at the end; anything before it is a page.
        if (end < bytes.length - 8 - bytes.readUInt32LE(bytes.length - 8)) pageReads++;
        return bytes.buffer.slice(bytes.byteOffset + start, bytes.byteOffset + end) as ArrayBuffer;
      },
    },
  };
}

describe('Parquet decode caps', () => {
  it('reads row groups within the caps', async () => {
    const seen: unknown[] = [];
    await readParquet(source(writeParquet(COLUMNS, [rows(50), rows(50, 50)])).file, (row) => seen.push(row[0]), {
      maxRowGroupDecodedBytes: 10_000,
      maxRowGroupCells: 100,
    });
    expect(seen).toHaveLength(100);
  });

  it('refuses a row group with more cells than the cap, naming the limit and the row group, before reading a page', async () => {
    const file = source(writeParquet(COLUMNS, [rows(50), rows(60, 50)]));
    const read = readParquet(file.file, () => undefined, { maxRowGroupDecodedBytes: 1e9, maxRowGroupCells: 100 });
    await expect(read).rejects.toBeInstanceOf(DecodeLimitExceeded);
    await expect(read).rejects.toMatchObject({ fields: [{ field: 'file', problem: expect.stringContaining('maxRowGroupCells') }] });
    await expect(read).rejects.toMatchObject({ fields: [{ problem: expect.stringContaining('row 51') }] });
    expect(file.pageReads).toBe(0);
  });

  it('refuses a row group whose declared decoded size passes the cap (a small file claiming gigabytes)', async () => {
    const file = source(writeParquet(COLUMNS, [rows(10)], { claimedUncompressedBytes: 4 * 1024 ** 3 }));
    const read = readParquet(file.file, () => undefined);
    await expect(read).rejects.toMatchObject({
      fields: [{ field: 'file', problem: expect.stringContaining(`limit of ${DEFAULT_PARQUET_LIMITS.maxRowGroupDecodedBytes} bytes`) }],
    });
    expect(file.pageReads).toBe(0);
  });
});
