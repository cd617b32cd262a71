import { getDatasetVersion } from '../catalog/datasets/dataset-versions';
import type { DatasetVersion } from '../catalog/datasets/dataset-records';
import { getProject } from '../catalog/projects';
import { NotFound, ValidationFailed } from '../errors';
import type { TenantScope } from '../tenancy/tenant-scope';
import { recordSegmentOutcome } from './segment-run-records';
import { loadCsvDataset } from './training-dataset';
import { MAX_SEGMENTS, segmentDataKey, segmentModelName, type SegmentPlan, type TrainSegmentsInput } from './segment-request';

const DEFAULT_MIN_ROWS = 10;
/** Segment files written at once: s3 PUTs are I/O, the event loop is not the limit. */
const WRITE_CONCURRENCY = 16;
const NUMERIC_COLUMNS = new Set(['integer', 'number']);

function refuse(message: string, field: string, problem: string): ValidationFailed {
  return new ValidationFailed(message, [{ field, problem }]);
}

function csvCell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/**
 * The checks a `train-segments` request can pass or fail from records alone
 * (the API's preflight, a 4xx before anything runs): the project exists, the
 * dataset version is CSV and holds the segment column, the target and the
 * features, which are numeric; returns the dataset version and the features.
 */
export async function checkSegmentRequest(scope: TenantScope, input: TrainSegmentsInput): Promise<{ dataset: DatasetVersion; features: string[] }> {
  await getProject(scope, input.projectId);
  let dataset: DatasetVersion;
  try {
    dataset = await getDatasetVersion(scope, input.dataset.datasetId, input.dataset.version);
  } catch (error) {
    if (error instanceof NotFound)
      throw new ValidationFailed(
        `dataset ${input.dataset.datasetId} has no version ${input.dataset.version} in this tenant's catalog`,
        [{ field: 'dataset', problem: 'no such dataset version' }],
        { cause: error },
      );
    throw error;
  }
  if (dataset.format !== 'csv')
    throw refuse(`dataset version ${input.dataset.version} is ${dataset.format}; the built-in trainers read CSV`, 'dataset', `format ${dataset.format}`);
  const columns = new Map(dataset.schema.map((c) => [c.name, c]));
  if (!columns.has(input.segmentColumn))
    throw refuse(`segment column '${input.segmentColumn}' is not in the dataset`, 'segmentColumn', 'not a column of the dataset');
  if (!columns.has(input.target)) throw refuse(`target column '${input.target}' is not in the dataset`, 'target', 'not a column of the dataset');
  if (input.target === input.segmentColumn) throw refuse('the target cannot be the segment column', 'target', 'is the segment column');
  const reserved = new Set([input.target, input.segmentColumn, ...dataset.protectedAttributes]);
  const features = input.features ?? dataset.schema.filter((c) => !reserved.has(c.name) && NUMERIC_COLUMNS.has(c.type)).map((c) => c.name);
  if (features.length === 0) throw refuse('the dataset has no numeric feature column besides the target and the segment column', 'features', 'none numeric');
  const bad = features.filter((f) => !columns.has(f) || !NUMERIC_COLUMNS.has(columns.get(f)!.type) || f === input.target || f === input.segmentColumn);
  if (bad.length > 0)
    throw refuse(
      `features must be numeric columns other than the target and the segment column: ${bad.join(', ')}`,
      'features',
      `not usable: ${bad.slice(0, 20).join(', ')}`,
    );
  return { dataset, features };
}

/**
 * `PlanSegments`: reads the dataset version once (its bytes checked against
 * the catalog's hash), splits its rows by the segment column, writes each
 * segment's rows (features, target, protected attributes) to the run's
 * folder, and returns the Map's items — index, value and row count only, so
 * the state stays small — with the settings every segment shares. Segments
 * below `minRows` are recorded as skipped outcomes of the run (numbered after
 * the trained ones); values whose model names would collide are refused.
 */
