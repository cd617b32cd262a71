import type { Log } from '../ports/log';
import type { TenantObjectStore } from '../ports/object-store';

/**
 * Sampled scoring inputs and outputs on their way to the tenant's storage,
 * the base of monitoring: buffered per tenant and endpoint and written as
 * JSON lines, `captures/<endpoint>/<yyyy>/<mm>/<dd>/<hh>/<first-request>.jsonl`,
 * once a second or every 500 records, so capture costs a scoring request no
 * storage call of its own.
 */
export interface CaptureRecord {
  readonly at: string;
  readonly requestId: string;
  readonly endpointName: string;
  readonly deploymentId: string;
  readonly variant: string;
  readonly modelId: string;
  readonly version: number;
  readonly latencyMs: number;
  readonly input: unknown;
  readonly output: unknown;
}

const FLUSH_EVERY_MS = 1000;
const MAX_RECORDS = 500;

interface Pending {
  readonly objects: TenantObjectStore;
  readonly log?: Log;
  readonly endpointName: string;
  lines: string[];
  first: CaptureRecord;
}

const pending = new Map<string, Pending>();
let timer: NodeJS.Timeout | undefined;
let writing: Promise<unknown> = Promise.resolve();

export function captureScoring(objects: TenantObjectStore, record: CaptureRecord, log?: Log): void {
  const key = `${objects.tenantId}|${record.endpointName}`;
  let entry = pending.get(key);
  if (!entry) {
    entry = { objects, ...(log ? { log } : {}), endpointName: record.endpointName, lines: [], first: record };
    pending.set(key, entry);
  }
  entry.lines.push(JSON.stringify(record));
  if (entry.lines.length >= MAX_RECORDS) {
    pending.delete(key);
    void write(entry);
  }
  if (!timer) {
    timer = setTimeout(() => {
      timer = undefined;
      void flushCaptures();
    }, FLUSH_EVERY_MS);
    timer.unref();
  }
}

/** Writes everything buffered (tests; shutdown). */
export async function flushCaptures(): Promise<void> {
  const entries = [...pending.values()];
  pending.clear();
  await Promise.all([writing, ...entries.map(write)]);
}

function write(entry: Pending): Promise<void> {
  const hour = entry.first.at.slice(0, 13).replace(/[-T]/g, '/');
  const key = `captures/${entry.endpointName}/${hour}/${entry.first.at.replace(/[:.]/g, '-')}-${entry.first.requestId}.jsonl`;
  // A lost sample must not fail scoring; it is logged, with how many records it held.
  const done = entry.objects.put(key, entry.lines.join('\n') + '\n', 'application/x-ndjson').catch((error: Error) =>
    entry.log?.warn('scoring capture not written', {
      tenantId: entry.objects.tenantId,
      endpointName: entry.endpointName,
      records: entry.lines.length,
      error: error.message,
    }),
  );
  writing = Promise.all([writing, done]);
  return done;
}
