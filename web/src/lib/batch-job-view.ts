/**
 * Pure helpers of the batch job page and the schedule forms: progress per
 * partition while a job runs, and the smallest PATCH a schedule edit needs.
 */

export interface PartitionResult {
  readonly index: number;
  readonly source: string;
  readonly output: string;
  readonly rejected?: string;
  readonly rowsIn: number;
  readonly rowsOut: number;
  readonly rowsRejected: number;
  readonly finishedAt: string;
}

export type PartitionRow =
  { readonly index: number; readonly state: 'scored'; readonly result: PartitionResult } | { readonly index: number; readonly state: 'waiting' };

/**
 * One row per partition of the job, scored ones with their counts and the rest
 * waiting; a failed job's unscored partitions are "not scored". Before the job
 * is split (no total yet) only what has landed is shown.
 */
export function partitionRows(partitionsTotal: number | undefined, results: readonly PartitionResult[]): PartitionRow[] {
  const byIndex = new Map(results.map((r) => [r.index, r]));
  const total = Math.max(partitionsTotal ?? 0, ...results.map((r) => r.index + 1));
  return Array.from({ length: total }, (_, index): PartitionRow => {
    const result = byIndex.get(index);
    return result ? { index, state: 'scored', result } : { index, state: 'waiting' };
  });
}

/** Whether a job still moves on by itself, so its page keeps polling. */
export function jobIsActive(status: string): boolean {
  return status === 'queued' || status === 'running';
}

/** How often the job page polls: often while it runs, not at all once it ended. */
export function jobPollInterval(status: string | undefined): number | false {
  return status === undefined || jobIsActive(status) ? 2000 : false;
}

export interface ScheduleLike {
  readonly expression: string;
  readonly timeZone: string;
  readonly enabled: boolean;
  readonly description?: string;
  readonly revision: number;
  readonly job: { readonly model: { readonly modelId: string; readonly version: number }; readonly input: unknown };
}

export interface ScheduleEdit {
  readonly expression: string;
  readonly timeZone: string;
  readonly description: string;
  /** "modelId|version" as the version picker holds it. */
  readonly target: string;
}

/**
 * The PATCH body of a schedule edit: only what changed, with the revision it was
 * read at (so a concurrent edit is a 412, not lost); undefined when nothing changed.
 */
export function scheduleChanges(before: ScheduleLike, edit: ScheduleEdit): Record<string, unknown> | undefined {
  const changes: Record<string, unknown> = {};
  if (edit.expression.trim() !== before.expression) changes.expression = edit.expression.trim();
  if (edit.timeZone.trim() !== before.timeZone) changes.timeZone = edit.timeZone.trim();
  if (edit.description.trim() !== (before.description ?? '')) changes.description = edit.description.trim();
  const [modelId = '', version = ''] = edit.target.split('|');
  if (modelId && (modelId !== before.job.model.modelId || Number(version) !== before.job.model.version)) {
    changes.job = { ...(before.job as object), model: { modelId, version: Number(version) } };
  }
  return Object.keys(changes).length ? { ...changes, expectedRevision: before.revision } : undefined;
}