export async function planSegments(scope: TenantScope, input: TrainSegmentsInput, run: { runId: string; startedBy: string }): Promise<SegmentPlan> {
  const { dataset, features } = await checkSegmentRequest(scope, input);
  const loaded = await loadCsvDataset(scope.objects, dataset.key);
  if (loaded.sha256 !== dataset.sha256)
    throw refuse(`dataset version ${dataset.version}'s file does not match its recorded SHA-256`, 'dataset', `the stored file hashes to ${loaded.sha256}`);
  const { header, rows } = loaded.csv;
  const kept = [...features, input.target, ...dataset.protectedAttributes.filter((a) => header.includes(a) && !features.includes(a) && a !== input.target)];
  const columns = kept.map((name) => header.indexOf(name));
  const segmentAt = header.indexOf(input.segmentColumn);
  const task = input.task === 'auto' ? decideTask(rows.map((r) => r[header.indexOf(input.target)] ?? '')) : input.task;

  const groups = new Map<string, string[][]>();
  const skipped: SegmentPlan['skipped'] = [];
  let unlabelled = 0;
  for (const row of rows) {
    const value = (row[segmentAt] ?? '').trim();
    if (value === '') {
      unlabelled++;
      continue;
    }
    let group = groups.get(value);
    if (!group) groups.set(value, (group = []));
    group.push(row);
  }
  if (unlabelled > 0) skipped.push({ value: '', rows: unlabelled, reason: `no '${input.segmentColumn}' value` });
  if (groups.size > MAX_SEGMENTS)
    throw refuse(
      `column '${input.segmentColumn}' has ${groups.size} values; one run trains at most ${MAX_SEGMENTS} segments`,
      'segmentColumn',
      'too many segments',
    );
  const names = new Map<string, string>();
  for (const value of groups.keys()) {
    const name = segmentModelName(input.family, value).toLowerCase();
    const other = names.get(name);
    if (other !== undefined)
      throw refuse(
        `segments '${other}' and '${value}' would both be model '${segmentModelName(input.family, value)}'`,
        'segmentColumn',
        'values collide as model names',
      );
    names.set(name, value);
  }

  const minRows = input.minRows ?? DEFAULT_MIN_ROWS;
  const segments: SegmentPlan['segments'] = [];
  const writes: Array<() => Promise<void>> = [];
  const values = [...groups.keys()].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  for (const value of values) {
    const group = groups.get(value)!;
    if (group.length < minRows) {
      skipped.push({ value, rows: group.length, reason: `${group.length} rows; at least ${minRows} are needed` });
      continue;
    }
    const index = segments.length;
    segments.push({ index, value, rows: group.length });
    const text = `${kept.map(csvCell).join(',')}\n${group.map((r) => columns.map((c) => csvCell(r[c] ?? '')).join(',')).join('\n')}\n`;
    writes.push(() => scope.objects.put(segmentDataKey(run.runId, index), text, 'text/csv'));
  }
  // Values not trained at all are outcomes of the run too, numbered after the trained ones, so the run's table lists every value.
  const at = scope.now().toISOString();
  skipped.forEach((s, i) =>
    writes.push(() =>
      recordSegmentOutcome(scope.table, run.runId, {
        index: segments.length + i,
        value: s.value,
        rows: s.rows,
        outcome: 'skipped',
        reason: s.reason,
        durationMs: 0,
        at,
      }),
    ),
  );
  for (let i = 0; i < writes.length; i += WRITE_CONCURRENCY) await Promise.all(writes.slice(i, i + WRITE_CONCURRENCY).map((write) => write()));
  return {
    run: {
      runId: run.runId,
      projectId: input.projectId,
      family: input.family,
      dataset: { datasetId: dataset.datasetId, version: dataset.version, sha256: dataset.sha256, protectedAttributes: [...dataset.protectedAttributes] },
      segmentColumn: input.segmentColumn,
      target: input.target,
      features,
      task,
      ...(input.algorithm ? { algorithm: input.algorithm } : {}),
      ...(input.hyperparameters ? { hyperparameters: input.hyperparameters } : {}),
      ...(input.evaluation ? { evaluation: input.evaluation } : {}),
      minRows,
      ...(input.importance === false ? { importance: false } : {}),
      ...(input.codeRevision ? { codeRevision: input.codeRevision } : {}),
      startedBy: run.startedBy,
    },
    segments,
    skipped,
  };
}

/** `auto` decided once for the whole dataset, so every segment of a family has the same task: 0/1 labels are binary. */
function decideTask(cells: readonly string[]): 'binary' | 'regression' {
  const values = cells.map((c) => Number(c.trim()));
  if (values.some((v) => !Number.isFinite(v)))
    throw refuse('the target has non-numeric values; the built-in trainers need 0/1 or numeric targets', 'target', 'not numeric');
  return values.every((v) => v === 0 || v === 1) ? 'binary' : 'regression';
}
