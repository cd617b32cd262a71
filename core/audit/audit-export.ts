import type { MetadataTable } from '../ports/metadata-store';
import { readChainHead, sealAsMuchAsPossible, chainOwner } from './audit-chain';
import { allAuditEvents, type AuditFilter } from './audit-trail';
import type { ChainHead } from './chain-check';
import { genesisHash, type StoredAuditEvent } from './chain-hash';
import { canonicalJson } from './canonical-json';

export type ExportFormat = 'jsonl' | 'csv';

export const EXPORT_MEDIA_TYPES: Readonly<Record<ExportFormat, string>> = {
  jsonl: 'application/x-ndjson; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
};

/** CSV columns, in order. `before`/`after` hold canonical JSON. */
export const AUDIT_CSV_COLUMNS = [
  'eventId',
  'seq',
  'at',
  'action',
  'actor',
  'targetType',
  'targetId',
  'requestId',
  'sourceIp',
  'tokenId',
  'before',
  'after',
  'prevHash',
  'hash',
] as const;

export interface AuditExport {
  readonly contentType: string;
  readonly filename: string;
  /** The chain head when the export started (an auditor checks the chain ends there); absent if the head is unreadable. */
  readonly head?: ChainHead;
  readonly body: ReadableStream<Uint8Array>;
}

/**
 * The events matching `filter`, oldest first, as a stream of JSON Lines or
 * CSV. Pending events are sealed first (up to `maxSeal`), so the export
 * carries chain fields for everything written before it; an event written
 * during the export may appear without them.
 *
 * JSON Lines: one canonical-JSON event per line, with `seq`, `prevHash` and
 * `hash` — sort by `seq` and re-verify with the rule in chain-hash.ts.
 */
export async function exportAuditTrail(
  table: MetadataTable,
  filter: AuditFilter,
  format: ExportFormat,
  options: { now: Date; maxSeal?: number },
): Promise<AuditExport> {
  const events = allAuditEvents(table, filter); // validates the filter before anything is written
  await sealAsMuchAsPossible(table, options.maxSeal ?? 10_000);
  const head = await readChainHead(table).then(
    (stored) => (stored ? { seq: stored.seq, hash: stored.hash } : { seq: 0, hash: genesisHash(chainOwner(table)) }),
    () => undefined,
  );
  const lines = format === 'jsonl' ? jsonLines(events) : csvLines(events);
  const stamp = options.now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return {
    contentType: EXPORT_MEDIA_TYPES[format],
    filename: `audit-${chainOwner(table)}-${stamp}.${format}`,
    head,
    body: textStream(lines),
  };
}

export function jsonLine(event: StoredAuditEvent): string {
  return `${canonicalJson(event)}\n`;
}

async function* jsonLines(events: AsyncIterable<StoredAuditEvent>): AsyncIterable<string> {
  for await (const event of events) yield jsonLine(event);
}

async function* csvLines(events: AsyncIterable<StoredAuditEvent>): AsyncIterable<string> {
  yield csvRow(AUDIT_CSV_COLUMNS);
  for await (const event of events) yield csvRow(csvCells(event));
}

/** One event flattened to the CSV columns. */
export function csvCells(event: StoredAuditEvent): string[] {
  const json = (value: unknown) => (value === undefined ? '' : canonicalJson(value));
  return [
    event.eventId,
    event.seq === undefined ? '' : String(event.seq),
    event.at,
    event.action,
    event.actor,
    event.target.type,
    event.target.id,
    event.requestId,
    event.sourceIp ?? '',
    event.tokenId ?? '',
    json(event.before),
    json(event.after),
    event.prevHash ?? '',
    event.hash ?? '',
  ];
}

/**
 * One RFC 4180 record, CRLF-terminated: a cell holding `,` `"` CR or LF is
 * quoted, quotes doubled. A cell a spreadsheet would run as a formula (leading
 * `=` `+` `-` `@` tab or CR, and not a plain number) gets a leading `'`, so
 * opening an export cannot execute text an actor chose (a request id, say).
 * JSON Lines is the faithful form for re-verification; CSV is for reading.
 */
export function csvRow(cells: readonly string[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}

function csvCell(raw: string): string {
  const text = /^[=+\-@\t\r]/.test(raw) && !/^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(raw) ? `'${raw}` : raw;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function textStream(chunks: AsyncIterable<string>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const iterator = chunks[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      // Several lines per chunk: one enqueue per event would make large exports chatty.
      let buffered = '';
      while (buffered.length < 64 * 1024) {
        const next = await iterator.next();
        if (next.done) {
          if (buffered) controller.enqueue(encoder.encode(buffered));
          controller.close();
          return;
        }
        buffered += next.value;
      }
      controller.enqueue(encoder.encode(buffered));
    },
    async cancel() {
      await iterator.return?.();
    },
  });
}
