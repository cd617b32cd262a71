import { z } from 'zod';
import type { MetadataTable, Page } from '../ports/metadata-store';

/**
 * What happened to one segment of a `train-segments` run, kept per run in the
 * tenant's table (one item per segment, written by the segment's own step,
 * so a retried step overwrites rather than duplicates): the summary step and
 * the API read them back with a Query, whatever the Map's size.
 */
export const SegmentOutcomeSchema = z.object({
  index: z.number().int(),
  value: z.string(),
  rows: z.number().int(),
  /** trained: a version was registered and evaluated (and judged); skipped: the segment cannot train (too few rows, one class); failed: training or evaluation failed. */
  outcome: z.enum(['trained', 'skipped', 'failed']),
  modelId: z.string().optional(),
  modelName: z.string().optional(),
  version: z.number().int().optional(),
  /** The version's status after the governing policy judged it (approved, pending-approval, rejected). */
  status: z.string().optional(),
  metrics: z.record(z.string(), z.number().nullable()).optional(),
  evaluationId: z.string().optional(),
  reason: z.string().optional(),
  /** Fitting and exporting the model (the trainer's own clock). */
  trainingMs: z.number().optional(),
  /** The whole segment step: data, model record, training, registration, evaluation, judgement. */
  durationMs: z.number(),
  at: z.string(),
});
export type SegmentOutcome = z.infer<typeof SegmentOutcomeSchema>;

const PAGE = 200;

function partitionOf(runId: string): string[] {
  return ['SEGMENTRUN', runId];
}

export async function recordSegmentOutcome(table: MetadataTable, runId: string, outcome: SegmentOutcome): Promise<void> {
  await table.transact([
    {
      kind: 'put',
      key: { partition: partitionOf(runId), sort: `S#${String(outcome.index).padStart(6, '0')}` },
      item: { entity: 'segment-outcome', ...outcome },
      expect: 'any',
    },
  ]);
}

/** One page of a run's segment outcomes, in segment order. */
export async function listSegmentOutcomes(table: MetadataTable, runId: string, page: { limit?: number; cursor?: string } = {}): Promise<Page<SegmentOutcome>> {
  const result = await table.query<SegmentOutcome & { entity?: string }>({
    partition: partitionOf(runId),
    sortBeginsWith: 'S#',
    limit: page.limit ?? PAGE,
    cursor: page.cursor,
  });
  return { items: result.items.map(({ entity: _e, ...o }) => SegmentOutcomeSchema.parse(o)), cursor: result.cursor };
}

/** Every outcome of a run (the summary step; bounded by MAX_SEGMENTS). */
export async function allSegmentOutcomes(table: MetadataTable, runId: string): Promise<SegmentOutcome[]> {
  const out: SegmentOutcome[] = [];
  let cursor: string | undefined;
  do {
    const page = await listSegmentOutcomes(table, runId, { limit: PAGE, cursor });
    out.push(...page.items);
    cursor = page.cursor;
  } while (cursor);
  return out;
}

export interface SegmentRunSummary {
  readonly runId: string;
  readonly family: string;
  readonly segmentColumn: string;
  readonly segments: number;
  readonly trained: number;
  readonly skipped: number;
  readonly failed: number;
  /** Versions by the status the policy left them in (approved, pending-approval, rejected). */
  readonly statuses: Record<string, number>;
  /** The task's headline metric over the trained segments. */
  readonly metric: { readonly name: string; readonly mean: number | null; readonly min: number | null; readonly max: number | null };
  readonly trainingMs: number;
  readonly stepMs: number;
  readonly summaryKey: string;
}

/**
 * The run's summary from its recorded outcomes (the plan records the values
 * it skipped, each segment step its own): counts, the policy's verdicts, the headline metric's spread, and
 * time spent training versus in the segment steps. The full per-segment
 * table goes to `summaryKey`; the compact summary is the execution's output.
 */
export function summarizeSegments(
  run: { runId: string; family: string; segmentColumn: string; task: 'binary' | 'regression' },
  outcomes: readonly SegmentOutcome[],
  summaryKey: string,
): { summary: SegmentRunSummary; document: Record<string, unknown> } {
  const metricName = run.task === 'binary' ? 'auc' : 'r2';
  const values = outcomes.flatMap((o) => (o.outcome === 'trained' && typeof o.metrics?.[metricName] === 'number' ? [o.metrics[metricName]] : []));
  const statuses: Record<string, number> = {};
  for (const o of outcomes) if (o.outcome === 'trained' && o.status) statuses[o.status] = (statuses[o.status] ?? 0) + 1;
  const count = (kind: SegmentOutcome['outcome']) => outcomes.filter((o) => o.outcome === kind).length;
  const summary: SegmentRunSummary = {
    runId: run.runId,
    family: run.family,
    segmentColumn: run.segmentColumn,
    segments: outcomes.length,
    trained: count('trained'),
    skipped: count('skipped'),
    failed: count('failed'),
    statuses,
    metric: {
      name: metricName,
      mean: values.length ? values.reduce((s, v) => s + v, 0) / values.length : null,
      min: values.length ? Math.min(...values) : null,
      max: values.length ? Math.max(...values) : null,
    },
    trainingMs: Math.round(outcomes.reduce((s, o) => s + (o.trainingMs ?? 0), 0)),
    stepMs: Math.round(outcomes.reduce((s, o) => s + o.durationMs, 0)),
    summaryKey,
  };
  return { summary, document: { ...summary, outcomes } };
}
