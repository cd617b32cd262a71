import { csvRowMapper, RowRejected } from '../../serving/payloads/read-input-rows';
import { InvalidModelInput } from '../../serving/runtimes/runtime-errors';
import { type InputRow, RowProblem, type TabularModel } from '../../serving/runtimes/tabular-model';
import { ValidationFailed } from '../errors';
import { csvCell, CsvFormatError, readCsvBatches } from '../tabular/csv-rows';
import type { TenantScope } from '../tenancy/tenant-scope';
import { type BatchJob, type BatchPartitionResult, batchPartitionKey } from './batch-job-records';
import { type BatchPartition, batchOutputKeys } from './batch-partitions';

/** Rows handed to the model per predict call: big enough to amortise a native run, small enough to bound memory. */
const PREDICT_BATCH_ROWS = 8192;

type ColumnStatistics = BatchPartitionResult['statistics'][string];

/**
 * Scores one partition: reads its CSV (header required: columns are matched
 * to the model's inputs by name), scores the rows that fit the schema, and
 * writes `outputs/part-N.csv` (the row number, the passthrough columns, then
 * the model's output columns) and, if any row was refused — by the schema or
 * by the model — `rejected/part-N.csv` naming the row, the field and the
 * problem. Then it records the partition's counts under the job, keyed by
 * partition, so a retried partition overwrites its files and its counts
 * instead of adding to them: every input row ends in exactly one of the two
 * files exactly once.
 *
 * The model is a serving TabularModel, the same one the endpoints run.
 * @throws ValidationFailed when the file is not readable CSV or lacks a model input or passthrough column (the job fails, naming it)
 */
export async function scorePartition(scope: TenantScope, job: BatchJob, partition: BatchPartition, model: TabularModel): Promise<BatchPartitionResult> {
  const bytes = await scope.objects.getBytes(partition.source);
  const outputLines: string[] = [];
  const rejectedLines: string[] = [];
  const statistics: Record<string, ColumnStatistics> = {};
  let rowsIn = 0;
  let rowsOut = 0;
  let mapRow: ((cells: readonly string[], row: number) => InputRow) | undefined;
  let passthroughColumns: number[] = [];
  const passthroughOf = (cells: readonly string[]) => passthroughColumns.map((c) => csvCell(cells[c] ?? ''));
  const reject = (row: number, cells: readonly string[], field: string | undefined, problem: string) => {
    rejectedLines.push([String(row), ...passthroughOf(cells), csvCell(field ?? ''), csvCell(problem)].join(','));
  };

  try {
    for await (const batch of readCsvBatches(bytes, { header: true, batchSize: PREDICT_BATCH_ROWS })) {
      if (!mapRow) {
        const header = batch.header ?? [];
        try {
          mapRow = numericFastPath(model, header, csvRowMapper(model, header));
        } catch (error) {
          if (error instanceof InvalidModelInput) throw new ValidationFailed(`${partition.source}: ${error.message}`, [{ field: 'input', problem: error.message }], { cause: error });
          throw error;
        }
        passthroughColumns = job.passthrough.map((name) => {
          const at = header.indexOf(name);
          if (at < 0) throw new ValidationFailed(`${partition.source} has no column '${name}' to pass through`, [{ field: 'passthrough', problem: `no column '${name}' in ${partition.source}` }]);
          return at;
        });
        outputLines.push(['row', ...job.passthrough, ...model.outputColumns].map(csvCell).join(','));
        rejectedLines.push(['row', ...job.passthrough, 'field', 'problem'].map(csvCell).join(','));
      }
      const rows: InputRow[] = [];
      const accepted: { row: number; cells: readonly string[] }[] = [];
      for (const record of batch.records) {
        rowsIn++;
        try {
          rows.push(mapRow(record.cells, record.row));
          accepted.push(record);
        } catch (error) {
          if (!(error instanceof RowRejected)) throw error;
          reject(record.row, record.cells, error.field, error.problem);
        }
      }
      if (rows.length === 0) continue;
      const predictions = await model.predict(rows);
      for (let i = 0; i < predictions.length; i++) {
        const prediction = predictions[i];
        const { row, cells } = accepted[i];
        if (prediction instanceof RowProblem) {
          reject(row, cells, prediction.field, prediction.problem);
          continue;
        }
        const values = model.toCsvRow(prediction);
        // Built by concatenation: a million rows of array spreads and joins cost as much as parsing them.
        let line = String(row);
        for (let c = 0; c < passthroughColumns.length; c++) line += `,${csvCell(cells[passthroughColumns[c]] ?? '')}`;
        for (let c = 0; c < values.length; c++) {
          const value = values[c];
          line += typeof value === 'number' ? `,${value}` : `,${csvCell(value)}`;
        }
        outputLines.push(line);
        rowsOut++;
        for (let c = 0; c < values.length; c++) {
          const value = values[c];
          if (typeof value === 'number' && Number.isFinite(value)) addStatistic(statistics, model.outputColumns[c], value);
        }
      }
    }
  } catch (error) {
    if (error instanceof CsvFormatError) throw new ValidationFailed(`${partition.source}: ${error.message}`, [{ field: 'input', problem: error.message }], { cause: error });
    throw error;
  }

  const outputKey = batchOutputKeys.output(job, partition.index);
  const rejectedKey = batchOutputKeys.rejected(job, partition.index);
  const rowsRejected = rowsIn - rowsOut;
  await scope.objects.put(outputKey, outputLines.length ? `${outputLines.join('\n')}\n` : '', 'text/csv');
  if (rowsRejected > 0) await scope.objects.put(rejectedKey, `${rejectedLines.join('\n')}\n`, 'text/csv');
  const result: BatchPartitionResult = {
    index: partition.index,
    source: partition.source,
    outputKey,
    ...(rowsRejected > 0 ? { rejectedKey } : {}),
    rowsIn,
    rowsOut,
    rowsRejected,
    statistics,
    finishedAt: scope.now().toISOString(),
  };
  await scope.table.transact([{ kind: 'put', key: batchPartitionKey(job.jobId, partition.index), item: { entity: 'batch-partition', jobId: job.jobId, ...result }, expect: 'any' }]);
  return result;
}

