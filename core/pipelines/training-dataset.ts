import { createHash } from 'node:crypto';
import type { TenantObjectStore } from '../ports/object-store';
import { NotFound, ValidationFailed } from '../errors';
import { type CsvTable, type NumericTable, numericTable, parseCsv } from './csv-table';

/** Built-in trainers read the whole file into memory; larger data belongs in a training job. */
export const MAX_BUILT_IN_DATASET_BYTES = 50 * 1024 * 1024;

export interface LoadedDataset {
  readonly csv: CsvTable;
  /** sha256 of the bytes read: the lineage records exactly which data a version saw. */
  readonly sha256: string;
  readonly size: number;
}

/** Reads a CSV dataset from the tenant's storage, refusing missing or oversized objects with a reason a person can act on. */
export async function loadCsvDataset(objects: TenantObjectStore, key: string): Promise<LoadedDataset> {
  const head = await objects.head(key);
  if (!head) throw datasetMissing(key);
  if (head.size > MAX_BUILT_IN_DATASET_BYTES) {
    throw new ValidationFailed(`dataset '${key}' is ${head.size} bytes; built-in trainers accept at most ${MAX_BUILT_IN_DATASET_BYTES}`, [
      { field: 'dataset.key', problem: 'too large for a built-in trainer' },
    ]);
  }
  let bytes: Uint8Array;
  try {
    bytes = await objects.getBytes(key);
  } catch (error) {
    // Deleted between the HEAD and the GET.
    if (error instanceof NotFound) throw datasetMissing(key);
    throw error;
  }
  const text = new TextDecoder('utf-8').decode(bytes);
  return { csv: parseCsv(text), sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.byteLength };
}

export function datasetTable(dataset: LoadedDataset, options: { target: string; features?: readonly string[] }): NumericTable {
  return numericTable(dataset.csv, options);
}

function datasetMissing(key: string): ValidationFailed {
  return new ValidationFailed(`dataset '${key}' was not found in this tenant's storage`, [{ field: 'dataset.key', problem: 'no such object' }]);
}
