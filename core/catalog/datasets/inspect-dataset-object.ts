import { createHash, type Hash } from 'node:crypto';
import { DEFAULT_PROFILE_LIMITS, type ProfileLimits } from './column-profile';
import { MalformedDataset } from './dataset-problems';
import { type DatasetFormat, type DatasetProfile, DatasetProfiler, HistogramPass, type RowSink } from './dataset-profiler';
import { type ByteRangeSource, readCsv, readJsonLines, readParquet } from './tabular-readers';

/** How the inspection reads the object (DatasetObjects in production; in-memory bytes in unit tests). */
export interface DatasetBytes {
  open(key: string): Promise<AsyncIterable<Uint8Array>>;
  ranges(key: string, byteLength: number): Promise<ByteRangeSource>;
}

export interface Inspection {
  readonly sha256: string;
  /** Bytes actually read. */
  readonly bytes: number;
  /** The profile, when the content parsed (and the digest matched, if one was expected). */
  readonly profile?: DatasetProfile;
  /** Why the content does not parse. */
  readonly problem?: MalformedDataset;
}

/**
 * Hashes and profiles a stored dataset file while streaming it, never holding
 * it whole. CSV and JSON Lines are hashed and parsed in the same pass; if the
 * content turns out malformed, the rest is still read for the digest, because
 * a wrong digest is the more useful answer (the upload, not the file, is
 * wrong). Parquet needs random access: it is hashed first, then read by
 * ranges. A second pass counts exact histograms for columns with more values
 * than the quantile reservoir holds.
 */
export async function inspectDatasetObject(
  storage: DatasetBytes,
  key: string,
  format: DatasetFormat,
  options: { size: number; expectedSha256?: string; limits?: ProfileLimits },
): Promise<Inspection> {
  const profiler = new DatasetProfiler(format, options.limits ?? DEFAULT_PROFILE_LIMITS);
  const hash = createHash('sha256');
  let bytes: number;
  let problem: MalformedDataset | undefined;
  if (format === 'parquet') {
    bytes = await drain(new Puller(await storage.open(key), hash));
    const sha256 = hash.digest('hex');
    if (options.expectedSha256 !== undefined && sha256 !== options.expectedSha256) return { sha256, bytes };
    problem = await captureProblem(async () => readParquet(await storage.ranges(key, bytes), profiler.addRow));
    if (problem) return { sha256, bytes, problem };
    return { sha256, bytes, profile: await finish(storage, key, format, profiler, bytes) };
  }
  const puller = new Puller(await storage.open(key), hash);
  problem = await captureProblem(() => readRows(format, puller.chunks(), profiler.addRow));
  bytes = await drain(puller);
  const sha256 = hash.digest('hex');
  if (problem || (options.expectedSha256 !== undefined && sha256 !== options.expectedSha256)) return { sha256, bytes, problem };
  return { sha256, bytes, profile: await finish(storage, key, format, profiler, bytes) };
}

async function finish(storage: DatasetBytes, key: string, format: DatasetFormat, profiler: DatasetProfiler, bytes: number): Promise<DatasetProfile> {
  const plan = profiler.histogramPlan();
  if (plan.size === 0) return profiler.finish();
  const pass = new HistogramPass(format, plan);
  if (format === 'parquet') await readParquet(await storage.ranges(key, bytes), pass.addRow);
  else await readRows(format, await storage.open(key), pass.addRow);
  return profiler.finish(pass.result());
}

function readRows(format: 'csv' | 'jsonl', chunks: AsyncIterable<Uint8Array>, onRow: RowSink): Promise<void> {
  return format === 'csv' ? readCsv(chunks, onRow) : readJsonLines(chunks, onRow);
}

async function captureProblem(run: () => Promise<void>): Promise<MalformedDataset | undefined> {
  try {
    await run();
    return undefined;
  } catch (error) {
    if (error instanceof MalformedDataset) return error;
    throw error;
  }
}

async function drain(puller: Puller): Promise<number> {
  while (!(await puller.pull()).done);
  return puller.bytes;
}

/**
 * Pulls chunks from the object stream one at a time, hashing each as it is
 * pulled. The parser may abandon its iterator midway (malformed content); the
 * underlying stream stays open, and `drain` finishes the digest. Pulls are
 * serialized, so chunks are hashed in order whoever asks for them.
 */
class Puller {
  bytes = 0;
  private readonly source: AsyncIterator<Uint8Array>;
  private last: Promise<IteratorResult<Uint8Array>> = Promise.resolve({ done: false, value: new Uint8Array() });
  private finished = false;

  constructor(
    stream: AsyncIterable<Uint8Array>,
    private readonly hash: Hash,
  ) {
    this.source = stream[Symbol.asyncIterator]();
  }

  pull(): Promise<IteratorResult<Uint8Array>> {
    this.last = this.last.then(async () => {
      if (this.finished) return { done: true, value: undefined };
      const next = await this.source.next();
      if (next.done) this.finished = true;
      else {
        this.hash.update(next.value);
        this.bytes += next.value.byteLength;
      }
      return next;
    });
    return this.last;
  }

  /** The chunks for a parser; abandoning this iterable leaves the stream open for `drain`. */
  async *chunks(): AsyncIterable<Uint8Array> {
    for (;;) {
      const next = await this.pull();
      if (next.done) return;
      yield next.value;
    }
  }
}
