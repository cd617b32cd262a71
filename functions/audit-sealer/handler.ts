import { z } from 'zod';
import type { MetadataTable } from '../../core/ports/metadata-store';
import { AuditSealer } from '../../core/audit/audit-sealer';
import { AuditChainCorrupted, sealPending } from '../../core/audit/audit-chain';
import type { Platform } from '../../core/platform/platform';
import { isTenantId } from '../../core/storage/keys';
import { awsPlatform } from '../shared/aws-platform';

/**
 * Seals audit events on AWS. Two triggers, one function:
 * - the table's DynamoDB stream (INSERT records of audit events; a KEYS_ONLY
 *   view suffices): the tenants whose events are in the batch are sealed;
 * - a schedule (`{ "sweep": true }`): every tenant in the registry, as a
 *   backstop for anything a failed or lost invocation left pending.
 *
 * A stream record can arrive before the event is visible in the UNSEALED
 * index (GSIs are eventually consistent), so after sealing, the batch's own
 * events are read back (consistently) and sealing is retried until they carry
 * a hash; if they still do not, that tenant's first record is reported as a
 * batch item failure and Lambda delivers it again (ReportBatchItemFailures).
 */
const StreamRecordSchema = z.object({
  eventName: z.string().optional(),
  dynamodb: z
    .object({
      SequenceNumber: z.string().optional(),
      Keys: z.record(z.string(), z.object({ S: z.string().optional() }).passthrough()).optional(),
    })
    .passthrough()
    .optional(),
});
const StreamEventSchema = z.object({ Records: z.array(StreamRecordSchema) });
const SweepEventSchema = z.object({ sweep: z.literal(true) });

export interface BatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}

/** An audit event's owner and id from a stream record's keys; undefined for anything else. */
export function auditEventOf(record: z.infer<typeof StreamRecordSchema>): { owner: string; eventId: string; sequenceNumber?: string } | undefined {
  if (record.eventName !== 'INSERT') return undefined;
  const pk = record.dynamodb?.Keys?.pk?.S;
  const sk = record.dynamodb?.Keys?.sk?.S;
  if (!pk || !sk?.startsWith('E#')) return undefined;
  const sequenceNumber = record.dynamodb?.SequenceNumber;
  if (pk === 'P#AUDIT') return { owner: 'platform', eventId: sk.slice(2), sequenceNumber };
  const match = /^T#([^#]+)#AUDIT$/.exec(pk);
  if (!match || !isTenantId(match[1])) return undefined;
  return { owner: match[1], eventId: sk.slice(2), sequenceNumber };
}

export interface SealerHandlerOptions {
  /** Read-back attempts before a batch is handed back to Lambda (default 4). */
  readonly confirmAttempts?: number;
  readonly confirmDelayMs?: number;
  /** Events one owner may seal per invocation (default 5000). */
  readonly maxPerOwner?: number;
}

/** The handler over a given platform (tests pass a local one). */
export function createAuditSealerHandler(platform: () => Platform, options: SealerHandlerOptions = {}) {
  return async (event: unknown): Promise<BatchResponse> => {
    if (SweepEventSchema.safeParse(event).success) {
      const sealer = new AuditSealer(platform(), { sweepEveryMs: 0, nudgeDelayMs: 0 });
      await sealer.sweep();
      return { batchItemFailures: [] };
    }
    const parsed = StreamEventSchema.parse(event);
    const byOwner = new Map<string, { eventIds: string[]; firstSequence?: string }>();
    for (const record of parsed.Records) {
      const audit = auditEventOf(record);
      if (!audit) continue;
      const entry = byOwner.get(audit.owner) ?? { eventIds: [], firstSequence: audit.sequenceNumber };
      entry.eventIds.push(audit.eventId);
      byOwner.set(audit.owner, entry);
    }
    const failures: { itemIdentifier: string }[] = [];
    await Promise.all(
      [...byOwner].map(async ([owner, entry]) => {
        const table = owner === 'platform' ? platform().platformTable() : platform().tenantTable(owner);
        try {
          await sealUntilConfirmed(table, entry.eventIds, options);
        } catch (error) {
          platform().log.error('audit sealing failed', { owner, events: entry.eventIds.length, error: error instanceof Error ? error.message : String(error) });
          // A corrupted chain will not heal by retrying the batch; the sweep and verify report it.
          if (!(error instanceof AuditChainCorrupted) && entry.firstSequence) failures.push({ itemIdentifier: entry.firstSequence });
        }
      }),
    );
    return { batchItemFailures: failures };
  };
}

async function sealUntilConfirmed(table: MetadataTable, eventIds: readonly string[], options: SealerHandlerOptions): Promise<void> {
  const attempts = options.confirmAttempts ?? 4;
  const delay = options.confirmDelayMs ?? 250;
  let waiting = [...eventIds];
  for (let attempt = 1; ; attempt++) {
    await sealPending(table, { max: options.maxPerOwner ?? 5000 });
    const still: string[] = [];
    for (let i = 0; i < waiting.length; i += 25) {
      const states = await Promise.all(
        waiting.slice(i, i + 25).map(async (id) => ({ id, item: await table.get<{ hash?: string }>({ partition: ['AUDIT'], sort: `E#${id}` }) })),
      );
      // A missing event cannot be sealed (it was removed after its INSERT): not this batch's to retry.
      still.push(...states.filter((s) => s.item && s.item.hash === undefined).map((s) => s.id));
    }
    waiting = still;
    if (waiting.length === 0) return;
    if (attempt >= attempts) throw new Error(`${waiting.length} event(s) still unsealed after ${attempts} attempts`);
    await new Promise((resolve) => setTimeout(resolve, delay * attempt));
  }
}

let lambdaPlatform: Platform | undefined;

/** DynamoDB stream / schedule → sealing. Built on first use, so importing this module needs no AWS settings. */
export const handler = createAuditSealerHandler(() => (lambdaPlatform ??= awsPlatform()));