const NUMERIC = new Set(['float', 'double', 'int', 'long']);

/**
 * For models whose inputs are all scalar numbers (most tabular models), a
 * row mapper that converts cells with one `Number()` each and defers to the
 * general mapper (serving's csvRowMapper) for any row it would not accept
 * as is, so refusals, and their messages, are exactly the general mapper's.
 * It accepts what fromCell accepts for these types: a non-blank cell whose
 * Number() is finite (and a safe integer for int and long).
 */
function numericFastPath(model: TabularModel, header: readonly string[], general: (cells: readonly string[], row: number) => InputRow): (cells: readonly string[], row: number) => InputRow {
  const { inputs } = model;
  if (!inputs.every((f) => NUMERIC.has(f.type) && !f.shape)) return general;
  const columns = inputs.map((f) => header.indexOf(f.name));
  const integer = inputs.map((f) => f.type === 'int' || f.type === 'long');
  const width = header.length;
  return (cells, row) => {
    if (cells.length !== width) return general(cells, row);
    const out = new Array<number>(columns.length);
    for (let i = 0; i < columns.length; i++) {
      const cell = cells[columns[i]];
      const value = +cell;
      if (!Number.isFinite(value) || (value === 0 && cell.trim() === '') || (integer[i] && !Number.isSafeInteger(value))) return general(cells, row);
      out[i] = value;
    }
    return out;
  };
}

function addStatistic(statistics: Record<string, ColumnStatistics>, column: string, value: number): void {
  const s = statistics[column];
  if (!s) {
    statistics[column] = { count: 1, sum: value, sumSquares: value * value, min: value, max: value };
    return;
  }
  s.count++;
  s.sum += value;
  s.sumSquares += value * value;
  if (value < s.min) s.min = value;
  if (value > s.max) s.max = value;
}
