import { z } from 'zod';
import type { Page, MetadataTable, ScopedWrite } from '../ports/metadata-store';
import { NotFound, ValidationFailed } from '../errors';

/**
 * The record of pipeline executions, per tenant: one item per execution and
 * one per state transition, so the console and the API can show progress and
 * the audit trail can show what ran, by whom, in which order.
 *
 * Layout (tenant table):
 * - execution: partition `EXECUTION#<id>`, sort `EXECUTION`; listed through
 *   gsi1 (`EXECUTIONS`, sorted by start time), gsi2 (`EXECUTIONS#<pipeline>`),
 *   gsi3 (`EXECUTIONS#status#<status>`) and gsi4
 *   (`EXECUTIONS#<pipeline>#status#<status>`), rewritten as the status changes;
 * - its transitions: same partition, sort `EVENT#<000001>` (in order);
 * - name claims: partition `EXECUTION-NAME#<pipeline>#<name>`, for idempotent starts.
 *
 * Writes are optimistic-locked on the execution item: one writer records an
 * execution, and a second one (start-up recovery) cannot be overwritten by a
 * process that lost track of it.
 */
export const EXECUTION_STATUSES = ['RUNNING', 'SUCCEEDED', 'FAILED', 'ABORTED'] as const;
export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];

export type TransitionType =
  | 'ExecutionStarted'
  | 'StateEntered'
  | 'StateExited'
  | 'StateFailed'
  | 'StateRetried'
  | 'StateCaught'
  | 'MapIterationStarted'
  | 'MapIterationSucceeded'
  | 'MapIterationFailed'
  | 'ParallelBranchStarted'
  | 'ParallelBranchSucceeded'
  | 'ParallelBranchFailed'
  | 'ExecutionSucceeded'
  | 'ExecutionFailed'
  | 'ExecutionAborted'
  | 'ExecutionTimedOut'
  | 'ExecutionInterrupted';

export interface ExecutionRecord {
  readonly executionId: string;
  readonly pipeline: string;
  /** The idempotency name (defaults to the id). */
  readonly name: string;
  readonly status: ExecutionStatus;
  readonly actor: string;
  /** The input without `context`, or a truncated preview of it. */
  readonly input: unknown;
  readonly output?: unknown;
  readonly error?: string;
  readonly cause?: string;
  readonly startedAt: string;
  readonly stoppedAt?: string;
  /** The state last entered; with RUNNING, where the execution is now. */
  readonly currentState?: string;
  readonly updatedAt: string;
  /** Optimistic-lock counter (MetadataTable's `revision`). */
  readonly revision: number;
}

export interface TransitionEvent {
  readonly seq: number;
  readonly type: TransitionType;
  readonly at: string;
  readonly state?: string;
  readonly stateType?: string;
  /** Task states: time from entering (or the last retry) to exiting or failing. */
  readonly durationMs?: number;
  readonly error?: string;
  readonly cause?: string;
  /** StateRetried: which retry this is (1-based). */
  readonly attempt?: number;
  /** Map iterations: the item index. */
  readonly index?: number;
}

export type NewTransition = Omit<TransitionEvent, 'seq'>;

const MAX_INPUT_BYTES = 4 * 1024;
const MAX_OUTPUT_BYTES = 32 * 1024;
const MAX_EVENT_CAUSE = 1000;

const executionPartition = (executionId: string) => ['EXECUTION', executionId] as const;
const eventSort = (seq: number) => `EVENT#${String(seq).padStart(6, '0')}`;
const listSort = (record: Pick<ExecutionRecord, 'startedAt' | 'executionId'>) => `${record.startedAt}#${record.executionId}`;
const namePartition = (pipeline: string, name: string) => ['EXECUTION-NAME', pipeline, name] as const;

function executionPut(record: ExecutionRecord, expect: 'new' | { revision: number }): ScopedWrite {
  return {
    kind: 'put',
    key: { partition: executionPartition(record.executionId), sort: 'EXECUTION' },
    indexes: {
      gsi1: { partition: ['EXECUTIONS'], sort: listSort(record) },
      gsi2: { partition: ['EXECUTIONS', record.pipeline], sort: listSort(record) },
      gsi3: { partition: ['EXECUTIONS', 'status', record.status], sort: listSort(record) },
      gsi4: { partition: ['EXECUTIONS', record.pipeline, 'status', record.status], sort: listSort(record) },
    },
    item: { ...record },
    expect,
  };
}

function eventPut(executionId: string, event: TransitionEvent): ScopedWrite {
  const cause = event.cause !== undefined && event.cause.length > MAX_EVENT_CAUSE ? `${event.cause.slice(0, MAX_EVENT_CAUSE - 1)}…` : event.cause;
  return {
    kind: 'put',
    key: { partition: executionPartition(executionId), sort: eventSort(event.seq) },
    item: { ...event, ...(cause !== undefined ? { cause } : {}) },
    expect: 'new',
  };
}

/** A JSON value kept as it is when small, else a marked preview: records stay far below DynamoDB's item limit. */
export function summarize(value: unknown, maxBytes: number): unknown {
  const json = JSON.stringify(value ?? null);
  if (Buffer.byteLength(json, 'utf8') <= maxBytes) return JSON.parse(json);
  return { truncated: true, bytes: Buffer.byteLength(json, 'utf8'), preview: json.slice(0, Math.floor(maxBytes / 2)) };
}

function withoutContext(input: Record<string, unknown>): Record<string, unknown> {
  const { context: _context, ...rest } = input;
  return rest;
}

/** Records a new RUNNING execution, its ExecutionStarted transition (seq 0) and its name claim, all or nothing. */
export async function recordExecutionStarted(
  table: MetadataTable,
  start: { executionId: string; pipeline: string; name: string; actor: string; input: Record<string, unknown>; startedAt: string },
): Promise<ExecutionRecord> {
  const record: ExecutionRecord = {
    executionId: start.executionId,
    pipeline: start.pipeline,
    name: start.name,
    status: 'RUNNING',
    actor: start.actor,
    input: summarize(withoutContext(start.input), MAX_INPUT_BYTES),
    startedAt: start.startedAt,
    updatedAt: start.startedAt,
    revision: 1,
  };
  await table.transact([
    executionPut(record, 'new'),
    eventPut(start.executionId, { seq: 0, type: 'ExecutionStarted', at: start.startedAt }),
    {
      kind: 'put',
      key: { partition: namePartition(start.pipeline, start.name), sort: 'NAME' },
      item: { executionId: start.executionId, startedAt: start.startedAt },
      expect: 'new',
    },
  ]);
  return record;
}

/** The execution an idempotency name was given to, if any. */
export async function findExecutionByName(table: MetadataTable, pipeline: string, name: string): Promise<ExecutionRecord | undefined> {
  const claim = await table.get<{ executionId: string }>({ partition: namePartition(pipeline, name), sort: 'NAME' });
  return claim ? table.get<ExecutionRecord>({ partition: executionPartition(claim.executionId), sort: 'EXECUTION' }) : undefined;
}

/**
 * Appends one transition. Entering a state also moves the execution's
 * `currentState`, under the optimistic lock; other transitions only append.
 * Returns the execution as it now stands.
 */
export async function appendTransition(table: MetadataTable, record: ExecutionRecord, event: TransitionEvent): Promise<ExecutionRecord> {
  if (event.type !== 'StateEntered') {
    await table.transact([eventPut(record.executionId, event)]);
    return record;
  }
  const next: ExecutionRecord = { ...record, currentState: event.state, updatedAt: event.at, revision: record.revision + 1 };
  await table.transact([eventPut(record.executionId, event), executionPut(next, { revision: record.revision })]);
  return next;
}

/** Ends a RUNNING execution with its final transition; fails with StaleWrite if someone else ended it first. */
export async function recordExecutionStopped(
  table: MetadataTable,
  record: ExecutionRecord,
  stop: { status: Exclude<ExecutionStatus, 'RUNNING'>; event: TransitionEvent; output?: unknown; error?: string; cause?: string },
): Promise<ExecutionRecord> {
  const next: ExecutionRecord = {
    ...record,
    status: stop.status,
    stoppedAt: stop.event.at,
    updatedAt: stop.event.at,
    revision: record.revision + 1,
    ...(stop.output !== undefined ? { output: summarize(stop.output, MAX_OUTPUT_BYTES) } : {}),
    ...(stop.error !== undefined ? { error: stop.error } : {}),
    ...(stop.cause !== undefined ? { cause: stop.cause } : {}),
  };
  await table.transact([eventPut(record.executionId, stop.event), executionPut(next, { revision: record.revision })]);
  return next;
}

/**
 * Marks an execution that was RUNNING when its process died as FAILED with
 * `States.Interrupted`. Returns undefined when there is nothing to mark (no
 * such execution, or it had already stopped).
 */
export async function markExecutionInterrupted(
  table: MetadataTable,
  executionId: string,
  interruption: { at: string; cause: string },
): Promise<ExecutionRecord | undefined> {
  const record = await table.get<ExecutionRecord>({ partition: executionPartition(executionId), sort: 'EXECUTION' });
  if (!record || record.status !== 'RUNNING') return undefined;
  const last = await table.query<TransitionEvent>({
    partition: executionPartition(executionId),
    sortBeginsWith: 'EVENT#',
    descending: true,
    limit: 1,
    consistent: true,
  });
  const seq = (last.items[0]?.seq ?? 0) + 1;
  return recordExecutionStopped(table, record, {
    status: 'FAILED',
    error: 'States.Interrupted',
    cause: interruption.cause,
    event: { seq, type: 'ExecutionInterrupted', at: interruption.at, error: 'States.Interrupted', cause: interruption.cause },
  });
}

export const listExecutionsQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().min(1).max(2048).optional(),
  pipeline: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/)
    .optional(),
  status: z.enum(EXECUTION_STATUSES).optional(),
});

export type ListExecutionsQuery = z.input<typeof listExecutionsQuerySchema>;

/**
 * A tenant's executions, newest first, optionally of one pipeline and/or in
 * one status; a Query on an index, never a Scan. Pass the returned cursor back
 * for the next page (with the same filters).
 *
 * @example
 * const page = await listExecutions(platform.tenantTable(identity.tenantId), { pipeline: 'train-evaluate', limit: 20 });
 */
export async function listExecutions(table: MetadataTable, query: ListExecutionsQuery = {}): Promise<Page<ExecutionRecord>> {
  const parsed = listExecutionsQuerySchema.safeParse(query);
  if (!parsed.success) {
    throw new ValidationFailed(
      'invalid execution list query',
      parsed.error.issues.map((i) => ({ field: `query.${i.path.join('.')}`, problem: i.message })),
    );
  }
  const q = parsed.data;
  const page = { descending: true, limit: q.limit, cursor: q.cursor } as const;
  if (q.pipeline && q.status) return table.query<ExecutionRecord>({ ...page, index: 'gsi4', partition: ['EXECUTIONS', q.pipeline, 'status', q.status] });
  if (q.status) return table.query<ExecutionRecord>({ ...page, index: 'gsi3', partition: ['EXECUTIONS', 'status', q.status] });
  if (q.pipeline) return table.query<ExecutionRecord>({ ...page, index: 'gsi2', partition: ['EXECUTIONS', q.pipeline] });
  return table.query<ExecutionRecord>({ ...page, index: 'gsi1', partition: ['EXECUTIONS'] });
}

export interface ExecutionWithEvents {
  readonly execution: ExecutionRecord;
  /** Transitions in the order they happened. */
  readonly events: TransitionEvent[];
  /** Set when more events follow (long Map executions); pass as `eventsCursor`. */
  readonly eventsCursor?: string;
}

/**
 * One execution of the tenant with its transitions in order.
 *
 * @example
 * const { execution, events } = await getExecution(platform.tenantTable(identity.tenantId), executionId);
 */
export async function getExecution(
  table: MetadataTable,
  executionId: string,
  options: { eventLimit?: number; eventsCursor?: string } = {},
): Promise<ExecutionWithEvents> {
  const execution = await table.get<ExecutionRecord>({ partition: executionPartition(executionId), sort: 'EXECUTION' });
  if (!execution) throw new NotFound('execution', executionId);
  const limit = Math.min(Math.max(options.eventLimit ?? 500, 1), 1000);
  const events: TransitionEvent[] = [];
  let cursor = options.eventsCursor;
  do {
    const page = await table.query<TransitionEvent>({
      partition: executionPartition(executionId),
      sortBeginsWith: 'EVENT#',
      limit: limit - events.length,
      cursor,
      consistent: true,
    });
    events.push(...page.items);
    cursor = page.cursor;
  } while (cursor && events.length < limit);
  return { execution, events, ...(cursor ? { eventsCursor: cursor } : {}) };
}
